"""Applying on the portal: the forms on offer, a start page, one page per form page, check
your answers, paying, and the confirmation; and in "Your account", answering a request for
more information and withdrawing. forms.applications does every write."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from civicdesk.forms import applications as services
from civicdesk.forms import runner
from civicdesk.forms.models import Application, ApplicationStatus
from civicdesk.forms.selectors import applications_for_account, public_forms, published_version
from civicdesk.payments.clients import PayError
from civicdesk.payments.models import PaymentStatus
from civicdesk.payments.selectors import payment_for_return, payments_for_purpose
from civicdesk.payments.services import refresh_payment
from civicdesk.portal import applications as applying
from civicdesk.portal.council import portal_council
from civicdesk.portal.forms import MultipleFileField, MultipleFileInput
from civicdesk.portal.promises import promise_sentences
from civicdesk.portal.views.representing import account_required

PURPOSE = "application"


def _sign_in(request: HttpRequest) -> HttpResponse:
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('portal:sign-in')}?{query}")


def _application_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Loads the application from the address, with every access check: `slug` must be its
    form, and the signed-in person must be allowed to open it."""

    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, pk: int, *args: Any, **kwargs: Any) -> Any:
        council = portal_council()
        try:
            application = applying.application_for(request, council, pk)
        except applying.SignInNeeded:
            return _sign_in(request)
        if application.form_version.form.slug != slug:
            raise Http404("No such application.")
        return view(request, application, *args, **kwargs)

    return wrapped


def _context(request: HttpRequest, application: Application, **extra: Any) -> dict[str, Any]:
    """What every application page shows; `customer` only for staff applying for a caller."""
    form = application.form_version.form
    return {
        "application": application,
        "form_definition": form,
        "service": form.service,
        "customer": application.customer if applying.is_assisted(request) else None,
        **extra,
    }


# The forms on offer and a form's start page.


@require_GET
def apply_list(request: HttpRequest) -> HttpResponse:
    council = portal_council()
    offered = []
    for form in public_forms(council):
        version = published_version(form)
        fee = version.fee_pence if version else 0
        offered.append({"form": form, "fee": applying.fee_in_pounds(fee) if fee else ""})
    customer = applying.assisted_reference(request)
    return render(
        request,
        "portal/applications/list.html",
        {"offered": offered, "customer_reference": customer},
    )


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    council = portal_council()
    form = applying.public_form(council, slug)
    version = published_version(form)
    assert version is not None  # public_form checked
    context: dict[str, Any] = {
        "form_definition": form,
        "service": form.service,
        "version": version,
        "fee": applying.fee_in_pounds(version.fee_pence) if version.fee_pence else "",
        "evidence": applying.evidence_questions(version),
        "promises": promise_sentences(form.service),
        "customer_reference": applying.assisted_reference(request),
        "signed_in": request.user.is_authenticated,
        "drafts": [],
    }
    try:
        applicant = applying.applicant_for(request, council, form)
    except applying.SignInNeeded:
        if request.method == "POST":
            return _sign_in(request)
        context["sign_in_url"] = (
            f"{reverse('portal:sign-in')}?{urlencode({'next': request.get_full_path()})}"
        )
        return render(request, "portal/applications/start.html", context)
    except applying.NotVerified:
        return render(request, "portal/applications/not_verified.html", context, status=403)
    except applying.NotCovered as refused:
        context["representative"] = refused.representative
        return render(request, "portal/applications/not_covered.html", context, status=403)
    context["applicant"] = applicant
    if not applicant.assisted:
        context["drafts"] = [
            draft
            for draft in applications_for_account(user=request.user).filter(
                form_version__form=form,
                status__in=applying.EDITABLE,
                customer=applicant.customer,
            )[:5]
        ]
    if request.method == "POST":
        try:
            application = services.start_application(
                actor=applicant.actor,
                form=form,
                customer=applicant.customer,
                representative=applicant.representative,
                channel=applicant.channel,
            )
        except ValidationError:
            raise Http404("This form cannot be applied for now.") from None
        return redirect(applying.continue_url(application))
    for draft in context["drafts"]:
        draft.continue_url = applying.continue_url(draft)
    return render(request, "portal/applications/start.html", context)


# One page of the form.


class _RemoveForm(forms.Form):
    remove = forms.IntegerField()


def _file_list(application: Application, page_questions: list[Any]) -> list[dict[str, Any]]:
    codes = {q.code: q.label for q in page_questions if q.kind == "file"}
    return [
        {"evidence": evidence, "question": codes[evidence.question_code]}
        for evidence in application.evidence.filter(question_code__in=codes).order_by("pk")
    ]


def _add_service_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for code, problems in error.message_dict.items():
            form.add_error(code if code in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _partial_answers(form: Any) -> dict[str, Any]:
    """The answers on a page that are right so far, for "Save and come back later"."""
    cleaned = getattr(form, "cleaned_data", {})
    return {
        question.code: cleaned[question.code]
        for question in form.questions
        if question.kind != "file"
        and question.code not in form.errors
        and question.code in cleaned
        and question.code not in form.hidden_now
    }


def _saved(request: HttpRequest, application: Application) -> HttpResponse:
    messages.success(
        request,
        _("Your application has been saved. You can come back to it from your account."),
    )
    if applying.is_assisted(request) and application.customer is not None:
        return redirect("console:customer", application.customer.reference)
    return redirect("portal:account")


@require_http_methods(["GET", "POST"])
@_application_view
def page(request: HttpRequest, application: Application, number: int) -> HttpResponse:
    if application.status not in applying.EDITABLE:
        return redirect(applying.continue_url(application))
    today = timezone.localdate()
    version = application.form_version
    form_page = applying.visible_page(application, number)
    back_to_check = request.GET.get("return") == "check"
    if request.method == "POST" and "remove" in request.POST:
        removing = _RemoveForm(request.POST)
        if removing.is_valid():
            try:
                services.remove_evidence(
                    actor=request.user,
                    application=application,
                    evidence_id=removing.cleaned_data["remove"],
                )
            except ValidationError as error:  # e.g. removed already, from another tab
                messages.info(request, " ".join(error.messages))
            else:
                messages.success(request, _("The file has been removed."))
        return redirect(request.get_full_path())
    posted = request.method == "POST"
    form = runner.page_form(
        form_page,
        application.answers,
        on=today,
        data=request.POST if posted else None,
        files=request.FILES if posted else None,
    )
    action = request.POST.get("action") if posted else None
    saving_for_later = action == "save"
    if action == "find":  # the addresses at a postcode: only the postcode's errors count
        form.is_valid()
        for name in [name for name in form.errors if not name.endswith("__postcode")]:
            del form.errors[name]
    elif posted and form.is_valid():
        try:
            application = services.save_answers(
                actor=request.user,
                application=application,
                page=form_page,
                answers=form.cleaned_answers(),
                files=form.uploaded_files(),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if saving_for_later:
                return _saved(request, application)
            return redirect(_after(application, form_page, back_to_check))
    elif saving_for_later:
        try:
            application = services.save_answers(
                actor=request.user,
                application=application,
                page=form_page,
                answers=_partial_answers(form),
            )
        except ValidationError:
            return redirect(applying.continue_url(application))
        return _saved(request, application)
    previous = runner.previous_page(version, application.answers, on=today, before=form_page)
    if back_to_check:
        back_url = applying.check_url(application)
    elif previous is not None:
        back_url = applying.page_url(application, previous.number)
    else:
        back_url = reverse("portal:apply-start", args=[version.form.slug])
    return render(
        request,
        "portal/applications/page.html",
        _context(
            request,
            application,
            form=form,
            page=form_page,
            title=form_page.title,
            back_url=back_url,
            files=_file_list(application, form.questions),
            single_question=len(form.questions) == 1 and form.questions[0].kind != "address",
        ),
    )


def _after(application: Application, form_page: Any, back_to_check: bool) -> str:
    """Where Continue goes: the same page if it now asks more, the check page when changing
    an answer from it (unless a page now shows that needs answering), else the next page."""
    today = timezone.localdate()
    version = application.form_version
    following = runner.next_page(version, application.answers, on=today, after=form_page)
    if following is not None and following.pk == form_page.pk:
        return applying.page_url(application, following.number)
    if back_to_check:
        missing = runner.missing(version, application.answers, on=today)
        if missing:
            return applying.page_url(application, missing[0].number)
        return applying.check_url(application)
    if following is None:
        return applying.check_url(application)
    return applying.page_url(application, following.number)


# Check your answers, paying and sending.


def _latest_payment(application: Application) -> Any:
    return (
        payments_for_purpose(purpose=PURPOSE, purpose_reference=str(application.pk))
        .order_by("-created_at", "-pk")
        .first()
    )


def _catch_up_on_payment(application: Application) -> Application:
    """A resident who closed the browser while paying: ask the provider where it got to."""
    if application.status != ApplicationStatus.AWAITING_PAYMENT:
        return application
    payment = _latest_payment(application)
    if payment is not None and not payment.finished:
        try:
            refresh_payment(payment=payment, source="return")
        except PayError:
            return application
        application.refresh_from_db()
    return application


@require_http_methods(["GET", "POST"])
@_application_view
def check(request: HttpRequest, application: Application) -> HttpResponse:
    application = _catch_up_on_payment(application)
    if application.status not in applying.EDITABLE:
        return redirect(_sent_url(application))
    today = timezone.localdate()
    version = application.form_version
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        problems = services.problems(application, on=today)
        if problems:
            missing = runner.missing(version, application.answers, on=today)
            links = [applying.page_url(application, p.number) for p in missing]
            if len(links) != len(problems):
                links = [links[0] if links else ""] * len(problems)
            errors = [{"text": text, "url": url} for text, url in zip(problems, links, strict=True)]
        elif version.fee_pence:
            return _pay(request, application, errors)
        else:
            application = services.submit_application(
                actor=request.user,
                application=application,
                submission_key=f"portal-application:{application.pk}",
            )
            return redirect(_sent_url(application))
    elif runner.missing(version, application.answers, on=today):
        return redirect(applying.continue_url(application))
    return _render_check(request, application, errors)


def _render_check(
    request: HttpRequest, application: Application, errors: list[dict[str, str]]
) -> HttpResponse:
    today = timezone.localdate()
    version = application.form_version
    fee = version.fee_pence
    return render(
        request,
        "portal/applications/check.html",
        _context(
            request,
            application,
            title=_("Check your answers before sending your application"),
            rows=runner.answer_rows(version, application.answers, on=today),
            errors=errors,
            fee=applying.fee_in_pounds(fee) if fee else "",
            back_url=_back_from_check(application),
        ),
        status=400 if errors else 200,
    )


def _back_from_check(application: Application) -> str:
    today = timezone.localdate()
    previous = runner.previous_page(
        application.form_version, application.answers, on=today, before=None
    )
    if previous is None:
        return reverse("portal:apply-start", args=[application.form_version.form.slug])
    return applying.page_url(application, previous.number)


def _pay(request: HttpRequest, application: Application, errors: list) -> HttpResponse:
    """Off to the payment provider; request_payment carries on with a payment under way."""
    slug = application.form_version.form.slug

    def return_url_for(secret: str) -> str:
        path = reverse("portal:apply-paid", args=[slug, application.pk, secret])
        return request.build_absolute_uri(path)

    try:
        payment = services.request_payment(
            actor=request.user, application=application, return_url_for=return_url_for
        )
    except PayError:
        errors.append(
            {
                "text": _("The payment service is not working at the moment. Try again later."),
                "url": "",
            }
        )
        return _render_check(request, application, errors)
    except ValidationError as error:
        errors.extend({"text": message, "url": ""} for message in error.messages)
        return _render_check(request, application, errors)
    return redirect(payment.next_url)


@require_GET
@_application_view
def paid(request: HttpRequest, application: Application, secret: str) -> HttpResponse:
    """Where the payment provider sends the resident back. The payment's state comes from the
    provider (refresh_payment), never from this address."""
    payment = payment_for_return(secret=secret)
    if payment.purpose != PURPOSE or payment.purpose_reference != str(application.pk):
        raise Http404("No such payment.")
    unavailable = False
    try:
        payment = refresh_payment(payment=payment, source="return")
    except PayError:
        unavailable = True
    application.refresh_from_db()
    if payment.status == PaymentStatus.SUCCESS:
        if application.status in applying.EDITABLE:  # the payment hook has not sent it
            application = services.submit_application(
                actor=request.user,
                application=application,
                submission_key=f"portal-application:{application.pk}",
            )
        return redirect(_sent_url(application))
    response = render(
        request,
        "portal/applications/not_paid.html",
        _context(
            request,
            application,
            payment=payment,
            finished=payment.finished and not unavailable,
            check_url=applying.check_url(application),
            fee=applying.fee_in_pounds(application.form_version.fee_pence),
        ),
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _sent_url(application: Application) -> str:
    return reverse("portal:apply-sent", args=[application.form_version.form.slug, application.pk])


@require_GET
@_application_view
def sent(request: HttpRequest, application: Application) -> HttpResponse:
    if application.status in applying.EDITABLE or application.case_id is None:
        return redirect(applying.check_url(application))
    return render(
        request,
        "portal/applications/sent.html",
        _context(
            request,
            application,
            title=_("Application sent"),
            reference=application.case.reference,
            promises=promise_sentences(application.form_version.form.service),
        ),
    )


# "Your account": one application, more information, withdrawing.


def _own_application(request: HttpRequest, pk: int) -> Application:
    return applying.application_for(request, portal_council(), pk)


@require_GET
@account_required
def account_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    if application.status in applying.EDITABLE:
        return redirect(applying.continue_url(application))
    return render(
        request,
        "portal/applications/account_application.html",
        _context(
            request,
            application,
            title=application.form_version.form.title,
            may_withdraw=application.status in applying.UNDECIDED,
            needs_information=application.status == ApplicationStatus.MORE_INFORMATION,
            information_requested=getattr(application, "information_requested", ""),
        ),
    )


class MoreInformationForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        required=False,
    )
    files = MultipleFileField(
        label=gettext_lazy("Upload files (optional)"),
        help_text=gettext_lazy("PDF, JPG or PNG files smaller than 10MB"),
        required=False,
        widget=MultipleFileInput,
    )
    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["text"].label_size = "m"
        self.fields["files"].label_size = "m"


@require_http_methods(["GET", "POST"])
@account_required
def more_information(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    if application.status != ApplicationStatus.MORE_INFORMATION:
        return redirect("portal:account-application", application.pk)
    form = MoreInformationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.provide_information(
                actor=request.user,
                application=application,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. We have sent your answer to the officer."))
            return redirect("portal:account-application", application.pk)
    return render(
        request,
        "portal/applications/more_information.html",
        _context(
            request,
            application,
            form=form,
            title=_("Send the information we asked for"),
            information_requested=getattr(application, "information_requested", ""),
            back_url=reverse("portal:account-application", args=[application.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@account_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    if application.status not in applying.UNDECIDED:
        return redirect("portal:account-application", application.pk)
    if request.method == "POST":
        try:
            services.withdraw_application(actor=request.user, application=application)
        except (ValidationError, PermissionDenied) as error:
            raise Http404("This application can no longer be withdrawn.") from error
        messages.success(request, _("Your application has been withdrawn."))
        return redirect("portal:account")
    return render(
        request,
        "portal/applications/withdraw.html",
        _context(
            request,
            application,
            title=_("Are you sure you want to withdraw your application?"),
            back_url=reverse("portal:account-application", args=[application.pk]),
        ),
    )
