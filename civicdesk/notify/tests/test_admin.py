"""Templates are edited in the Django admin; messages are only read there."""

import pytest
from django.urls import reverse

from civicdesk.core.models import AuditEvent
from civicdesk.notify.models import MessageTemplate
from civicdesk.notify.tests.factories import MessageFactory
from civicdesk.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def template_form(council, **changes):
    return {
        "organisation": council.pk,
        "service": "",
        "event": "update",
        "channel": "email",
        "notify_template_id": "5b1a9c4e-2d36-4f0e-9a51-0c1de3f0b7a2",
        "subject": "Update on ((reference))",
        "body": "((update))",
        "is_active": "on",
        **changes,
    }


def test_a_template_that_could_not_be_filled_in_is_refused(admin_client, council):
    url = reverse("admin:notify_messagetemplate_add")

    refused = admin_client.post(url, template_form(council, body="Dear ((first_name))"))
    added = admin_client.post(url, template_form(council))

    assert refused.status_code == 200
    assert "((first_name)) cannot be filled in" in refused.content.decode()
    assert added.status_code == 302
    template = MessageTemplate.objects.get()
    assert AuditEvent.objects.for_record("notify.messagetemplate", template.pk).exists()


def test_messages_are_read_only(admin_client, council):
    message = MessageFactory(organisation=council)

    assert admin_client.get(reverse("admin:notify_message_changelist")).status_code == 200
    change = admin_client.get(reverse("admin:notify_message_change", args=[message.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert admin_client.get(reverse("admin:notify_message_add")).status_code == 403
