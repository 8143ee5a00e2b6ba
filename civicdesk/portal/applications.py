"""Who is applying on the portal, and which applications they may open.

Three kinds of people apply: a resident with a confirmed portal account, someone acting for a
resident (an intermediary, see portal.views.representing), and a member of staff for a caller
(assisted digital: `?customer=` as the request journey takes it). Every check is made here on
the server, on every request; the forms app's services do every write.
"""

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from civicdesk.catalogue.models import Channel
from civicdesk.forms import runner
from civicdesk.forms.models import Application, ApplicationStatus, Form, FormPage
from civicdesk.forms.selectors import application_for_resident, public_forms, published_version
from civicdesk.organisations.models import Organisation
from civicdesk.people import accounts
from civicdesk.people.models import Customer, Representative
from civicdesk.people.selectors import customer_for_user
from civicdesk.portal.journey import may_assist
from civicdesk.portal.views.representing import acting_representation

EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.AWAITING_PAYMENT)
SENT = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.MORE_INFORMATION,
    ApplicationStatus.APPROVED,
    ApplicationStatus.REFUSED,
    ApplicationStatus.WITHDRAWN,
)
UNDECIDED = (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFORMATION)


class SignInNeeded(Exception):
    """Nobody is signed in: the view sends them to sign in and back."""


class NotVerified(Exception):
    """The resident has not confirmed their email address yet."""


class NotCovered(Exception):
    """Acting for someone whose consent does not cover this service."""

    def __init__(self, representative: Representative) -> None:
        super().__init__("The consent does not cover this service.")
        self.representative = representative


@dataclass(frozen=True)
class Applicant:
    """Who is applying: the signed-in person, for whom, and how they are in touch."""

    actor: Any
    customer: Customer
    representative: Representative | None
    channel: str
    assisted: bool


def public_form(council: Organisation, slug: str) -> Form:
    """A form the public may apply for now; 404 for an unknown, inactive or unpublished one."""
    form = public_forms(council).filter(slug=slug).first()
    if form is None or published_version(form) is None:
        raise Http404("No such form.")
    return form


def assisted_reference(request: HttpRequest) -> str:
    return (request.GET.get("customer") or request.POST.get("customer") or "").strip()


def applicant_for(request: HttpRequest, council: Organisation, form: Form) -> Applicant:
    """Who would apply for `form` from this request; raises SignInNeeded, NotVerified,
    NotCovered or Http404 when nobody may."""
    user = request.user
    if not user.is_authenticated:
        raise SignInNeeded
    reference = assisted_reference(request)
    if reference:
        if not may_assist(user, council):
            raise Http404("No such customer.")
        customer = customer_for_user(user=user, reference=reference)
        return Applicant(user, customer, None, Channel.PHONE, True)
    account = accounts.account_for(user)
    if account is None:
        raise Http404("Staff apply for a caller from the customer's record.")
    representative = acting_representation(request)
    if representative is not None:
        if not representative.may_act_for(form.service):
            raise NotCovered(representative)
        return Applicant(user, representative.customer, representative, Channel.WEB, False)
    if not account.is_verified:
        raise NotVerified
    customer = account.customer
    while customer.merged_into_id:
        customer = customer.merged_into
    return Applicant(user, customer, None, Channel.WEB, False)


def application_for(request: HttpRequest, council: Organisation, pk: int) -> Application:
    """The application `pk` if the signed-in person may open it: 404 otherwise.

    A resident (or someone acting for them) goes through the forms app's access selector; a
    member of staff may open an application they started for a caller they may still see.
    """
    user = request.user
    if not user.is_authenticated:
        raise SignInNeeded
    if accounts.account_for(user) is not None:
        application = application_for_resident(user=user, pk=pk)
    else:
        if not may_assist(user, council):
            raise Http404("No such application.")
        application = (
            Application.objects.filter(pk=pk, organisation=council, started_by=user)
            .exclude(customer=None)
            .select_related("customer")
            .first()
        )
        if application is None:
            raise Http404("No such application.")
        customer_for_user(user=user, reference=application.customer.reference)
    if application.organisation_id != council.pk:
        raise Http404("No such application.")
    return application


def is_assisted(request: HttpRequest) -> bool:
    """Whether the signed-in person is staff using the portal for a caller."""
    return request.user.is_authenticated and accounts.account_for(request.user) is None


def page_url(application: Application, number: int) -> str:
    slug = application.form_version.form.slug
    return reverse("portal:apply-page", args=[slug, application.pk, number])


def check_url(application: Application) -> str:
    return reverse("portal:apply-check", args=[application.form_version.form.slug, application.pk])


def continue_url(application: Application) -> str:
    """Where a draft picks up again: the first page with a missing answer, else the check
    page (the first page if nothing has been answered yet)."""
    today = timezone.localdate()
    version = application.form_version
    if application.status not in EDITABLE:
        return reverse("portal:account-application", args=[application.pk])
    missing = runner.missing(version, application.answers, on=today)
    if missing:
        return page_url(application, missing[0].number)
    first = runner.next_page(version, application.answers, on=today, after=None)
    if not application.answers and first is not None:
        return page_url(application, first.number)
    return check_url(application)


def visible_page(application: Application, number: int) -> FormPage:
    """Page `number` of the application's form if it shows with the answers so far."""
    today = timezone.localdate()
    for page in runner.visible_pages(application.form_version, application.answers, on=today):
        if page.number == number:
            return page
    raise Http404("No such page.")


def fee_in_pounds(pence: int) -> str:
    if pence % 100 == 0:
        return f"£{pence // 100}"
    return f"£{pence // 100}.{pence % 100:02d}"


def evidence_questions(form_version: Any) -> list[Any]:
    """The file questions of a version: what evidence the start page says to have ready."""
    from civicdesk.forms.models import FormQuestion, QuestionKind

    return list(
        FormQuestion.objects.filter(page__version=form_version, kind=QuestionKind.FILE).order_by(
            "page__number", "order", "pk"
        )
    )
