"""Cases: the work a contact leaves behind, with its status, team, SLA clocks and timeline.

Clock fields are stored, not computed on read: the queue sorts by them and the escalation
sweep finds what is due with an index range instead of working out every open case's clock.
`cases.services` is the only code that moves them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Channel, Priority, Service
from civicdesk.contacts.models import Contact
from civicdesk.organisations.models import Organisation, Team
from civicdesk.people.models import Customer
from civicdesk.places.models import Address, Ward


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting for a third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


# Where a case may go from each status. Closing and reopening have their own services.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPEN: frozenset(
        {CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER,
         CaseStatus.WAITING_THIRD_PARTY, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.ASSIGNED: frozenset(
        {CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER,
         CaseStatus.WAITING_THIRD_PARTY, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.IN_PROGRESS: frozenset(
        {CaseStatus.WAITING_CUSTOMER, CaseStatus.WAITING_THIRD_PARTY, CaseStatus.RESOLVED,
         CaseStatus.CLOSED}
    ),
    CaseStatus.WAITING_CUSTOMER: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_THIRD_PARTY, CaseStatus.RESOLVED,
         CaseStatus.CLOSED}
    ),
    CaseStatus.WAITING_THIRD_PARTY: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED,
         CaseStatus.CLOSED}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.REOPENED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
    CaseStatus.REOPENED: frozenset(
        {CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER,
         CaseStatus.WAITING_THIRD_PARTY, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
}  # fmt: skip

FINISHED_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})


class ResolutionCode(models.TextChoices):
    DONE = "done", _("Done: the council put it right")
    INFORMATION_GIVEN = "information_given", _("Information or advice given")
    NO_ACTION_NEEDED = "no_action_needed", _("Inspected: no action needed")
    NOT_COUNCILS_RESPONSIBILITY = "not_responsible", _("Not the council's responsibility")
    DUPLICATE = "duplicate", _("Duplicate of another case")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")
    NO_CONTACT = "no_contact", _("Could not contact the customer")


class SlaClockPolicy(models.Model):
    """Which statuses pause the SLA clocks and which stop them, for one organisation.

    Without a row, waiting for the customer pauses and resolved or closed stops.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sla_clock_policy"
    )
    pausing_statuses = models.JSONField(default=list)
    stopping_statuses = models.JSONField(default=list)

    class Meta:
        verbose_name = "SLA clock policy"
        verbose_name_plural = "SLA clock policies"

    def __str__(self) -> str:
        return f"SLA clocks for {self.organisation}"


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(is_open=True)

    def for_team(self, team: Team | int) -> "CaseQuerySet":
        return self.filter(team=team)

    def running(self) -> "CaseQuerySet":
        """Open cases whose clocks are not paused."""
        return self.filter(is_open=True, clock_paused_at__isnull=True)

    def breaching_sla(self) -> "CaseQuerySet":
        return self.exclude(resolution_breached_at__isnull=True)


class Case(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    # Derived from the id, so set just after the insert: NULL until then keeps it unique.
    reference = models.CharField(max_length=16, unique=True, null=True, editable=False)  # noqa: DJ001
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # Other customers who reported the same thing and are told when it is put right.
    followers = models.ManyToManyField(Customer, blank=True, related_name="followed_cases")
    source_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases_raised"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    description = models.TextField()
    attributes = models.JSONField(default=dict, blank=True)
    # Where: a gazetteer address, or a point and a description (a lamp post, a stretch of path).
    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location_description = models.CharField(max_length=300, blank=True)
    # A photo the reporter's own system holds (Open311 media_url). The database default keeps
    # the bulk seeders' raw inserts working.
    media_url = models.URLField(max_length=500, blank=True, default="", db_default="")
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    is_open = models.BooleanField(default=True, editable=False)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution_code = models.CharField(max_length=30, choices=ResolutionCode.choices, blank=True)
    chase_count = models.PositiveIntegerField(default=0)
    linked_report_count = models.PositiveIntegerField(default=0)

    opened_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # The two SLA clocks. Due times move later by the working time spent paused or stopped.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(
        null=True, blank=True, help_text=_("75% of the resolution target: warn the team leader.")
    )
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    paused_working_seconds = models.PositiveIntegerField(default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            # The team queue, soonest due first.
            models.Index(fields=["team", "is_open", "resolution_due_at"], name="case_queue_idx"),
            # ... and newest first.
            models.Index(fields=["team", "is_open", "opened_at"], name="case_queue_opened_idx"),
            models.Index(fields=["assignee", "is_open"], name="case_assignee_idx"),
            models.Index(fields=["customer", "-opened_at"], name="case_customer_idx"),
            models.Index(fields=["service", "-opened_at"], name="case_service_idx"),
            models.Index(fields=["address", "service"], name="case_address_idx"),
            models.Index(fields=["organisation", "opened_at"], name="case_org_time_idx"),
            # Management information: cases resolved on a day, and the backlog (still unresolved).
            models.Index(fields=["organisation", "resolved_at"], name="case_org_resolved_idx"),
            models.Index(
                fields=["organisation", "opened_at"],
                name="case_unresolved_idx",
                condition=Q(resolved_at__isnull=True),
            ),
            # The escalation sweep: only cases still to be warned or marked are in these.
            models.Index(
                fields=["resolution_warn_at"],
                name="case_warn_due_idx",
                condition=Q(is_open=True, warned_at__isnull=True),
            ),
            models.Index(
                fields=["resolution_due_at"],
                name="case_breach_due_idx",
                condition=Q(is_open=True, resolution_breached_at__isnull=True),
            ),
            models.Index(
                fields=["first_response_due_at"],
                name="case_response_due_idx",
                condition=Q(
                    is_open=True,
                    first_response_at__isnull=True,
                    first_response_breached_at__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.service}"

    @property
    def is_paused(self) -> bool:
        return self.clock_paused_at is not None and self.is_open

    @property
    def where(self) -> str:
        """The location in words, for lists and messages."""
        if self.address_id:
            return self.address.single_line
        return self.location_description


class EventKind(models.TextChoices):
    RAISED = "raised", _("Case raised")
    ASSIGNED = "assigned", _("Assigned")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    NOTE = "note", _("Internal note")
    PUBLIC_UPDATE = "public_update", _("Update for the customer")
    ATTACHMENT = "attachment", _("Attachment added")
    CLOCK_PAUSED = "clock_paused", _("SLA clock paused")
    CLOCK_RESUMED = "clock_resumed", _("SLA clock resumed")
    SLA_WARNING = "sla_warning", _("SLA warning")
    FIRST_RESPONSE_BREACHED = "first_response_breached", _("First response target missed")
    RESOLUTION_BREACHED = "resolution_breached", _("Resolution target missed")
    CHASED = "chased", _("Chased")
    DUPLICATE_LINKED = "duplicate_linked", _("Another report linked")
    REFERRED = "referred", _("Referred")
    REFERRAL_ACKNOWLEDGED = "referral_acknowledged", _("Referral acknowledged")
    REFERRAL_COMPLETED = "referral_completed", _("Referral completed")
    REFERRAL_DECLINED = "referral_declined", _("Referral declined")
    REFERRAL_NOTE = "referral_note", _("Note on a referral")
    MESSAGE_SENT = "message_sent", _("Message sent")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REPORTER_UPDATE = "reporter_update", _("Update from the reporter")


class CaseEvent(models.Model):
    """One line of a case's timeline. Appended by services, never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    # Public updates and closure messages are the customer's to see, e.g. on "track a request".
    is_public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_events"
    )
    referral = models.ForeignKey(
        "Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["case", "occurred_at"], name="case_event_idx"),
            # Open311's servicerequestupdates and the API's updated_since ask by time alone.
            models.Index(fields=["occurred_at"], name="case_event_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file on a case: a photo of the fly-tip, a tenancy agreement. Served only through a view
    that checks the reader may see the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.OneToOneField(
        CaseEvent, null=True, on_delete=models.SET_NULL, related_name="attachment"
    )
    file = models.FileField(upload_to="cases/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be acknowledged")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReferralQuerySet(models.QuerySet):
    def active(self) -> "ReferralQuerySet":
        return self.filter(status__in=[ReferralStatus.PENDING, ReferralStatus.ACKNOWLEDGED])

    def to_team(self, team: Team | int) -> "ReferralQuerySet":
        return self.filter(to_team=team)


class Referral(models.Model):
    """A case, or the part of it described in `scope`, handed to another team or a partner.

    The receiving team sees the scope, the location, the shared attachments and this
    referral's own notes; the rest of the case stays with the council.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals_made")
    to_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals_received")
    scope = models.TextField(help_text=_("What the receiving team is asked to do."))
    shared_attachments = models.ManyToManyField(Attachment, blank=True, related_name="+")
    share_customer_details = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    referred_at = models.DateTimeField()
    acknowledge_due_at = models.DateTimeField()
    due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    acknowledge_breached_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_at", "-id"]
        indexes = [
            models.Index(fields=["to_team", "status", "due_at"], name="referral_queue_idx"),
            models.Index(
                fields=["acknowledge_due_at"],
                name="referral_ack_due_idx",
                condition=Q(status="pending", acknowledge_breached_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="referral_due_idx",
                condition=Q(status__in=["pending", "acknowledged"], breached_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} to {self.to_team}"

    @property
    def is_active(self) -> bool:
        return self.status in (ReferralStatus.PENDING, ReferralStatus.ACKNOWLEDGED)


class AssignmentCursor(models.Model):
    """Where round-robin assignment got to in a team."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="+")
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Round robin in {self.team}"
