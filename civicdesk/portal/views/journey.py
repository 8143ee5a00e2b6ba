"""The "report a problem" and "ask a question" journeys: one question per page, checked page
by page by cases.intake, sent once through cases.intake.submit_request."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicdesk.cases.intake import MAX_PHOTOS, check_request, submit_request
from civicdesk.cases.uploads import PHOTO_TYPES, check_upload
from civicdesk.catalogue.models import Channel, RequestKind, Service
from civicdesk.catalogue.questions import answers_in_words, questions_for
from civicdesk.people.models import Customer
from civicdesk.people.selectors import customer_for_user
from civicdesk.places.postcodes import format_postcode
from civicdesk.places.selectors import addresses_for_postcode
from civicdesk.portal import journey
from civicdesk.portal.council import portal_council, requestable_services
from civicdesk.portal.forms import (
    ANONYMOUS,
    GIVE_DETAILS,
    AddressForm,
    ChannelForm,
    CheckForm,
    ChooseServiceForm,
    DescriptionForm,
    DetailsForm,
    PhotosForm,
    PlaceForm,
    PostcodeForm,
    QuestionsForm,
)

KIND_OF = {"report": RequestKind.PROBLEM, "ask": RequestKind.ENQUIRY}
STEP_FIELDS = {  # intake's error keys each step can put right
    "location": ("location",),
    "address": ("location",),
    "place": ("location",),
    "description": ("description",),
    "details": ("email", "surname", "phone"),
}
ERROR_STEP = {"location": "location", "description": "description", "email": "details",
              "surname": "details", "phone": "details", "photos": "photos",
              "channel": "channel"}  # fmt: skip


def _posted(request: HttpRequest) -> Any:
    """The submitted data, even when empty, so that an empty submission shows its errors."""
    return request.POST if request.method == "POST" else None


def _assisted_customer(request: HttpRequest, council: Any) -> Any:
    reference = request.GET.get("customer") or request.POST.get("customer") or ""
    if not reference:
        return None
    if not journey.may_assist(request.user, council):
        raise Http404("No such customer.")
    return customer_for_user(user=request.user, reference=reference)


def _step_url(state: dict[str, Any], step: str) -> str:
    return reverse("portal:step", args=[state["id"], step])


@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest, kind: str) -> HttpResponse:
    council = portal_council()
    customer = _assisted_customer(request, council)
    request_kind = KIND_OF[kind]
    label = (
        _("What is the problem about?")
        if request_kind == RequestKind.PROBLEM
        else _("What is your question about?")
    )
    services = requestable_services(council, request_kind)
    form = ChooseServiceForm(_posted(request), services=services, label=label)
    if request.method == "POST" and form.is_valid():
        return _begin(request, form.cleaned_data["service"], customer)
    return render(
        request,
        "portal/journey/choose.html",
        {"form": form, "kind": kind, "customer": customer, "title": label},
    )


@require_http_methods(["GET"])
def start_service(request: HttpRequest, slug: str) -> HttpResponse:
    council = portal_council()
    service = requestable_services(council).filter(slug=slug).first()
    if service is None:
        raise Http404("No such service.")
    return _begin(request, service, _assisted_customer(request, council))


def _begin(request: HttpRequest, service: Service, customer: Any) -> HttpResponse:
    channel = Channel.PHONE if customer is not None else Channel.WEB
    state = journey.start(request, service=service, customer=customer, channel=channel)
    council = portal_council()
    requester = journey.requester_for(request, council, state)
    steps = journey.steps_for(state, service, requester.customer)
    return redirect(_step_url(state, steps[0]))


class Step:
    """What a step page needs: the journey, its service, who is asking, and the step list."""

    def __init__(self, request: HttpRequest, journey_id: str, name: str) -> None:
        self.request = request
        self.council = portal_council()
        self.state = journey.load(request, journey_id)
        if self.state["reference"] and name != "check":
            raise Http404("This request has been sent.")
        self.service = requestable_services(self.council).filter(pk=self.state["service"]).first()
        if self.service is None:
            raise Http404("That service no longer takes requests online.")
        self.requester = journey.requester_for(request, self.council, self.state)
        self.steps = self.steps_list()
        self.name = name
        allowed = set(self.steps) | ({"address", "place"} if "location" in self.steps else set())
        if name not in allowed:
            raise Http404("No such step.")

    def steps_list(self) -> list[str]:
        return journey.steps_for(self.state, self.service, self.requester.customer)

    @property
    def is_problem(self) -> bool:
        return self.service.request_kind == RequestKind.PROBLEM

    def intake_errors(self) -> dict[str, str]:
        return check_request(
            **journey.intake_arguments(
                self.state, service=self.service, council=self.council, requester=self.requester
            )
        )

    def back_url(self) -> str:
        if self.name in ("address", "place"):
            return _step_url(self.state, "location")
        if "check" in self.state["done"] and self.name != "check":
            return _step_url(self.state, "check")
        step = "location" if self.name in journey.LOCATION_STEPS else self.name
        index = self.steps.index(step) if step in self.steps else 0
        if index == 0:
            return reverse("portal:service", args=[self.service.slug])
        previous = self.steps[index - 1]
        if previous == "location":
            previous = "place" if self.state["place"] else "address"
        return _step_url(self.state, previous)

    def done(self) -> HttpResponse:
        journey.mark_done(self.state, self.name)
        journey.save(self.request, self.state)
        return redirect(_step_url(self.state, journey.next_step(self.steps, self.name, self.state)))

    def render(self, template: str, form: Any, title: str, **extra: Any) -> HttpResponse:
        context = {
            "form": form,
            "title": title,
            "step": self,
            "service": self.service,
            "state": self.state,
            "back_url": self.back_url(),
            **extra,
        }
        return render(self.request, template, context)


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, journey_id: str, name: str) -> HttpResponse:
    page = Step(request, journey_id, name)
    return STEP_VIEWS[name](page)


def _channel(page: Step) -> HttpResponse:
    form = ChannelForm(_posted(page.request), initial={"channel": page.state["channel"]})
    if page.request.method == "POST" and form.is_valid():
        page.state["channel"] = form.cleaned_data["channel"]
        return page.done()
    return page.render(
        "portal/journey/step.html",
        form,
        _("How is the customer in touch?"),
        customer=page.requester.customer,
    )


def _location(page: Step) -> HttpResponse:
    form = PostcodeForm(
        _posted(page.request), initial={"postcode": format_postcode(page.state["postcode"])}
    )
    if page.request.method == "POST" and form.is_valid():
        page.state["postcode"] = form.cleaned_data["postcode"]
        return page.done()
    return page.render("portal/journey/location.html", form, _("Where is the problem?"))


def _address(page: Step) -> HttpResponse:
    if not page.state["postcode"]:
        return redirect(_step_url(page.state, "location"))
    addresses = addresses_for_postcode(
        organisation_id=page.council.pk, postcode=page.state["postcode"]
    )
    form = AddressForm(
        _posted(page.request),
        addresses=addresses,
        initial={"address": page.state["address"]},
    )
    if page.request.method == "POST" and form.is_valid():
        page.state["address"] = form.cleaned_data["address"].pk
        page.state["place"] = ""
        errors = page.intake_errors()
        if "location" not in errors:
            return page.done()
        form.add_errors(errors, {"location": "address"})
    return page.render(
        "portal/journey/address.html",
        form,
        _("Select the address"),
        postcode=format_postcode(page.state["postcode"]),
        found=form.found,
    )


def _place(page: Step) -> HttpResponse:
    form = PlaceForm(_posted(page.request), initial={"place": page.state["place"]})
    if page.request.method == "POST" and form.is_valid():
        page.state["place"] = form.cleaned_data["place"].strip()
        page.state["address"] = None
        errors = page.intake_errors()
        if "location" not in errors:
            return page.done()
        form.add_errors(errors, {"location": "place"})
    return page.render("portal/journey/step.html", form, _("Describe where it is"))


def _questions(page: Step) -> HttpResponse:
    questions = questions_for(page.service)
    form = QuestionsForm(
        _posted(page.request),
        service=page.service,
        questions=questions,
        initial=QuestionsForm.initial_from(questions, page.state["answers"]),
    )
    if page.request.method == "POST" and form.is_valid():
        page.state["answers"] = form.raw_answers()
        return page.done()
    title = _("About the problem") if page.is_problem else _("About your question")
    return page.render("portal/journey/step.html", form, title, heading_in_page=True)


def _description(page: Step) -> HttpResponse:
    if page.is_problem:
        label, hint = (
            _("Describe the problem"),
            _(
                "Tell us what you have seen and anything that will help us find it. "
                "Do not include personal information such as your bank details."
            ),
        )
    else:
        label, hint = (
            _("What is your question?"),
            _("Do not include personal information such as your bank details."),
        )
    form = DescriptionForm(
        _posted(page.request),
        label=label,
        hint=hint,
        initial={"description": page.state["description"]},
    )
    if page.request.method == "POST" and form.is_valid():
        page.state["description"] = form.cleaned_data["description"]
        errors = page.intake_errors()
        if "description" not in errors:
            return page.done()
        form.add_errors(errors, {"description": "description"})
    return page.render("portal/journey/step.html", form, label, label_is_heading=True)


def _photos(page: Step) -> HttpResponse:
    state = page.state
    request = page.request
    if request.method == "POST" and request.POST.get("remove"):
        kept = []
        for photo in state["photos"]:
            if photo["key"] == request.POST["remove"]:
                journey.remove_photo(photo)
            else:
                kept.append(photo)
        state["photos"] = kept
        journey.save(request, state)
        return redirect(_step_url(state, "photos"))
    room = MAX_PHOTOS - len(state["photos"])
    form = PhotosForm(
        _posted(request), request.FILES if request.method == "POST" else None, room=room
    )
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["photos"]
        if len(uploads) > room:
            form.add_error(
                "photos", _("You can add %(room)s more photos: choose fewer") % {"room": room}
            )
        else:
            kept: list[dict[str, Any]] = []
            for upload in uploads:
                try:
                    checked = check_upload(
                        upload, upload.name or "", upload.size or 0, accepted=PHOTO_TYPES
                    )
                except ValidationError as error:
                    message = error.message_dict.get("file", error.messages)[0]
                    form.add_error("photos", f"{upload.name}: {message}")
                    break
                kept.append(journey.keep_photo(upload, checked.name, checked.content_type))
            if form.errors:
                for photo in kept:
                    journey.remove_photo(photo)
            else:
                state["photos"].extend(kept)
                if uploads and request.POST.get("action") == "add":
                    journey.save(request, state)
                    return redirect(_step_url(state, "photos"))
                return page.done()
    return page.render(
        "portal/journey/photos.html",
        form,
        _("Add photos (optional)"),
        room=room,
        photos=state["photos"],
    )


def _details(page: Step) -> HttpResponse:
    state = page.state
    initial = {**state["details"]}
    if state["details"] or state["anonymous"]:
        initial["how"] = ANONYMOUS if state["anonymous"] else GIVE_DETAILS
    form = DetailsForm(
        _posted(page.request),
        allows_anonymous=page.service.allows_anonymous,
        initial=initial,
    )
    if page.request.method == "POST" and form.is_valid():
        state["anonymous"] = form.anonymous
        state["details"] = (
            {}
            if form.anonymous
            else {
                name: form.cleaned_data[name].strip()
                for name in ("forenames", "surname", "email", "phone")
            }
        )
        errors = page.intake_errors()
        if not form.anonymous and not any(state["details"].values()):
            errors.setdefault("surname", _("Enter your last name"))
        if not (set(errors) & {"email", "surname", "phone"}):
            return page.done()
        form.add_errors(errors, {"email": "email", "surname": "surname", "phone": "phone"})
    return page.render(
        "portal/journey/details.html", form, _("Your contact details"), give=GIVE_DETAILS
    )


def _summary(page: Step) -> list[dict[str, str]]:
    """Rows for the check answers page: question, answer, the step that changes it."""
    state = page.state
    rows = []
    if state["assisted"]:
        rows.append({"key": _("Customer"), "value": page.requester.customer.full_name, "step": ""})
        rows.append({"key": _("How they are in touch"),
                     "value": str(Channel(state["channel"]).label), "step": "channel"})  # fmt: skip
    elif page.requester.representative is not None:
        rows.append(
            {"key": _("Acting for"), "value": page.requester.customer.full_name, "step": ""}
        )
    rows.append({"key": _("Service"), "value": page.service.name, "step": ""})
    if "location" in page.steps:
        address = journey.address_of(state, page.council)
        if address is not None:
            rows.append({"key": _("Address"), "value": address.single_line, "step": "location"})
        else:
            rows.append({"key": _("Where"), "value": state["place"], "step": "place"})
    if "questions" in page.steps:
        answers = {code: value for code, value in state["answers"].items() if value not in ("", [])}
        for answer in answers_in_words(page.service, answers):
            rows.append({"key": answer.prompt, "value": answer.text, "step": "questions"})
    rows.append({
        "key": _("Description") if page.is_problem else _("Your question"),
        "value": state["description"], "step": "description",
    })  # fmt: skip
    photos = ", ".join(photo["name"] for photo in state["photos"]) or _("None")
    rows.append({"key": _("Photos"), "value": photos, "step": "photos"})
    if "details" in page.steps:
        if state["anonymous"]:
            rows.append({"key": _("Contact details"), "value": _("Anonymous"), "step": "details"})
        else:
            details = state["details"]
            name = " ".join(p for p in (details.get("forenames"), details.get("surname")) if p)
            rows.append({"key": _("Name"), "value": name, "step": "details"})
            rows.append({"key": _("Email address"), "value": details.get("email") or _("Not given"),
                         "step": "details"})  # fmt: skip
            rows.append({"key": _("Phone number"), "value": details.get("phone") or _("Not given"),
                         "step": "details"})  # fmt: skip
    return rows


def _check(page: Step) -> HttpResponse:
    state = page.state
    if state["reference"]:  # sent already: a resubmission or the back button
        return redirect("portal:confirmation", state["id"])
    missing = journey.first_unanswered(page.steps, state)
    if missing:
        return redirect(_step_url(state, missing))
    journey.mark_done(state, "check")
    journey.save(page.request, state)
    errors: list[dict[str, str]] = []
    if page.request.method == "POST":
        case = None
        photos = journey.open_photos(state)
        arguments = journey.intake_arguments(
            state, service=page.service, council=page.council, requester=page.requester
        )
        try:
            case = submit_request(
                actor=page.requester.actor,
                channel=state["channel"],
                answers=state["answers"],
                photos=photos,
                submitted_via=_("Portal") if not state["assisted"] else _("Portal, for a caller"),
                submission_key=f"portal:{state['submission']}",
                started_at=datetime.datetime.fromisoformat(state["started_at"]),
                **arguments,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = ERROR_STEP.get(field, "questions" if "questions" in page.steps else "")
                if target == "location" and state["place"]:
                    target = "place"
                errors.append(
                    {"text": messages[0], "url": _step_url(state, target) if target else ""}
                )
        finally:
            for photo in photos:
                photo.close()
        if case is not None:
            state["reference"] = case.reference
            journey.remove_photos(state)
            journey.save(page.request, state)
            return redirect("portal:confirmation", state["id"])
    return page.render(
        "portal/journey/check.html",
        CheckForm(),
        _("Check your answers before sending your request"),
        rows=_summary(page),
        errors=errors,
        is_assisted=state["assisted"],
    )


STEP_VIEWS = {
    "channel": _channel,
    "location": _location,
    "address": _address,
    "place": _place,
    "questions": _questions,
    "description": _description,
    "photos": _photos,
    "details": _details,
    "check": _check,
}


@require_http_methods(["GET"])
def confirmation(request: HttpRequest, journey_id: str) -> HttpResponse:
    state = journey.load(request, journey_id)
    if not state["reference"]:
        raise Http404("This request has not been sent.")
    service = Service.objects.filter(pk=state["service"]).first()
    customer = Customer.objects.filter(pk=state["customer"]).first() if state["assisted"] else None
    return render(
        request,
        "portal/journey/confirmation.html",
        {
            "reference": state["reference"],
            "service": service,
            "state": state,
            "emailed": bool(state["details"].get("email")) or state["customer"] is not None,
            "title": _("Request sent"),
            "customer": customer,
        },
    )
