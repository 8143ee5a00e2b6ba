"""E-forms built by administrators, the eligibility rules that decide them, and applications.

A form is edited as a draft version; publishing freezes it, and every application keeps the
version it was started on, so changing a form never changes what a resident answered. Rules are
data (expressions in the small language of `forms.rules`), versioned and dated the same way.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Service
from civicdesk.organisations.models import Organisation
from civicdesk.people.models import Customer, Representative


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class EligibilityRules(models.Model):
    """One version of a set of eligibility rules, e.g. the Blue Badge criteria as of a date.

    `definition` is the rule set (see `forms.rules`): requirements, rules with outcomes and
    reasons, each rule optionally dated, and a default outcome. Checked by
    `forms.rules.check_rule_set` before it is saved; frozen once published.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    source = models.CharField(
        max_length=500, blank=True, help_text=_("Where the criteria come from (a URL).")
    )
    definition = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility rules")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code", "version"], name="eligibility_rules_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Form(models.Model):
    """An e-form for one service, e.g. "Apply for a Blue Badge". Its questions are versioned."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="forms")
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200, help_text=_("e.g. Apply for a Blue Badge"))
    summary = models.TextField(blank=True, help_text=_("Shown on the form's start page."))
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="form_slug")]

    def __str__(self) -> str:
        return self.title


class FormVersion(models.Model):
    """The pages and questions of a form at one time; a draft until published, then frozen."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # The fee in pence, taken online before the application is submitted; 0 for none.
    fee_pence = models.PositiveIntegerField(default=0)
    # What is granted lasts this long (a Blue Badge up to three years); empty if it does not end.
    grant_valid_for_days = models.PositiveIntegerField(null=True, blank=True)
    eligibility_code = models.SlugField(
        max_length=60,
        blank=True,
        help_text=_("The code of the eligibility rules to apply; the version in force applies."),
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="form_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.form} (version {self.number})"


class FormPage(models.Model):
    """One page of a form: one thing per page where it helps. Shown only if `show_if` holds."""

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    hint = models.TextField(blank=True)
    show_if = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("A condition on earlier answers, e.g. has_pip == True"),
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="form_page_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes or no")
    SINGLE_CHOICE = "single_choice", _("One of a list")
    MULTIPLE_CHOICE = "multiple_choice", _("Any of a list")
    ADDRESS = "address", _("Address from the gazetteer")
    FILE = "file", _("File upload")
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")


class FormQuestion(models.Model):
    """A question on a page. Its `code` names the answer for conditions and eligibility rules."""

    page = models.ForeignKey(FormPage, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    code = models.SlugField(max_length=60, help_text=_("Letters, digits and underscores."))
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    label = models.CharField(max_length=300)
    hint = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    # [{"key": "higher", "label": "Higher rate"}, ...] for choice questions.
    choices = models.JSONField(default=list, blank=True)
    # Numbers: the smallest and largest allowed; text: the shortest and longest; dates: years
    # before and after today (e.g. a date of birth: min -120, max 0).
    minimum = models.IntegerField(null=True, blank=True)
    maximum = models.IntegerField(null=True, blank=True)
    show_if = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Not yet sent")
    AWAITING_PAYMENT = "awaiting_payment", _("Waiting for payment")
    SUBMITTED = "submitted", _("Sent")
    MORE_INFORMATION = "more_information", _("More information needed")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """A resident's application on one version of a form: saved as they go, then submitted,
    when it becomes a case routed like any other and is decided on the case."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="applications"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    representative = models.ForeignKey(
        Representative, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who filled it in: the resident's or representative's sign-in, or the agent for a caller.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20)
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )
    # The rules' verdict when submitted: {"outcome", "reasons": [...], "rules": code, "version"}.
    assessment = models.JSONField(default=dict, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reasons = models.TextField(blank=True)
    # What the officer last asked the resident for; kept after it is answered.
    information_requested = models.TextField(blank=True)
    information_requested_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    # When the "time to renew" message was sent: it is sent once.
    renewal_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-started_at"], name="application_customer_idx"),
            models.Index(fields=["status", "expires_on"], name="application_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.form_version.form} for {self.customer or 'someone'}"


class Evidence(models.Model):
    """A file given in answer to a file question: proof of benefit, a photo for the badge."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    question_code = models.SlugField(max_length=60)
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The copy on the case once the application is sent: officers download it from there.
    attachment = models.OneToOneField(
        "cases.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.original_name
