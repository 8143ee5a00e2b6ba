import pytest
from django.db import IntegrityError

from civicdesk.contacts.models import Contact
from civicdesk.contacts.services import log_contact
from civicdesk.core import idempotency
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.people.models import Customer
from civicdesk.people.services import create_customer


def test_a_retried_contact_is_saved_once(council, agent):
    first = log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                        submission_key="form-1")  # fmt: skip
    again = log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                        submission_key="form-1")  # fmt: skip

    assert first == again
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.LOGGED).count() == 1


def test_without_a_key_every_call_saves(council, agent):
    for _ in range(2):
        log_contact(actor=agent, organisation=council, channel="web", outcome="resolved")
    assert Contact.objects.count() == 2


def test_a_retried_registration_returns_the_first_customer(council, agent):
    first = create_customer(actor=agent, organisation=council, forenames="Ada",
                            surname="Lovelace", submission_key="k")  # fmt: skip
    again = create_customer(actor=agent, organisation=council, forenames="Ada",
                            surname="Lovelace", submission_key="k")  # fmt: skip

    assert first.pk == again.pk and Customer.objects.count() == 1


def test_losing_a_race_returns_the_winners_record(council, agent, monkeypatch):
    """The other request committed its record and key just after this one looked for them."""
    winner = log_contact(
        actor=agent, organisation=council, channel="phone", outcome="resolved",
        submission_key="raced",
    )  # fmt: skip
    real_earlier = idempotency._earlier
    looks = []

    def looked_too_soon(key, model, window=None, fingerprint=""):
        looks.append(key)
        return None if len(looks) == 1 else real_earlier(key, model, window, fingerprint)

    monkeypatch.setattr(idempotency, "_earlier", looked_too_soon)
    result = log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                         submission_key="raced")  # fmt: skip

    assert result == winner
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.LOGGED).count() == 1


def test_a_key_cannot_be_reused_for_another_kind_of_record(council, agent):
    log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                submission_key="shared")  # fmt: skip
    with pytest.raises(ValueError):
        create_customer(actor=agent, organisation=council, forenames="A", surname="B",
                        submission_key="shared")  # fmt: skip


def test_other_integrity_errors_are_not_swallowed(council):
    def failing() -> Customer:
        raise IntegrityError("something else")

    with pytest.raises(IntegrityError):
        idempotency.once(key="x", model=Customer, create=failing)


def test_a_key_sent_again_with_other_content_is_refused(council, agent):
    first = log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                        submission_key=idempotency.SubmissionKey("api-1", "body-a"))  # fmt: skip
    again = log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                        submission_key=idempotency.SubmissionKey("api-1", "body-a"))  # fmt: skip
    with pytest.raises(idempotency.KeyReused):
        log_contact(actor=agent, organisation=council, channel="email", outcome="resolved",
                    submission_key=idempotency.SubmissionKey("api-1", "body-b"))  # fmt: skip

    assert first == again
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.LOGGED).count() == 1


def test_a_key_kept_without_a_fingerprint_is_answered_as_before(council, agent):
    """Keys kept before fingerprints were (and the portal's own keys) have nothing to compare."""
    first = log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                        submission_key="api-2")  # fmt: skip
    again = log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                        submission_key=idempotency.SubmissionKey("api-2", "body-b"))  # fmt: skip
    assert first == again


def test_losing_a_race_to_other_content_is_refused(council, agent, monkeypatch):
    log_contact(actor=agent, organisation=council, channel="phone", outcome="resolved",
                submission_key=idempotency.SubmissionKey("raced", "body-a"))  # fmt: skip
    real_earlier = idempotency._earlier
    looks = []

    def looked_too_soon(key, model, window=None, fingerprint=""):
        looks.append(key)
        return None if len(looks) == 1 else real_earlier(key, model, window, fingerprint)

    monkeypatch.setattr(idempotency, "_earlier", looked_too_soon)
    with pytest.raises(idempotency.KeyReused):
        log_contact(actor=agent, organisation=council, channel="email", outcome="resolved",
                    submission_key=idempotency.SubmissionKey("raced", "body-b"))  # fmt: skip
    assert Contact.objects.count() == 1
