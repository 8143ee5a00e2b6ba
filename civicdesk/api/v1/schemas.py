"""What the JSON API takes and gives. Inputs refuse text no database keeps: NUL characters and
lone UTF-16 surrogates, at any depth."""

import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, field_validator

from civicdesk.cases.models import CaseStatus, ResolutionCode
from civicdesk.catalogue.models import Channel
from civicdesk.contacts.models import AvoidableReason, Outcome


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)
ERRORS: dict[int, type[Schema]] = dict.fromkeys(ERROR_STATUSES, ErrorOut)


def _unstorable(value: Any) -> str:
    """Why text in `value`, or in the lists and objects inside it (a case's answers), cannot be
    kept: a NUL, or half of a UTF-16 pair ("\\ud800" in JSON), which PostgreSQL refuses."""
    waiting = [value]
    while waiting:
        item = waiting.pop()
        if isinstance(item, dict):
            waiting += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            waiting += item
        elif isinstance(item, str):
            if "\x00" in item:
                return "Remove the NUL characters."
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "Send text as UTF-8: some of this is not."
    return ""


def _in_utc(moment: datetime.datetime) -> datetime.datetime:
    """The same moment in UTC; one without an offset is the council's local time. A naive time
    cannot be compared with now, and PostgreSQL refuses offsets past 15:59 that Python reads."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00, before the first moment there is
        raise ValueError("Enter a date and time.") from None


Moment = Annotated[datetime.datetime, AfterValidator(_in_utc)]


class InSchema(Schema):
    @field_validator("*", mode="before")
    @classmethod
    def storable_text(cls, value: Any) -> Any:
        problem = _unstorable(value)
        if problem:
            raise ValueError(problem)
        return value


# Services


class ChoiceOut(Schema):
    key: str
    name: str


class QuestionOut(Schema):
    code: str
    prompt: str
    hint: str
    datatype: str
    required: bool
    choices: list[ChoiceOut]
    order: int


class ServiceOut(Schema):
    slug: str
    name: str
    description: str
    group: str
    is_public: bool
    request_kind: str
    allows_anonymous: bool
    is_sensitive: bool
    channels: list[str]


class ServiceDetailOut(ServiceOut):
    how_online: str
    how_by_phone: str
    how_in_person: str
    questions: list[QuestionOut]


class ServicePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ServiceOut]


# Customers


class AddressOut(Schema):
    uprn: int
    single_line: str


class CustomerOut(Schema):
    reference: str
    title: str
    forenames: str
    surname: str
    full_name: str
    date_of_birth: datetime.date | None
    email: str
    phone: str
    mobile: str
    preferred_channel: str
    address: AddressOut | None
    interpreter_language: str
    needs_large_print: bool
    needs_bsl: bool
    needs_easy_read: bool
    other_needs: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CustomerPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CustomerOut]


class CustomerPatch(InSchema):
    """Every field optional: only those sent change."""

    title: str | None = Field(None, max_length=20)
    forenames: str | None = Field(None, max_length=100)
    surname: str | None = Field(None, max_length=100)
    date_of_birth: datetime.date | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=30)
    mobile: str | None = Field(None, max_length=30)
    preferred_channel: Channel | None = None
    uprn: int | None = Field(None, ge=1, le=999_999_999_999)
    interpreter_language: str | None = Field(None, max_length=60)
    needs_large_print: bool | None = None
    needs_bsl: bool | None = None
    needs_easy_read: bool | None = None
    other_needs: str | None = Field(None, max_length=300)


class CustomerIn(CustomerPatch):
    forenames: str = Field(..., max_length=100)
    surname: str = Field(..., max_length=100)


# Cases


class ServiceRef(Schema):
    slug: str
    name: str


class TeamRef(Schema):
    slug: str
    name: str


class CaseSummaryOut(Schema):
    """What anyone who may see a case learns: no customer, description or place."""

    reference: str
    service: ServiceRef
    team: TeamRef
    status: str
    priority: str
    is_open: bool
    channel: str
    opened_at: datetime.datetime
    resolution_due_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseSummaryOut]


class AccessOut(Schema):
    may_chase: bool
    may_note: bool
    may_work: bool
    may_assign: bool


class LocationOut(Schema):
    address: AddressOut | None
    latitude: float | None
    longitude: float | None
    description: str
    ward: str


class EventOut(Schema):
    kind: str
    occurred_at: datetime.datetime
    actor: str
    text: str
    is_public: bool


class CaseDetailOut(CaseSummaryOut):
    description: str
    answers: dict[str, Any]
    customer: str | None
    location: LocationOut
    media_url: str
    assignee: str | None
    first_response_due_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    resolution_code: str
    access: AccessOut
    public_timeline: list[EventOut]
    internal_timeline: list[EventOut]


class ContactDetailsIn(InSchema):
    forenames: str = Field("", max_length=100)
    surname: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)


class CaseIn(InSchema):
    service: str = Field(..., max_length=100, description="The service's slug.")
    description: str = Field(..., max_length=4000)
    answers: dict[str, str | list[str]] = Field(default_factory=dict)
    customer: str | None = Field(None, max_length=16, description="A customer reference.")
    contact_details: ContactDetailsIn | None = None
    uprn: int | None = Field(None, ge=1, le=999_999_999_999)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    location_description: str = Field("", max_length=300)
    media_url: str = Field("", max_length=500)


class NoteIn(InSchema):
    text: str = Field(..., max_length=10_000)
    public: bool = Field(False, description="An update sent to the customer, not a note.")


class StatusIn(InSchema):
    status: CaseStatus
    note: str = Field("", max_length=10_000)


class CloseIn(InSchema):
    resolution_code: ResolutionCode | None = None
    message: str = Field("", max_length=10_000)
    final: bool = Field(True, description="Close; false to mark it resolved.")


# Contacts


class ContactOut(Schema):
    id: int
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    channel: str
    restricted: bool
    customer: str | None
    service: ServiceRef | None
    outcome: str | None
    avoidable_reason: str | None
    notes: str | None
    agent: str | None


class ContactPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ContactOut]


class ContactIn(InSchema):
    channel: Channel
    outcome: Outcome
    customer: str | None = Field(None, max_length=16, description="A customer reference.")
    service: str | None = Field(None, max_length=100, description="The service's slug.")
    avoidable_reason: AvoidableReason | None = None
    notes: str = Field("", max_length=10_000)
    started_at: Moment | None = None
    ended_at: Moment | None = None
