"""Sending through the real worker, and applying delivery receipts."""

import datetime
import uuid

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from civicdesk.core.models import AuditEvent
from civicdesk.core.task_recovery import recover_abandoned_tasks
from civicdesk.notify import services
from civicdesk.notify.clients import SimulatorClient
from civicdesk.notify.models import DeliveryStatus, Message, MessageEvent
from civicdesk.notify.services import (
    InvalidReceipt,
    UnknownMessage,
    notify_customer,
    record_delivery_status,
    send_message,
)
from civicdesk.notify.tasks import send_message_task
from civicdesk.notify.tests.factories import MessageFactory
from civicdesk.notify.tests.fake_notify import API_KEY, FakeNotifyServer


@pytest.fixture
def acknowledge(council, service, personalisation, templates):
    def acknowledge(**recipient):
        return notify_customer(
            organisation=council,
            customer=None,
            event=MessageEvent.ACKNOWLEDGEMENT,
            about_reference="CAS-000042",
            service=service,
            personalisation=personalisation,
            **recipient,
        )

    return acknowledge


@pytest.fixture
def fake(settings):
    """Notify's API stood in for on a local port, with the live backend pointed at it."""
    with FakeNotifyServer() as fake:
        settings.CIVICDESK_NOTIFY_BACKEND = "live"
        settings.CIVICDESK_NOTIFY_API_KEY = API_KEY
        settings.CIVICDESK_NOTIFY_BASE_URL = fake.base_url
        yield fake


def sent_entries(message):
    return AuditEvent.objects.for_record("notify.message", message.pk).filter(
        summary="Sent to Notify"
    )


def test_a_message_is_sent_once_its_transaction_commits(acknowledge, run_tasks):
    message = acknowledge(email="ada@example.org")

    results = run_tasks()

    assert [result.task_path for result in results] == [send_message_task.module_path]
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DELIVERED
    uuid.UUID(message.notify_id)
    assert message.sent_at is not None
    assert message.completed_at is not None
    assert message.failure_detail == ""


def test_nothing_is_sent_for_work_that_is_rolled_back(acknowledge, run_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        acknowledge(email="ada@example.org")
        raise RuntimeError("the case could not be saved")

    assert run_tasks() == []
    assert not Message.objects.exists()


def test_a_task_run_twice_sends_once(acknowledge, run_tasks):
    message = acknowledge(mobile="07700900123")
    send_message_task.enqueue(message_id=message.pk)  # a retry, or a second worker

    results = run_tasks()

    assert [result.return_value for result in results] == ["delivered", "delivered"]
    message.refresh_from_db()
    assert sent_entries(message).count() == 1
    first_id = message.notify_id
    send_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.notify_id == first_id


@pytest.mark.parametrize(
    ("recipient", "status"),
    [
        ({"email": "perm-fail@simulator.notify"}, "permanent-failure"),
        ({"email": "temp-fail@simulator.notify"}, "temporary-failure"),
        ({"mobile": "07700 900002"}, "permanent-failure"),
        ({"mobile": "07700900003"}, "temporary-failure"),
    ],
)
def test_the_simulators_failures_arrive_as_receipts_do(acknowledge, run_tasks, recipient, status):
    message = acknowledge(**recipient)
    run_tasks()
    message.refresh_from_db()
    assert message.status == status
    assert message.has_failed


def test_letters_are_received(
    council, service, personalisation, templates, make_customer, address, run_tasks
):
    customer = make_customer(preferred_channel="letter", address=address)
    message = notify_customer(
        organisation=council,
        customer=customer,
        event=MessageEvent.CLOSURE,
        about_reference="CAS-000042",
        service=service,
        personalisation={**personalisation, "update": "We cleared the waste."},
    )
    run_tasks()
    message.refresh_from_db()
    assert message.status == DeliveryStatus.RECEIVED
    assert "We cleared the waste." in message.body


def test_a_refusal_is_a_technical_failure_that_names_no_personal_data(acknowledge, run_tasks):
    message = acknowledge(email="ada@example.org")
    message.template.delete()  # Notify would say "Template not found"

    run_tasks()

    message.refresh_from_db()
    assert message.status == DeliveryStatus.TECHNICAL_FAILURE
    assert message.failure_detail == "400 BadRequestError: Template not found"
    assert message.completed_at is not None


def test_an_unexpected_error_does_not_leave_the_message_sending(
    acknowledge, run_tasks, monkeypatch
):
    def explode(self, **kwargs):
        raise RuntimeError("ada@example.org is not allowed")

    monkeypatch.setattr(SimulatorClient, "send_email", explode)
    message = acknowledge(email="ada@example.org")

    run_tasks()

    message.refresh_from_db()
    assert message.status == DeliveryStatus.TECHNICAL_FAILURE
    assert message.failure_detail == "Unexpected error: RuntimeError"


def test_the_live_backend_sends_through_notify_and_waits_for_its_callback(
    acknowledge, run_tasks, fake
):
    message = acknowledge(email="ada@example.org")

    run_tasks()

    message.refresh_from_db()
    request = fake.requests[-1]
    assert request["path"] == "/v2/notifications/email"
    assert request["body"]["reference"] == str(message.reference)
    assert request["body"]["template_id"] == str(message.template.notify_template_id)
    assert request["body"]["personalisation"]["reference"] == "CAS-000042"
    assert message.status == DeliveryStatus.SENDING
    assert message.notify_id
    assert (message.subject, message.body) == ("From Notify", "Body as Notify made it")


def test_notify_refusing_marks_a_technical_failure(acknowledge, run_tasks, fake):
    fake.answers.append(
        (429, {"errors": [{"error": "RateLimitError", "message": "Exceeded rate limit"}]})
    )
    message = acknowledge(email="ada@example.org")
    run_tasks()

    message.refresh_from_db()
    assert message.status == DeliveryStatus.TECHNICAL_FAILURE
    assert message.failure_detail == "429 RateLimitError: Notify did not accept the message"


def _cut_short(message):
    """The message as a worker killed after claiming it leaves it: sending, no Notify id."""
    Message.objects.filter(pk=message.pk).update(status=DeliveryStatus.SENDING)
    task = DBTaskResult.objects.filter(task_path=send_message_task.module_path).get()
    task.claim("kingsmere-app-1")
    return task


def test_a_send_cut_short_by_a_dead_worker_goes_when_the_task_runs_again(acknowledge, run_tasks):
    message = acknowledge(email="ada@example.org")
    task = _cut_short(message)
    send_message(message_id=message.pk)  # a first attempt leaves another's claim alone
    assert Message.objects.get(pk=message.pk).status == DeliveryStatus.SENDING

    assert recover_abandoned_tasks(starting_worker="kingsmere-app-1").requeued == 1
    run_tasks()

    message.refresh_from_db()
    assert len(DBTaskResult.objects.get(pk=task.pk).worker_ids) == 2
    assert message.status == DeliveryStatus.DELIVERED
    assert sent_entries(message).count() == 1


def test_a_resumed_send_that_notify_already_has_is_not_sent_again(acknowledge, run_tasks, fake):
    message = acknowledge(email="ada@example.org")
    _cut_short(message)
    # The dead worker's request reached Notify before it died.
    fake.notifications.append(
        {
            "id": "0b7a2c1e-6a4f-4d8e-9d7e-2f1c3b5a6d70",
            "reference": str(message.reference),
            "subject": "Received",
            "body": "As Notify made it",
        }
    )
    fake.notifications.append({"id": str(uuid.uuid4()), "reference": "someone else's"})
    recover_abandoned_tasks(starting_worker="kingsmere-app-1")
    run_tasks()

    message.refresh_from_db()
    assert [request["path"] for request in fake.requests] == [
        f"/v2/notifications?reference={message.reference}"
    ]
    assert message.notify_id == "0b7a2c1e-6a4f-4d8e-9d7e-2f1c3b5a6d70"
    assert (message.subject, message.body) == ("Received", "As Notify made it")
    assert message.status == DeliveryStatus.SENDING  # until Notify's receipt arrives


def test_a_resumed_send_that_notify_never_got_is_sent(acknowledge, run_tasks, fake):
    message = acknowledge(mobile="07700900123")
    _cut_short(message)
    recover_abandoned_tasks(starting_worker="kingsmere-app-1")
    run_tasks()

    message.refresh_from_db()
    assert [request["path"] for request in fake.requests] == [
        f"/v2/notifications?reference={message.reference}",
        "/v2/notifications/sms",
    ]
    assert message.notify_id == fake.notifications[0]["id"]


def test_a_resumed_send_that_cannot_ask_notify_is_a_technical_failure(acknowledge, run_tasks, fake):
    message = acknowledge(email="ada@example.org")
    _cut_short(message)
    fake.answers.append((500, {"errors": [{"error": "Exception", "message": "Internal"}]}))
    recover_abandoned_tasks(starting_worker="kingsmere-app-1")
    run_tasks()

    message.refresh_from_db()
    assert len(fake.requests) == 1  # not sent blind: staff see the failure and can resend
    assert message.status == DeliveryStatus.TECHNICAL_FAILURE
    assert message.failure_detail == ("500 Exception: Notify did not answer which messages it has")


class TestReceipts:
    """Delivery receipts as Notify's callbacks bring them: late, repeated, out of order."""

    pytestmark = pytest.mark.django_db

    @pytest.fixture
    def message(self, council):
        return MessageFactory(
            organisation=council, status=DeliveryStatus.SENDING, notify_id=str(uuid.uuid4())
        )

    def receipt(self, message, status, completed="2026-11-23T12:00:05Z", **changes):
        return {
            "id": message.notify_id,
            "reference": str(message.reference),
            "to": message.recipient,
            "status": status,
            "created_at": "2026-11-23T12:00:00.000000Z",
            "completed_at": completed,
            "sent_at": "2026-11-23T12:00:01Z",
            "notification_type": message.channel,
            "template_id": str(uuid.uuid4()),
            "template_version": 1,
            **changes,
        }

    def test_a_receipt_records_the_outcome(self, message):
        record_delivery_status(payload=self.receipt(message, "delivered"))

        message.refresh_from_db()
        assert message.status == DeliveryStatus.DELIVERED
        assert message.completed_at == datetime.datetime(
            2026, 11, 23, 12, 0, 5, tzinfo=datetime.UTC
        )
        assert message.sent_at is None or message.sent_at.year == 2026

    def test_an_older_status_never_moves_a_message_back(self, message):
        record_delivery_status(payload=self.receipt(message, "delivered"))
        record_delivery_status(payload=self.receipt(message, "sending", completed=None))
        record_delivery_status(payload=self.receipt(message, "pending", completed=None))
        record_delivery_status(
            payload=self.receipt(message, "temporary-failure", completed="2026-11-23T12:00:04Z")
        )
        message.refresh_from_db()
        assert message.status == DeliveryStatus.DELIVERED

    def test_a_later_final_status_replaces_an_earlier_one(self, message):
        record_delivery_status(payload=self.receipt(message, "delivered"))
        record_delivery_status(
            payload=self.receipt(message, "permanent-failure", completed="2026-11-23T13:00:00Z")
        )  # a bounce after delivery
        message.refresh_from_db()
        assert message.status == DeliveryStatus.PERMANENT_FAILURE

    def test_a_repeated_receipt_changes_nothing(self, message):
        for _attempt in range(3):
            record_delivery_status(payload=self.receipt(message, "delivered"))
        assert AuditEvent.objects.for_record("notify.message", message.pk).count() == 1

    def test_a_message_is_found_by_notifys_id_when_the_reference_is_not_ours(self, message):
        record_delivery_status(
            payload=self.receipt(message, "delivered", reference="someone else's")
        )
        message.refresh_from_db()
        assert message.status == DeliveryStatus.DELIVERED

    def test_a_receipt_for_a_message_that_is_not_ours(self, message):
        with pytest.raises(UnknownMessage):
            record_delivery_status(
                payload=self.receipt(message, "delivered", reference=str(uuid.uuid4()), id="x")
            )

    def test_a_receipt_of_the_wrong_shape_lists_every_problem(self, message):
        with pytest.raises(InvalidReceipt) as raised:
            record_delivery_status(
                payload={"status": "lost", "completed_at": "yesterday", "notification_type": "fax"}
            )
        messages = [error["message"] for error in raised.value.errors]
        assert len(messages) == 4
        assert any("id or reference is required" in text for text in messages)
        assert any(text.startswith("status must be one of") for text in messages)
        with pytest.raises(InvalidReceipt):
            record_delivery_status(payload=["not", "an", "object"])

    def test_a_receipt_that_beats_the_sender_keeps_its_status(self, council):
        """Notify can call back before the worker has stored Notify's id."""
        message = MessageFactory(organisation=council, status=DeliveryStatus.SENDING)
        receipt = self.receipt(message, "delivered", id=str(uuid.uuid4()))
        record_delivery_status(payload=receipt)

        services._record_sent(message.pk, {"id": receipt["id"]}, at=message.created_at)

        message.refresh_from_db()
        assert (message.status, message.notify_id) == ("delivered", receipt["id"])
