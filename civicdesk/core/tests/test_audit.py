from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 27, 14, 30, tzinfo=UTC)


@pytest.fixture
def entry() -> AuditEvent:
    return record(actor=None, action=AuditAction.CREATED, target=TeamFactory())


@time_machine.travel(MOMENT, tick=False)
def test_record_names_the_actor_and_the_record():
    team = TeamFactory()
    officer = UserFactory(username="jpatel")

    event = record(
        actor=officer,
        action=AuditAction.UPDATED,
        target=team,
        summary="Renamed the team",
        detail={"name": ["Old", "New"]},
    )

    event.refresh_from_db()
    assert event.actor == officer
    assert event.actor_label == "jpatel"
    assert event.action == AuditAction.UPDATED
    assert event.record_type == "organisations.team"
    assert event.record_id == str(team.pk)
    assert event.organisation_id == team.organisation_id
    assert event.summary == "Renamed the team"
    assert event.detail == {"name": ["Old", "New"]}
    assert event.occurred_at == MOMENT
    assert list(AuditEvent.objects.for_record("organisations.team", team.pk)) == [event]


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_record_without_a_person_is_the_system(actor):
    event = record(actor=actor, action=AuditAction.IMPORTED, target=TeamFactory())
    assert event.actor is None
    assert event.actor_label == "system"


def test_record_trims_a_long_summary():
    event = record(actor=None, action=AuditAction.LOGGED, target=TeamFactory(), summary="x" * 500)
    assert len(event.summary) == 300


def test_record_takes_an_explicit_organisation():
    team = TeamFactory()
    event = record(
        actor=None, action=AuditAction.CREATED, target=team.organisation, organisation_id=42
    )
    assert event.organisation_id == 42


def test_an_entry_cannot_be_changed(entry):
    entry.summary = "Rewritten"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


def test_the_log_cannot_be_updated_in_bulk(entry):
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=entry.pk).update(summary="Rewritten")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().update(summary="Rewritten")
    entry.summary = "Rewritten"
    # bulk_update opens a transaction of its own; a savepoint keeps the test's usable.
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        AuditEvent.objects.bulk_update([entry], ["summary"])
    entry.refresh_from_db()
    assert entry.summary == ""


def test_the_log_cannot_be_deleted_in_bulk(entry):
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=entry.pk).delete()
    assert AuditEvent.objects.count() == 1


def test_deleting_a_person_keeps_their_entries():
    officer = UserFactory(username="jpatel")
    event = record(actor=officer, action=AuditAction.CREATED, target=TeamFactory())

    officer.delete()

    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_label == "jpatel"
