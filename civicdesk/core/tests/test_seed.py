from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from civicdesk.api.open311.demo import DEMO_KEY
from civicdesk.api.open311.models import Open311Client, hash_key
from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact
from civicdesk.core.demo.loader import DEMO_PASSWORD, DEMO_STAFF
from civicdesk.core.demo.residents import CARER_EMAIL, RESIDENT_EMAIL
from civicdesk.organisations.models import Organisation, User
from civicdesk.people.models import Customer, Representative

pytestmark = pytest.mark.django_db(transaction=False)
SMALL = ["--customers", "50", "--contacts", "500"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> tuple[list, list]:
    """What the seed made, without database ids (which sequences may not reuse)."""
    people = {
        customer.pk: (customer.forenames, customer.surname, customer.date_of_birth,
                      customer.mobile, customer.email,
                      customer.address.single_line if customer.address else "")
        for customer in Customer.objects.select_related("address").order_by("pk")
    }  # fmt: skip
    contacts = [
        (people.get(contact.customer_id), contact.channel, contact.service.slug,
         contact.started_at, contact.outcome, contact.avoidable_reason, contact.notes)
        for contact in Contact.objects.select_related("service")
        .exclude(customer__email=RESIDENT_EMAIL)  # made at the time of seeding
        .order_by("pk")
    ]  # fmt: skip
    return list(people.values()), contacts


def test_the_same_seed_gives_the_same_council():
    prints = []
    for _ in range(2):
        with transaction.atomic():
            seed(*SMALL, "--seed", "7")
            prints.append(fingerprint())
            transaction.set_rollback(True)

    assert prints[0] == prints[1]
    # Besides those asked for: the two portal sign-ins.
    assert len(prints[0][0]) == 50 + 2 and len(prints[0][1]) == 500


def test_the_seeded_council_is_usable_and_its_contacts_look_like_a_councils(client):
    output = seed(*SMALL)

    assert "http://127.0.0.1:8000/staff/" in output and DEMO_PASSWORD in output
    council = Organisation.objects.get(slug="kingsmere")
    partner = Organisation.objects.get(slug="kingsmere-citizens-advice")
    assert partner.kind == "partner" and partner.parent == council
    for person in DEMO_STAFF:
        assert person.username in output
        assert client.login(username=person.username, password=DEMO_PASSWORD), person.username
    assert User.objects.get(username="admin").is_superuser
    assert DEMO_KEY in output
    assert Open311Client.objects.get(key_hash=hash_key(DEMO_KEY)).organisation == council

    portal = [RESIDENT_EMAIL, CARER_EMAIL]
    customers = Customer.objects.exclude(email__in=portal)
    assert customers.count() == 50
    assert not customers.filter(surname_key="").exists()
    assert not customers.filter(reference__isnull=True).exists()
    assert customers.filter(address__isnull=False).count() >= 40
    assert all(c.address.postcode.startswith("KM") for c in customers if c.address)

    contacts = Contact.objects.exclude(customer__email__in=portal)
    outcomes = Counter(contacts.values_list("outcome", flat=True))
    channels = Counter(contacts.values_list("channel", flat=True))

    assert contacts.count() == 500
    assert 0.6 <= outcomes["resolved"] / 500 <= 0.8
    assert 0.08 <= contacts.avoidable().count() / 500 <= 0.22
    assert channels.most_common(1)[0][0] == "phone"
    for repeat in contacts.filter(repeat_of__isnull=False).select_related("repeat_of"):
        assert repeat.repeat_of.customer_id == repeat.customer_id
        assert repeat.repeat_of.started_at < repeat.started_at


def test_if_empty_leaves_a_seeded_council_alone():
    seed(*SMALL)
    before = (Customer.objects.count(), Contact.objects.count())

    output = seed(*SMALL, "--if-empty")

    assert "already loaded" in output
    assert (Customer.objects.count(), Contact.objects.count()) == before
    with pytest.raises(CommandError, match="already loaded"):
        seed(*SMALL)


def test_the_demo_has_a_resident_and_a_carer_on_the_portal(client):
    output = seed(*SMALL)
    case = Case.objects.get(customer__email=RESIDENT_EMAIL)
    assert RESIDENT_EMAIL in output and CARER_EMAIL in output and case.reference in output

    response = client.post(
        "/track/", {"reference": case.reference, "email_or_postcode": RESIDENT_EMAIL}
    )
    assert "booked to remove it" in response.content.decode()
    assert client.login(username=RESIDENT_EMAIL, password=DEMO_PASSWORD)
    assert case.reference in client.get("/account/").content.decode()
    client.logout()
    assert client.login(username=CARER_EMAIL, password=DEMO_PASSWORD)
    carer = Representative.objects.get(email=CARER_EMAIL)
    assert carer.user.username == CARER_EMAIL
    assert carer.customer.surname in client.get("/account/acting-for/").content.decode()
    # Loading again finds them there and adds nothing.
    seed(*SMALL, "--if-empty")
    assert Case.objects.filter(customer__email=RESIDENT_EMAIL).count() == 1
    assert Representative.objects.filter(email=CARER_EMAIL).count() == 1
