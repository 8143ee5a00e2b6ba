"""Reads of forms and eligibility rules that the portal, the console and the runner share."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from civicdesk.catalogue.models import Service
from civicdesk.forms.models import Application, EligibilityRules, Form, FormVersion, VersionStatus
from civicdesk.organisations.models import Organisation


def published_version(form: Form) -> FormVersion | None:
    """The version of `form` residents fill in now, or None if none is published."""
    return (
        form.versions.filter(status=VersionStatus.PUBLISHED)
        .select_related("form")
        .order_by("-number")
        .first()
    )


def _with_published_version(queryset: QuerySet[Form]) -> QuerySet[Form]:
    published = FormVersion.objects.filter(form=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    return queryset.filter(Exists(published), is_active=True)


def forms_for_service(service: Service) -> QuerySet[Form]:
    """The active forms of a service that have a published version, by title."""
    return _with_published_version(Form.objects.filter(service=service)).order_by("title")


def public_forms(organisation: Organisation) -> QuerySet[Form]:
    """Forms a resident may start on the portal: active, published, for a public service."""
    queryset = Form.objects.filter(organisation=organisation, service__is_public=True)
    return _with_published_version(queryset).select_related("service").order_by("title")


def rules_in_force(organisation: Organisation, code: str) -> EligibilityRules | None:
    """The published version of the rule set `code`, or None if none is published."""
    if not code:
        return None
    return (
        EligibilityRules.objects.filter(
            organisation=organisation, code=code, status=VersionStatus.PUBLISHED
        )
        .order_by("-version")
        .first()
    )


# Applications.


def _represented_customer_ids(user: Any) -> list[int]:
    from civicdesk.people.accounts import representations_for

    return list(representations_for(user).values_list("customer_id", flat=True))


def applications_for_account(*, user: Any) -> QuerySet[Application]:
    """The signed-in resident's own applications and those of the people they act for now,
    newest first; none for anyone else."""
    from civicdesk.people.accounts import account_for

    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    account = account_for(user)
    mine = Q(customer_id=account.customer_id) if account is not None else Q(pk__in=[])
    represented = _represented_customer_ids(user)
    return (
        Application.objects.filter(mine | Q(customer_id__in=represented))
        .select_related("form_version__form__service", "customer", "case")
        .order_by("-started_at", "-pk")
    )


def application_for_resident(*, user: Any, pk: Any) -> Application:
    """One of `applications_for_account`; 404 otherwise."""
    try:
        number = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404("No application with that number.") from error
    application = applications_for_account(user=user).filter(pk=number).first()
    if application is None:
        raise Http404("No application with that number.")
    return application


def application_for_case(*, case: Any) -> Application | None:
    """The application a case was raised from, or None. Check the case first
    (`cases.selectors.case_for_user`): this does not apply the privacy policy."""
    return (
        Application.objects.filter(case_id=case.pk)
        .select_related("form_version__form__service", "customer", "representative", "decided_by")
        .first()
    )


def application_payments(application: Application) -> list[Any]:
    """The application's payments, newest first."""
    from civicdesk.payments.selectors import payments_for_purpose

    return list(
        payments_for_purpose(purpose="application", purpose_reference=str(application.pk)).order_by(
            "-created_at"
        )
    )
