"""Refunds, the staff pages, the reconciliation report and who may use them."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone

from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.payments.models import Refund
from civicdesk.payments.selectors import daily_report, payments_for_customer
from civicdesk.payments.services import RefundRefused, refresh_payment, refund_payment
from civicdesk.payments.tests.conftest import DECLINED_CARD, card

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(client, start):
    def make(amount_pence=1000, number=None):
        payment = start(amount_pence=amount_pence)
        client.post(payment.next_url, card(number) if number else card())
        return refresh_payment(payment=payment)

    return make


def test_partial_then_full_refund_then_too_much(paid, team_leader):
    payment = paid(1000)
    first = refund_payment(actor=team_leader, payment=payment, amount_pence=250, reason="Fee cut")
    assert first.status == "success" and first.provider_refund_id
    with pytest.raises(RefundRefused, match="more than the amount left"):
        refund_payment(actor=team_leader, payment=payment, amount_pence=751, reason="Too much")
    refund_payment(actor=team_leader, payment=payment, amount_pence=750, reason="Withdrawn")
    with pytest.raises(RefundRefused):
        refund_payment(actor=team_leader, payment=payment, amount_pence=1, reason="Again")
    assert sum(refund.amount_pence for refund in payment.refunds.all()) == 1000


def test_no_refund_on_a_failed_payment(paid, team_leader):
    payment = paid(number=DECLINED_CARD)
    with pytest.raises(RefundRefused, match="Only a payment that was made"):
        refund_payment(actor=team_leader, payment=payment, amount_pence=100, reason="No")
    assert not Refund.objects.exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.OFFICER])
def test_agents_and_officers_may_not_refund(paid, staff, role):
    with pytest.raises(PermissionDenied):
        refund_payment(actor=staff(role), payment=paid(), amount_pence=100, reason="No")


def test_refund_page(client, paid, team_leader, staff):
    payment = paid(1250)
    client.force_login(staff(Role.AGENT))
    page = client.get(f"/staff/payments/{payment.reference}/")
    assert page.status_code == 200 and b"Refund" not in page.content.split(b"<h2")[0]
    assert client.get(f"/staff/payments/{payment.reference}/refund/").status_code == 403
    client.force_login(team_leader)
    url = f"/staff/payments/{payment.reference}/refund/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"amount": "20.00", "reason": "Too much"})
    assert refused.status_code == 400 and b"govuk-error-summary" in refused.content
    done = client.post(url, {"amount": "2.50", "reason": "Part of the fee"})
    assert done.status_code == 302
    page = client.get(f"/staff/payments/{payment.reference}/")
    assert "£10.00" in page.content.decode() and "Part of the fee" in page.content.decode()


def test_customer_payments_for_the_single_view(paid, customer, staff):
    payment = paid()
    agent = staff(Role.AGENT)
    assert payments_for_customer(user=agent, customer=customer) == [payment]
    html = render_to_string("payments/_customer_payments.html", {"customer_payments": [payment]})
    assert payment.reference in html and "£10.00" in html


def test_other_councils_staff_see_nothing(client, paid):
    other = OrganisationFactory(name="Other council", slug="other")
    outsider = MembershipFactory(team=TeamFactory(organisation=other), role=Role.MANAGER).user
    payment = paid()
    client.force_login(outsider)
    assert client.get(f"/staff/payments/{payment.reference}/").status_code == 404


def test_report_sums_by_service_and_status(client, paid, start, manager, team_leader, council):
    paid(1000)
    refunded = paid(2550)
    paid(700, number=DECLINED_CARD)
    start(amount_pence=300)
    refund_payment(actor=team_leader, payment=refunded, amount_pence=550, reason="Part")
    report = daily_report(organisation=council, day=timezone.localdate())
    rows = {(row.service, row.status): (row.count, row.amount_pence, row.refunded_pence)
            for row in report.rows}  # fmt: skip
    assert rows == {
        ("Blue Badge", "created"): (1, 300, 0),
        ("Blue Badge", "failed"): (1, 700, 0),
        ("Blue Badge", "success"): (2, 3550, 550),
    }
    assert (report.taken, report.refunded, report.net) == ("£35.50", "£5.50", "£30.00")

    client.force_login(manager)
    page = client.get("/staff/payments/report/")
    assert page.status_code == 200 and "£35.50" in page.content.decode()
    day = timezone.localdate().isoformat()
    for url in (
        f"/staff/payments/report/?date={day}&format=csv",
        f"/staff/payments/report.csv?date={day}",
    ):
        answer = client.get(url)
        assert answer["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(answer.content.decode())))
        assert lines[0] == ["date", "service", "status", "payments", "amount_gbp", "refunded_gbp"]
        assert [day, "Blue Badge", "success", "2", "35.50", "5.50"] in lines
        assert lines[-1] == [day, "(total)", "", "4", "45.50", "5.50"]
    empty = client.get("/staff/payments/report/?date=2001-01-01")
    assert "No payments that day" in empty.content.decode()

    out = io.StringIO()
    call_command("payments_report", "--date", day, stdout=out)
    assert f"{day},Blue Badge,success,2,35.50,5.50" in out.getvalue()


def test_report_is_for_managers_and_administrators(client, team_leader, staff):
    client.force_login(team_leader)
    assert client.get("/staff/payments/report/").status_code == 403
    client.force_login(staff(Role.ADMINISTRATOR))
    assert client.get("/staff/payments/report.csv").status_code == 200
    client.logout()
    assert client.get("/staff/payments/report/").status_code == 302


def test_customer_payments_tag(paid, customer, staff, rf):
    from django.template import Context, Template

    payment = paid()
    request = rf.get("/")
    request.user = staff(Role.AGENT)
    html = Template("{% load payments %}{% customer_payments customer %}").render(
        Context({"request": request, "customer": customer})
    )
    assert payment.reference in html
    request.user = type("Anonymous", (), {"is_authenticated": False, "is_active": False})()
    html = Template("{% load payments %}{% customer_payments customer %}").render(
        Context({"request": request, "customer": customer})
    )
    assert "No payments." in html


def test_a_sensitive_services_payments_are_for_its_entitled_teams_only(
    client, paid, service, staff, team, council
):
    service.sensitivity = "sensitive"
    service.owning_team = team
    service.save()
    payment = paid()
    outsider = MembershipFactory(team=TeamFactory(organisation=council), role=Role.MANAGER).user
    assert payments_for_customer(user=outsider, customer=payment.customer) == []
    client.force_login(outsider)
    assert client.get(f"/staff/payments/{payment.reference}/").status_code == 404
    assert payments_for_customer(user=staff(Role.OFFICER), customer=payment.customer) == [payment]
