"""Reads about payments, with the access rules applied."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from civicdesk.cases.policy import staff_member
from civicdesk.cases.selectors import services_withheld
from civicdesk.organisations.models import Membership, Organisation, Role
from civicdesk.organisations.selectors import has_role
from civicdesk.payments.models import Payment, PaymentStatus, RefundStatus, pounds
from civicdesk.payments.services import REFUND_ROLES, hash_secret, remaining_pence

REPORT_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)


def payment_for_return(*, secret: str) -> Payment:
    """The payment whose return URL carries `secret`; 404 for anything else."""
    if not secret or len(secret) > 100:
        raise Http404("No such payment.")
    payment = (
        Payment.objects.select_related("service", "customer")
        .filter(return_secret_hash=hash_secret(secret))
        .first()
    )
    if payment is None:
        raise Http404("No such payment.")
    return payment


def _organisation_ids(user: Any) -> set[int] | None:
    """The council whose payments the user may see: their own, as for cases; None for every
    one (superusers); none for partner agencies' staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    member = staff_member(user)
    if member.is_partner or member.organisation_id is None:
        return set()
    return {member.organisation_id}


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    """A council's staff see its payments; partner agencies see none. A payment for a
    sensitive service is seen only by the teams entitled to that service's details, as its
    cases are: what someone paid for can say as much as the case."""
    organisations = _organisation_ids(user)
    found = Payment.objects.select_related("service", "customer", "organisation")
    if organisations is None:
        return found
    member = staff_member(user)
    withheld = [
        pk for organisation_id in organisations for pk in services_withheld(member, organisation_id)
    ]
    return found.filter(organisation_id__in=organisations).exclude(service_id__in=withheld)


def payment_for_user(*, user: Any, reference: str) -> Payment:
    payment = payments_visible_to(user).filter(reference=reference.strip().upper()).first()
    if payment is None:
        raise Http404("No payment with that reference.")
    return payment


def payments_for_customer(*, user: Any, customer: Any) -> list[Payment]:
    """The customer's payments, newest first, for the single view."""
    return list(payments_visible_to(user).filter(customer=customer).order_by("-created_at")[:50])


def payments_for_purpose(*, purpose: str, purpose_reference: str) -> QuerySet[Payment]:
    """For other apps (no access rule: they apply their own to what the payment is for)."""
    return Payment.objects.filter(purpose=purpose, purpose_reference=str(purpose_reference))


def may_refund(*, user: Any, payment: Payment) -> bool:
    return has_role(user, *REFUND_ROLES, organisation=payment.organisation)


def may_see_report(*, user: Any, organisation: Organisation) -> bool:
    return has_role(user, *REPORT_ROLES, organisation=organisation)


def report_organisation(user: Any) -> Organisation | None:
    """The council whose report the user may read: their first as a manager or administrator."""
    if user is None or not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(user=user, role__in=REPORT_ROLES)
        .select_related("organisation")
        .order_by("joined_on", "pk")
        .first()
    )
    return membership.organisation if membership else None


def refund_summary(payment: Payment) -> dict[str, Any]:
    remaining = remaining_pence(payment)
    return {
        "remaining_pence": remaining,
        "remaining": pounds(remaining),
        "refunds": list(payment.refunds.select_related("requested_by")),
        "can_refund": payment.status == PaymentStatus.SUCCESS and remaining > 0,
    }


@dataclass
class ReportRow:
    service: str
    status: str
    status_label: str
    count: int
    amount_pence: int
    refunded_pence: int

    @property
    def amount(self) -> str:
        return pounds(self.amount_pence)

    @property
    def refunded(self) -> str:
        return pounds(self.refunded_pence)


@dataclass
class Report:
    organisation: Organisation
    day: datetime.date
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(row.count for row in self.rows)

    @property
    def amount_pence(self) -> int:
        return sum(row.amount_pence for row in self.rows)

    @property
    def taken_pence(self) -> int:
        return sum(row.amount_pence for row in self.rows if row.status == PaymentStatus.SUCCESS)

    @property
    def refunded_pence(self) -> int:
        return sum(row.refunded_pence for row in self.rows)

    @property
    def taken(self) -> str:
        return pounds(self.taken_pence)

    @property
    def refunded(self) -> str:
        return pounds(self.refunded_pence)

    @property
    def net(self) -> str:
        return pounds(self.taken_pence - self.refunded_pence)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight in the council's time zone (UK time)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def daily_report(*, organisation: Organisation, day: datetime.date) -> Report:
    """Payments started on `day`, by service and status: how many, how much, how much refunded.
    The caller checks `may_see_report` first."""
    start, end = day_bounds(day)
    grouped = (
        Payment.objects.filter(organisation=organisation, created_at__gte=start, created_at__lt=end)
        .values("service__name", "status")
        .annotate(
            count=Count("pk", distinct=True),
            amount=Sum("amount_pence", distinct=False),
        )
        .order_by("service__name", "status")
    )
    refunded = dict(
        (
            (item["service__name"], item["status"]),
            item["total"] or 0,
        )
        for item in Payment.objects.filter(
            organisation=organisation, created_at__gte=start, created_at__lt=end
        )
        .values("service__name", "status")
        .annotate(total=Sum("refunds__amount_pence", filter=~Q(refunds__status=RefundStatus.ERROR)))
    )
    labels = dict(PaymentStatus.choices)
    report = Report(organisation=organisation, day=day)
    for item in grouped:
        key = (item["service__name"], item["status"])
        report.rows.append(
            ReportRow(
                service=item["service__name"] or "",
                status=item["status"],
                status_label=str(labels.get(item["status"], item["status"])),
                count=item["count"],
                amount_pence=item["amount"] or 0,
                refunded_pence=refunded.get(key, 0),
            )
        )
    return report


def report_csv_rows(report: Report) -> list[list[str]]:
    """The CSV: a header, one line per service and status, and a total line. Pounds with two
    decimals and no symbol, for spreadsheets."""

    def money(pence: int) -> str:
        return f"{pence // 100}.{pence % 100:02d}"

    lines = [["date", "service", "status", "payments", "amount_gbp", "refunded_gbp"]]
    for row in report.rows:
        lines.append(
            [
                report.day.isoformat(),
                _cell(row.service or "(no service)"),
                row.status,
                str(row.count),
                money(row.amount_pence),
                money(row.refunded_pence),
            ]
        )
    lines.append(
        [
            report.day.isoformat(),
            "(total)",
            "",
            str(report.count),
            money(report.amount_pence),
            money(report.refunded_pence),
        ]
    )
    return lines


def _cell(text: str) -> str:
    """A spreadsheet must not run a service's name as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
