"""Administrators set which statuses pause the SLA clocks, through the checked service."""

from django.urls import reverse

from civicdesk.cases.models import SlaClockPolicy
from civicdesk.core.models import AuditAction, AuditEvent


def test_an_administrator_sets_the_clock_policy(client, superuser, council):
    client.force_login(superuser)
    url = reverse("admin:cases_slaclockpolicy_add")

    response = client.post(
        url,
        {
            "organisation": council.pk,
            "pausing_statuses": ["waiting_customer", "waiting_third_party"],
            "stopping_statuses": ["resolved", "closed"],
        },
    )

    assert response.status_code == 302
    policy = SlaClockPolicy.objects.get(organisation=council)
    assert policy.pausing_statuses == ["waiting_customer", "waiting_third_party"]
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATED, record_type="cases.slaclockpolicy"
    ).exists()


def test_an_impossible_policy_is_refused_with_a_reason(client, superuser, council):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:cases_slaclockpolicy_add"),
        {"organisation": council.pk, "pausing_statuses": ["in_progress"]},
    )

    assert response.status_code == 200
    assert "The clock must run while a case is open or being worked." in response.text
    assert not SlaClockPolicy.objects.exists()
