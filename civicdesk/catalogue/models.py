"""What the council does (LGSL-coded services) and what agents need to answer about it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.organisations.models import Organisation, Team


class Channel(models.TextChoices):
    """How a customer reaches the council. Shared by services, customers and contacts."""

    PHONE = "phone", _("Phone")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    SMS = "sms", _("SMS")
    PARTNER = "partner", _("Partner")
    API = "api", _("API")


class InteractionType(models.IntegerChoices):
    """The Local Government Interaction List (LGIL)."""

    APPLICATIONS = 0, _("Applications for service")
    BOOKING = 1, _("Booking venues, resources and courses")
    COLLECTING_REVENUE = 2, _("Collecting revenue")
    CONSULTATION = 3, _("Consultation")
    PAYING = 4, _("Paying for goods and services")
    PROCUREMENT = 5, _("Procurement")
    NETWORKS = 6, _("Providing access to community, professional or business networks")
    BENEFITS_AND_GRANTS = 7, _("Providing benefits and grants")
    INFORMATION = 8, _("Providing information")
    REGULATION = 9, _("Regulation")
    APPEALING = 10, _("Appealing")
    CHANGING_CIRCUMSTANCES = 11, _("Changing circumstances")
    STATUS_CHECKING = 12, _("Status checking")
    COMPLAINING = 13, _("Complaining")
    RENEWING = 14, _("Renewing")
    REPAIRING = 15, _("Repairing")
    REPLACING = 16, _("Replacing")
    REPORTING = 17, _("Reporting")
    ELIGIBILITY_CHECKING = 20, _("Entitlement or eligibility checking")
    APPOINTMENT_BOOKING = 21, _("Appointment booking")
    VENUE_BOOKING = 22, _("Venue or facility booking")
    RESERVING = 23, _("Reserving a resource")
    COURSE_BOOKING = 24, _("Course booking")
    STATUTORY_CONSULTATION = 25, _("Statutory consultation")
    DEMOCRATIC_CONSULTATION = 26, _("Democratic consultation")
    CUSTOMER_SURVEYS = 27, _("Customer surveys")
    ISSUING = 28, _("Issuing a licence, consent or permit")
    ENFORCEMENT = 29, _("Enforcement")
    EXEMPTION = 30, _("Application for exemption")
    NOTIFYING = 31, _("Notifying of incidents or instances")
    PERIODIC_RETURNS = 32, _("Providing periodic returns")
    TELL_US_ONCE = 33, _("Tell us once")
    LOCATE = 34, _("Locate")


class LgslService(models.Model):
    """One entry of the national Local Government Services List."""

    code = models.PositiveIntegerField(_("LGSL id"), primary_key=True)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = "LGSL service"

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def uri(self) -> str:
        return f"http://id.esd.org.uk/service/{self.code}"


class Sensitivity(models.TextChoices):
    """Who may see the details of contacts and cases for a service."""

    STANDARD = "standard", _("Standard")
    SENSITIVE = "sensitive", _("Sensitive: owning team and entitled teams only")
    SAFEGUARDING = "safeguarding", _("Safeguarding: named teams only")


class SlaUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("Working days")
    WORKING_HOURS = "working_hours", _("Working hours")


class Priority(models.TextChoices):
    """How urgent a case is; SLA targets may differ by priority."""

    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class RequestKind(models.TextChoices):
    """What a resident can ask of a service online; information-only services take no request."""

    PROBLEM = "problem", _("Report a problem")
    ENQUIRY = "enquiry", _("Ask a question")
    NONE = "none", _("Information only")


class Service(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    lgsl = models.ForeignKey(
        LgslService, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(_("plain-English name"), max_length=200)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    keywords = models.CharField(max_length=300, blank=True)
    owning_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    # Teams besides the owner entitled to see sensitive details.
    entitled_teams = models.ManyToManyField(Team, blank=True, related_name="entitled_services")
    sensitivity = models.CharField(
        max_length=20, choices=Sensitivity.choices, default=Sensitivity.STANDARD
    )
    # The default targets for every priority; SlaTarget rows override them per priority.
    sla_value = models.PositiveIntegerField(_("resolution target"), null=True, blank=True)
    sla_unit = models.CharField(
        max_length=20, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS
    )
    first_response_value = models.PositiveIntegerField(
        _("first response target"), null=True, blank=True
    )
    first_response_unit = models.CharField(
        max_length=20, choices=SlaUnit.choices, default=SlaUnit.WORKING_HOURS
    )
    # A new case for the same service at the same place within the window may be a duplicate.
    duplicate_window_days = models.PositiveIntegerField(
        default=14, help_text=_("Look back this many days for possible duplicates; 0 to stop.")
    )
    duplicate_radius_metres = models.PositiveIntegerField(
        default=50, help_text=_("Cases this close to each other may be about the same thing.")
    )
    channels = models.JSONField(default=list, blank=True, help_text=_("Channels enabled."))
    interaction_types = models.JSONField(_("LGIL interaction types"), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    # The public face of the service: the portal's A-Z, its page, and Open311 discovery.
    is_public = models.BooleanField(
        default=True, help_text=_("Listed in the A to Z and offered to Open311 clients.")
    )
    request_kind = models.CharField(
        max_length=10, choices=RequestKind.choices, default=RequestKind.NONE
    )
    allows_anonymous = models.BooleanField(
        default=False, help_text=_("Residents may report without giving contact details.")
    )
    group = models.CharField(
        max_length=100, blank=True, help_text=_("A heading in lists, such as Waste.")
    )
    how_online = models.TextField(_("how to do it online"), blank=True)
    how_by_phone = models.TextField(_("how to do it by phone"), blank=True)
    how_in_person = models.TextField(_("how to do it in person"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="service_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sensitive(self) -> bool:
        return self.sensitivity != Sensitivity.STANDARD


# What counts as electronic delivery for BVPI 157: the web, email, text messages and other
# systems; the phone and the counter count only where staff complete it on-line there and then.
ELECTRONIC_CHANNELS = frozenset({"web", "email", "sms", "api"})
ASSISTED_CHANNELS = frozenset({"phone", "face_to_face"})
BVPI_157_TYPES = tuple(range(10))  # LGIL 0 to 9: the ten interaction types BVPI 157 counts


class ServiceInteraction(models.Model):
    """How one LGIL interaction type of a service is done: on which channels, and whether staff
    on the phone or at the counter complete it on-line there and then. The e-enablement report
    (BVPI 157) reads these; a type listed on the service without a row counts as offered on the
    service's channels, with staff not completing it on-line."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="interactions")
    interaction_type = models.PositiveSmallIntegerField(choices=InteractionType.choices)
    channels = models.JSONField(default=list, blank=True)
    staff_complete_online = models.BooleanField(
        default=False,
        help_text=_("Staff taking it by phone or face to face update the records there and then."),
    )
    electronic_permitted = models.BooleanField(
        default=True,
        help_text=_("Untick where the law requires paper or attendance in person."),
    )

    class Meta:
        ordering = ["service", "interaction_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "interaction_type"], name="service_interaction_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_interaction_type_display()}"

    @property
    def is_e_enabled(self) -> bool:
        channels = set(self.channels)
        return bool(channels & ELECTRONIC_CHANNELS) or (
            self.staff_complete_online and bool(channels & ASSISTED_CHANNELS)
        )


class QuestionType(models.TextChoices):
    """The kinds of answer a service may ask for; the values are Open311's datatypes."""

    STRING = "string", _("Short text")
    TEXT = "text", _("Long text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    SINGLE_CHOICE = "singlevaluelist", _("One of a list")
    MULTIPLE_CHOICE = "multivaluelist", _("Any of a list")


class ServiceQuestion(models.Model):
    """A question a service asks when a request is made: on the portal, by an agent, and as an
    Open311 attribute. Answers are kept on the case under the question's code."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=50, help_text=_("Stable key for answers and Open311."))
    prompt = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    datatype = models.CharField(
        max_length=20, choices=QuestionType.choices, default=QuestionType.STRING
    )
    required = models.BooleanField(default=False)
    choices = models.JSONField(
        default=list,
        blank=True,
        help_text=_('For lists: [{"key": "glass", "name": "Broken glass"}, ...].'),
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="service_question_unique")
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def has_choices(self) -> bool:
        return self.datatype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)

    def clean(self) -> None:
        """A list question needs choices, each with a key and a name, keys unique."""
        if not self.has_choices:
            if self.choices:
                raise ValidationError({"choices": _("Only list questions have choices.")})
            return
        if not isinstance(self.choices, list) or not self.choices:
            raise ValidationError({"choices": _("Give the choices as a list.")})
        keys = []
        for choice in self.choices:
            if not isinstance(choice, dict) or not choice.get("key") or not choice.get("name"):
                raise ValidationError({"choices": _("Each choice needs a key and a name.")})
            keys.append(str(choice["key"]))
        if len(set(keys)) != len(keys):
            raise ValidationError({"choices": _("Each choice needs its own key.")})


class SlaTarget(models.Model):
    """The promise for one priority of a service, where it differs from the service's default."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sla_targets")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    first_response_value = models.PositiveIntegerField(null=True, blank=True)
    first_response_unit = models.CharField(
        max_length=20, choices=SlaUnit.choices, default=SlaUnit.WORKING_HOURS
    )
    resolution_value = models.PositiveIntegerField(null=True, blank=True)
    resolution_unit = models.CharField(
        max_length=20, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS
    )

    class Meta:
        ordering = ["service__name", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["service", "priority"], name="sla_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.get_priority_display()})"


class RoutingRule(models.Model):
    """Which team works a service's cases in an area: a ward, or (no ward) the whole council.

    The most specific rule wins; without any rule a case goes to the service's owning team.
    The team may belong to a partner organisation that does the work for the council.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="routing_rules")
    ward = models.ForeignKey(
        "places.Ward", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="routing_rules")

    class Meta:
        ordering = ["service__name", "ward__name"]
        # Two constraints rather than nulls_distinct=False, which SQLite does not enforce.
        constraints = [
            models.UniqueConstraint(fields=["service", "ward"], name="routing_rule_unique"),
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(ward__isnull=True),
                name="routing_rule_council_wide_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} in {self.ward or 'the council area'} -> {self.team}"


class KnowledgeArticle(models.Model):
    """What an agent needs to answer a caller about a service at the first point of contact."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="knowledge_articles"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="knowledge_articles"
    )
    question = models.CharField(max_length=300)
    answer = models.TextField()
    script = models.JSONField(
        default=list, blank=True, help_text=_("Steps for the agent, in order.")
    )
    last_reviewed_on = models.DateField(null=True, blank=True)
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["service__name", "question"]

    def __str__(self) -> str:
        return self.question
