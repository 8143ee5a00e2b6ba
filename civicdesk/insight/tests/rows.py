"""Monthly rollup rows made by hand, for tests that want known figures: each call writes the
full row and the summary rows the same figures give, as the rollups would."""

from typing import Any

from civicdesk.contacts.models import Outcome
from civicdesk.insight.models import (
    CaseMonth,
    CaseMonthSummary,
    ContactMonth,
    ContactMonthSummary,
    Dimension,
)


def _summary_keys(row: Any) -> list[dict]:
    return [
        {"dimension": Dimension.NONE},
        {"dimension": Dimension.SERVICE, "service_id": row.service_id},
        {"dimension": Dimension.WARD, "ward_id": row.ward_id},
        {"dimension": Dimension.TEAM, "team_id": row.team_id},
    ]


def contact_month(**fields: Any) -> ContactMonth:
    row = ContactMonth.objects.create(**fields)
    measures = {
        name: value
        for name, value in fields.items()
        if name not in ("organisation", "month", "channel", "outcome", "service", "ward", "team")
    }
    resolved = row.outcome == Outcome.RESOLVED
    measures |= {
        "resolved_first_time": row.contacts if resolved else 0,
        "resolved_and_necessary": row.contacts - row.avoidable if resolved else 0,
        "abandoned": row.contacts if row.outcome == Outcome.ABANDONED else 0,
    }
    for key in [*_summary_keys(row), {"dimension": Dimension.OUTCOME, "outcome": row.outcome}]:
        ContactMonthSummary.objects.create(
            organisation=row.organisation, month=row.month, channel=row.channel, **key, **measures
        )
    return row


def case_month(**fields: Any) -> CaseMonth:
    row = CaseMonth.objects.create(**fields)
    measures = {
        name: value
        for name, value in fields.items()
        if name not in ("organisation", "month", "channel", "service", "ward", "team")
    }
    for key in _summary_keys(row):
        CaseMonthSummary.objects.create(
            organisation=row.organisation, month=row.month, channel=row.channel, **key, **measures
        )
    return row
