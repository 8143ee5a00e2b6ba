"""Writing the demo council to the database, for `manage.py seed` and `manage.py bench`.

Seeding is a data generator, not a user action. The council, its teams, staff, catalogue and (in
the small seed) customers go through the ordinary service functions, so they are validated and
audited like anything else. Bulk rows (contact history, and the benchmark's customers and
addresses) are inserted directly and have no audit entries: no person did anything to them.
"""

import datetime
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.management.color import no_style
from django.db import connection, transaction

from civicdesk.catalogue.demo import DEMO_TEAMS, install_demo_case_settings, install_demo_catalogue
from civicdesk.catalogue.models import Service
from civicdesk.contacts.models import Contact
from civicdesk.core.demo.contacts import COLUMNS, ContactGenerator, DemoServiceRef
from civicdesk.core.demo.people import PersonMaker
from civicdesk.core.demo.places import TOWN, DemoAddress, DemoGazetteer, DemoStreet
from civicdesk.forms.demo import install_demo_forms
from civicdesk.organisations.models import Membership, Organisation, Role, Team, User
from civicdesk.organisations.services import add_staff_member, create_organisation, create_team
from civicdesk.people.models import Customer, Representative
from civicdesk.people.services import add_representative, customer_reference, refresh_search_keys
from civicdesk.places.models import Address, Street, Ward
from civicdesk.places.services import AddressRow, upsert_addresses

COUNCIL_SLUG = "kingsmere"
COUNCIL_NAME = "Kingsmere Borough Council"
PARTNER_SLUG = "kingsmere-citizens-advice"
PARTNER_NAME = "Kingsmere Citizens Advice"
# One password for every demo account: long enough and uncommon enough for the site's rules.
DEMO_PASSWORD = "quiet-harbour-4127"
# The benchmark's dates of birth are relative to a fixed day, so a top-up run matches the first.
BENCH_TODAY = datetime.date(2026, 1, 1)
CONSOLE_URL = "http://127.0.0.1:8000/staff/"
OPEN311_URL = "http://127.0.0.1:8000/open311/v2/"
CONTACT_CENTRE_HOURS = {str(day): ["08:30", "17:30"] for day in range(5)}


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    team: str  # a slug in DEMO_TEAMS, or "advice" for the Citizens Advice team
    role: str
    what: str
    superuser: bool = False


DEMO_STAFF = [
    DemoStaff("agent", "Amira", "Hussain", "contact-centre", Role.AGENT, "contact centre agent"),
    DemoStaff(
        "teamleader",
        "Gareth",
        "Price",
        "contact-centre",
        Role.TEAM_LEADER,
        "contact centre team leader",
    ),
    DemoStaff(
        "revenues",
        "Joanne",
        "Whitehead",
        "revenues",
        Role.OFFICER,
        "Council Tax officer (back office)",
    ),
    DemoStaff("benefits", "Tunde", "Adebayo", "benefits", Role.OFFICER, "benefits officer"),
    DemoStaff(
        "manager", "Helen", "Ashworth", "contact-centre", Role.MANAGER, "customer services manager"
    ),
    DemoStaff(
        "admin",
        "Piotr",
        "Nowak",
        "contact-centre",
        Role.ADMINISTRATOR,
        "administrator (superuser, also /admin/)",
        superuser=True,
    ),
    DemoStaff(
        "adviser", "Siobhan", "Kelly", "advice", Role.AGENT, "Citizens Advice adviser (partner)"
    ),
    DemoStaff(
        "waste",
        "Dylan",
        "Morgan",
        "waste",
        Role.TEAM_LEADER,
        "waste and street scene team leader (both waste teams)",
    ),
]
# Demo logins who also work in a second team: (username, team slug, role).
DEMO_SECOND_TEAMS = [("waste", "waste-north", Role.TEAM_LEADER)]
# Officers beyond the named logins, so every back-office team has someone to work its cases:
# (team slug, role, how many), named officer01, officer02 and so on in this order.
BACK_OFFICE_STAFF = [
    ("revenues", Role.TEAM_LEADER, 1),
    ("revenues", Role.OFFICER, 1),
    ("waste", Role.OFFICER, 1),
    ("waste-north", Role.OFFICER, 2),
    ("highways", Role.OFFICER, 2),
    ("environmental-health", Role.OFFICER, 1),
    ("concessions", Role.OFFICER, 1),
    ("education", Role.OFFICER, 1),
    ("community-safety", Role.OFFICER, 1),
    ("adult-safeguarding", Role.OFFICER, 1),
]


@dataclass
class DemoCouncil:
    organisation: Organisation
    partner: Organisation
    teams: dict[str, Team]
    services: dict[str, Service]
    staff: dict[str, User] = field(default_factory=dict)
    agents: list[tuple[int, int]] = field(default_factory=list)


def find_council() -> Organisation | None:
    return Organisation.objects.filter(slug=COUNCIL_SLUG).first()


@transaction.atomic
def install_council(*, rng: random.Random, extra_agents: int = 0) -> DemoCouncil:
    """The council, Citizens Advice, teams, demo staff and catalogue, through the services."""
    validate_password(DEMO_PASSWORD)
    council = create_organisation(
        actor=None, name=COUNCIL_NAME, slug=COUNCIL_SLUG, opening_hours=CONTACT_CENTRE_HOURS
    )
    partner = create_organisation(
        actor=None,
        name=PARTNER_NAME,
        slug=PARTNER_SLUG,
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    teams = {
        team.slug: create_team(
            actor=None,
            organisation=council,
            name=team.name,
            slug=team.slug,
            email=team.email,
            is_contact_centre=team.is_contact_centre,
        )
        for team in DEMO_TEAMS
    }
    advice = create_team(
        actor=None,
        organisation=partner,
        name="Advice line",
        slug="advice",
        email="advice@citizensadvice.example.org",
    )
    staff: dict[str, User] = {}
    for person in DEMO_STAFF:
        staff[person.username] = _add_demo_person(
            person, council, partner, {**teams, "advice": advice}
        )
    admin = staff["admin"]
    # organisations.services has no way to grant superuser status yet; the demo needs one
    # account that can use Django's admin.
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    maker = PersonMaker(rng, datetime.date(2026, 1, 1))
    for number in range(1, extra_agents + 1):
        group = maker.group()
        add_staff_member(
            actor=None,
            organisation=council,
            team=teams["contact-centre"],
            username=f"agent{number:02d}",
            first_name=maker.forenames(group, rng.random() < 0.5),
            last_name=maker.surname(group),
            email=f"agent{number:02d}@kingsmere.example.org",
            password=DEMO_PASSWORD,
            role=Role.AGENT,
        )
    install_demo_catalogue(actor=None, organisation=council, teams=teams)
    install_demo_forms(actor=None, organisation=council)
    return load_council(council)


def _add_demo_person(
    person: DemoStaff, council: Organisation, partner: Organisation, teams: dict[str, Team]
) -> User:
    is_partner = person.team == "advice"
    membership = add_staff_member(
        actor=None,
        organisation=partner if is_partner else council,
        team=teams[person.team],
        username=person.username,
        first_name=person.first_name,
        last_name=person.last_name,
        email=f"{person.username}@{'citizensadvice' if is_partner else 'kingsmere'}.example.org",
        password=DEMO_PASSWORD,
        role=person.role,
    )
    return membership.user


@transaction.atomic
def prepare_for_cases(*, council: DemoCouncil, rng: random.Random) -> DemoCouncil:
    """What cases need beyond `install_council`: the back-office officers, the second waste team,
    SLA promises, routing and assignment settings (after the gazetteer: rules name wards).

    Anything already there is left alone, so a demo or benchmark database made before cases
    existed is topped up: missing teams and demo logins are added too.
    """
    organisation = council.organisation
    teams = dict(council.teams)
    for spec in DEMO_TEAMS:
        if spec.slug not in teams:
            teams[spec.slug] = create_team(
                actor=None, organisation=organisation, name=spec.name, slug=spec.slug,
                email=spec.email, is_contact_centre=spec.is_contact_centre,
            )  # fmt: skip
    teams["advice"] = council.partner.teams.get(slug="advice")
    existing = set(User.objects.values_list("username", flat=True))
    for person in DEMO_STAFF:
        if person.username not in existing:
            _add_demo_person(person, organisation, council.partner, teams)
    for username, team_slug, role in DEMO_SECOND_TEAMS:
        user = User.objects.get(username=username)
        if not Membership.objects.filter(user=user, team=teams[team_slug]).exists():
            add_staff_member(
                actor=None, organisation=organisation, team=teams[team_slug], username=username,
                first_name="", last_name="", email="", password=None, role=role,
            )  # fmt: skip
    maker = PersonMaker(rng, BENCH_TODAY)
    number = 0
    for team_slug, role, count in BACK_OFFICE_STAFF:
        for _ in range(count):
            number += 1
            group = maker.group()
            first_name = maker.forenames(group, rng.random() < 0.5)
            last_name = maker.surname(group)
            username = f"officer{number:02d}"
            if username in existing:
                continue
            add_staff_member(
                actor=None, organisation=organisation, team=teams[team_slug], username=username,
                first_name=first_name, last_name=last_name,
                email=f"{username}@kingsmere.example.org", password=DEMO_PASSWORD, role=role,
            )  # fmt: skip
    install_demo_case_settings(actor=None, organisation=organisation, teams=teams)
    return load_council(organisation)


def load_council(council: Organisation) -> DemoCouncil:
    """The demo council as it stands in the database (for topping up an existing one)."""
    partner = Organisation.objects.get(slug=PARTNER_SLUG)
    teams = {team.slug: team for team in council.teams.all()}
    services = {service.slug: service for service in council.services.all()}
    staff = {
        user.username: user
        for user in User.objects.filter(username__in=[person.username for person in DEMO_STAFF])
    }
    # Who logs contacts: the contact centre's agents and leaders, and back-office officers
    # (who answer some letters and emails themselves).
    agents = list(
        Membership.objects.filter(
            organisation=council, role__in=[Role.AGENT, Role.TEAM_LEADER, Role.OFFICER]
        )
        .order_by("user_id", "team_id")
        .values_list("user_id", "team_id")
    )
    return DemoCouncil(council, partner, teams, services, staff, agents)


def service_refs(council: DemoCouncil) -> list[DemoServiceRef]:
    teams = {team.pk: team.name for team in council.teams.values()}
    return [
        DemoServiceRef(
            service.pk,
            service.slug,
            service.name,
            service.owning_team_id,
            teams.get(service.owning_team_id, "the service team"),
            tuple(service.channels),
        )
        for service in sorted(council.services.values(), key=lambda s: s.pk)
    ]


def add_demo_representatives(
    *, rng: random.Random, council: DemoCouncil, customers: list[Customer], share: float
) -> dict[int, int]:
    """Citizens Advice (mostly) and family members acting for a share of customers."""
    today = datetime.date.today()
    adviser = council.staff.get("adviser")
    represented: dict[int, int] = {}
    chosen = rng.sample(customers, max(1, int(len(customers) * share))) if customers else []
    for customer in chosen:
        given = today - datetime.timedelta(days=rng.randint(10, 900))
        if rng.random() < 0.8:
            representative = add_representative(
                actor=adviser,
                customer=customer,
                name=f"{adviser.get_full_name()}, {PARTNER_NAME}" if adviser else PARTNER_NAME,
                relationship=Representative.Relationship.ADVICE_AGENCY,
                consent_given_on=given,
                consent_expires_on=given + datetime.timedelta(days=rng.choice([365, 730, 1095])),
                partner_organisation=council.partner,
                email="advice@citizensadvice.example.org",
                phone="0116 496 0123",
            )
        else:
            maker = PersonMaker(rng, today)
            group = maker.group()
            representative = add_representative(
                actor=None,
                customer=customer,
                name=f"{maker.forenames(group, rng.random() < 0.5)} {customer.surname}",
                relationship=rng.choice(
                    [Representative.Relationship.FAMILY, Representative.Relationship.CARER]
                ),
                consent_given_on=given,
                phone=maker.mobile(),
            )
        represented[customer.pk] = representative.pk
    return represented


def contact_generator(
    *,
    rng: random.Random,
    council: DemoCouncil,
    customer_ids: list[int] | range,
    representatives: dict[int, int],
    total: int,
    years: int,
    first_id: int,
    note_rate: float = 0.5,
    pinned: int | None = None,
    pinned_count: int = 0,
) -> ContactGenerator:
    """Contacts from `years` ago up to yesterday."""
    end = datetime.date.today() - datetime.timedelta(days=1)
    start = end.replace(year=end.year - years) + datetime.timedelta(days=1)
    return ContactGenerator(
        rng=rng,
        organisation_id=council.organisation.pk,
        services=service_refs(council),
        customers=customer_ids,
        agents=council.agents,
        representatives=representatives,
        start=start,
        end=end,
        total=total,
        first_id=first_id,
        utc_suffix="" if connection.vendor == "sqlite" else "+00:00",
        note_rate=note_rate,
        pinned=pinned,
        pinned_count=pinned_count,
    )


def next_contact_id() -> int:
    latest = Contact.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (latest or 0) + 1


def insert_contacts(
    rows: Iterable[tuple], *, batch: int = 5_000, commit_every: int = 50_000, progress: Any = None
) -> int:
    """Insert contact rows with raw `executemany`, one transaction per `commit_every` rows.

    Raw SQL because the ORM costs several times the insert itself at millions of rows; the
    columns come from the model, so a renamed field fails loudly rather than silently.
    """
    fields = {f.column for f in Contact._meta.concrete_fields}
    missing = set(COLUMNS) - fields
    if missing:
        raise RuntimeError(f"contacts_contact has no columns {sorted(missing)}")
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Contact._meta.db_table)} ({', '.join(map(quote, COLUMNS))}) "
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    inserted = 0
    iterator = iter(rows)
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            in_transaction = 0
            for chunk in _chunks(iterator, batch):
                cursor.executemany(sql, chunk)
                inserted += len(chunk)
                in_transaction += len(chunk)
                if progress:
                    progress(inserted)
                if in_transaction >= commit_every:
                    break
            else:
                break
    reset_sequences([Contact])
    return inserted


def _chunks(iterator: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    while True:
        chunk = [row for _, row in zip(range(size), iterator, strict=False)]
        if not chunk:
            return
        yield chunk


def reset_sequences(models: list[Any]) -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them (no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# The gazetteer and customers in bulk, for the benchmark's hundreds of thousands of rows.


def bulk_load_gazetteer(*, council: DemoCouncil, gazetteer: DemoGazetteer) -> None:
    """Wards, streets and addresses with bulk inserts, skipping any already there."""
    organisation = council.organisation
    wards = []
    for demo_ward in gazetteer.wards:
        ward, _ = Ward.objects.get_or_create(organisation=organisation, name=demo_ward.name)
        wards.append(ward)
    present = set(Street.objects.filter(organisation=organisation).values_list("usrn", flat=True))
    Street.objects.bulk_create(
        [
            _street(organisation, demo_street)
            for demo_street in gazetteer.streets
            if demo_street.usrn not in present
        ],
        batch_size=2_000,
    )
    last = Address.objects.filter(organisation=organisation).order_by("-uprn").first()
    start = last.uprn if last else 0
    batch: list[Address] = []
    for demo in gazetteer.addresses:
        if demo.uprn <= start:
            continue
        batch.append(_address(organisation, demo, gazetteer.streets[demo.street], wards))
        if len(batch) == 5_000:
            with transaction.atomic():
                Address.objects.bulk_create(batch)
            batch = []
    if batch:
        Address.objects.bulk_create(batch)


def bulk_load_customers(
    *,
    council: DemoCouncil,
    customers: Iterable[dict[str, Any]],
    first_pk: int,
    progress: Any = None,
) -> int:
    """Customers with explicit ids (so references are known before insert), in batches."""
    organisation = council.organisation
    batch: list[Customer] = []
    made = 0
    for pk, fields in enumerate(customers, start=first_pk):
        uprn = fields.pop("address")
        customer = Customer(
            pk=pk, organisation=organisation, reference=customer_reference(pk),
            address_id=uprn, **fields,
        )  # fmt: skip
        refresh_search_keys(customer)
        batch.append(customer)
        if len(batch) == 5_000:
            with transaction.atomic():
                Customer.objects.bulk_create(batch)
            made += len(batch)
            batch = []
            if progress:
                progress(made)
    if batch:
        Customer.objects.bulk_create(batch)
        made += len(batch)
    reset_sequences([Customer])
    return made


def _street(organisation: Organisation, demo: DemoStreet) -> Street:
    """An unsaved street with its search key, as `Street.save` would set it."""
    street = Street(
        usrn=demo.usrn, organisation=organisation, name=demo.name, locality=demo.locality,
        town=TOWN,
    )  # fmt: skip
    street.refresh_derived_fields()
    return street


def _address(
    organisation: Organisation, demo: DemoAddress, street: DemoStreet, wards: list[Ward]
) -> Address:
    """An unsaved address with its one-line form and postcode key, as `Address.save` sets them."""
    address = Address(
        uprn=demo.uprn, organisation=organisation, parent_uprn=demo.parent_uprn,
        sao_start_number=demo.sao_start_number, sao_text=demo.sao_text,
        pao_start_number=demo.pao_start_number, pao_text=demo.pao_text, street_id=street.usrn,
        street_name=street.name, locality=street.locality, town=TOWN, postcode=demo.postcode,
        easting=demo.easting, northing=demo.northing, latitude=demo.latitude,
        longitude=demo.longitude, ward=wards[demo.ward], classification=demo.classification,
    )  # fmt: skip
    address.refresh_derived_fields()
    return address


def demo_today() -> datetime.date:
    return datetime.date.today()


def load_gazetteer(*, council: DemoCouncil, gazetteer: DemoGazetteer) -> list[Address]:
    """The small seed's gazetteer, through the same import service a council's LLPG uses."""
    rows = (
        AddressRow(
            uprn=demo.uprn,
            parent_uprn=demo.parent_uprn,
            sao_start_number=demo.sao_start_number,
            sao_text=demo.sao_text,
            pao_start_number=demo.pao_start_number,
            pao_text=demo.pao_text,
            usrn=street.usrn,
            street_name=street.name,
            locality=street.locality,
            town=TOWN,
            postcode=demo.postcode,
            easting=demo.easting,
            northing=demo.northing,
            latitude=demo.latitude,
            longitude=demo.longitude,
            ward=gazetteer.wards[demo.ward].name,
            classification=demo.classification,
        )
        for demo in gazetteer.addresses
        for street in [gazetteer.streets[demo.street]]
    )
    upsert_addresses(organisation=council.organisation, rows=rows, source="demo gazetteer")
    return list(Address.objects.filter(organisation=council.organisation).order_by("uprn"))
