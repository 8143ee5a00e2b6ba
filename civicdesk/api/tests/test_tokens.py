"""API tokens: issuing, the bearer key, revocation, the command and the admin."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from civicdesk.api.models import ApiToken
from civicdesk.api.services import hash_key, issue_api_token, revoke_api_token
from civicdesk.api.tests.conftest import ApiClient
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_key_is_kept(agent):
    token, key = issue_api_token(actor=None, user=agent, name="Bins app")
    assert key.startswith("cdk_")
    assert token.key_hash == hash_key(key)
    assert key not in {token.key_hash, token.prefix}
    assert key.startswith(token.prefix)
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_GRANTED).exists()


def test_a_token_is_only_for_staff():
    resident = UserFactory()
    with pytest.raises(ValidationError) as error:
        issue_api_token(actor=None, user=resident, name="Mine")
    assert "user" in error.value.message_dict


def test_a_token_needs_a_name(agent):
    with pytest.raises(ValidationError) as error:
        issue_api_token(actor=None, user=agent, name="  ")
    assert "name" in error.value.message_dict


def test_a_valid_key_is_accepted_and_its_use_noted(agent, key_for, missed_bin):
    key = key_for(agent)
    response = ApiClient(key).get("/services")
    assert response.status_code == 200
    assert ApiToken.objects.get(key_hash=hash_key(key)).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer cdk_wrong", "Basic YWdlbnQ6cGFzcw==", "Bearer " + "x" * 500],
)
def test_requests_without_a_valid_key_are_refused(db, header):
    client = Client()
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/services", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response.json()["errors"] == {}


def test_a_revoked_key_is_refused(agent, missed_bin):
    token, key = issue_api_token(actor=None, user=agent, name="Old app")
    assert ApiClient(key).get("/services").status_code == 200
    revoke_api_token(actor=None, token=token)
    assert ApiClient(key).get("/services").status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REVOKED).exists()


def test_a_deactivated_users_key_is_refused(agent, key_for):
    key = key_for(agent)
    agent.is_active = False
    agent.save()
    assert ApiClient(key).get("/services").status_code == 401


def test_revoking_twice_changes_nothing(agent):
    token, _key = issue_api_token(actor=None, user=agent, name="App")
    first = revoke_api_token(actor=None, token=token).revoked_at
    assert revoke_api_token(actor=None, token=token).revoked_at == first


def test_the_command_prints_the_key_once(agent):
    out = io.StringIO()
    call_command("api_token", agent.username, "Street lighting", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key)
    assert token.name == "Street lighting"


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", "App", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_command_refuses_a_user_who_is_not_staff(db):
    resident = UserFactory()
    with pytest.raises(CommandError):
        call_command("api_token", resident.username, "App", stdout=io.StringIO())


@pytest.fixture
def admin_client_logged_in(client, agent):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_the_admin_shows_the_key_once(admin_client_logged_in, agent):
    response = admin_client_logged_in.post(
        "/admin/api/apitoken/add/", {"user": agent.pk, "name": "Lighting"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    assert any(token.prefix in message and "not be shown again" in message for message in shown)
    page = admin_client_logged_in.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert token.key_hash not in page.content.decode()


def test_the_admin_revokes_tokens(admin_client_logged_in, agent):
    token, _key = issue_api_token(actor=None, user=agent, name="App")
    response = admin_client_logged_in.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_refuses_a_token_for_someone_not_staff(admin_client_logged_in):
    resident = UserFactory()
    response = admin_client_logged_in.post(
        "/admin/api/apitoken/add/", {"user": resident.pk, "name": "Mine"}
    )
    assert response.status_code == 200
    assert "Choose an active member of staff." in response.content.decode()
    assert not ApiToken.objects.exists()
