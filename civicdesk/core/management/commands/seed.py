"""`manage.py seed`: fill an empty database with the invented Kingsmere Borough Council.

The same `--seed` always gives the same council, residents, contact history and cases (dates
are relative to today), so a demo, a screenshot or a bug report can be reproduced. Seeding is a
data generator rather than anyone's action: the council, staff, catalogue, addresses and
customers are written through the service functions and audited, but the bulk-inserted contact
history and the finished cases of past years have no audit entries. The open cases are raised
and worked through the cases services, so they are audited and their customers are sent
messages (queued for the worker, through the Notify simulator unless one is configured).
"""

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from civicdesk.api.open311.demo import DEMO_KEY, install_demo_client
from civicdesk.catalogue.demo import top_up_demo_catalogue
from civicdesk.contacts.services import record_home_wards
from civicdesk.core.demo import loader
from civicdesk.core.demo.cases import seed_cases
from civicdesk.core.demo.people import make_customers
from civicdesk.core.demo.places import make_gazetteer
from civicdesk.core.demo.residents import PORTAL_URL, DemoResidents, add_demo_residents
from civicdesk.forms.demo import install_demo_forms
from civicdesk.insight.demo import install_demo_figures
from civicdesk.notify.demo import install_demo_templates
from civicdesk.people.services import create_customer

# Open cases at the end, as a share of the contacts: about 300 for `make run`.
OPEN_SHARE = 0.015


class Command(BaseCommand):
    help = "Load the Kingsmere demo council: staff, services, addresses, people, contacts, cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--contacts", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=42, help="Same seed, same data.")
        parser.add_argument(
            "--years", type=int, default=5, help="How many years of contact history."
        )
        parser.add_argument(
            "--open-cases",
            type=int,
            default=None,
            help="About how many cases are still open (default: 1.5%% of --contacts).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the demo council is already there.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (existing := loader.find_council()) is not None:
            if options["if_empty"]:
                self.stdout.write("The demo council is already loaded; nothing to do.")
                # A demo made before the portal, Open311 and e-forms gets what they need.
                install_demo_client(existing)
                council = loader.load_council(existing)
                top_up_demo_catalogue(actor=None, services=council.services)
                install_demo_forms(actor=None, organisation=existing)
                install_demo_templates(actor=None, organisation=existing)
                install_demo_figures(organisation=existing)
                self.print_logins(add_demo_residents(council=council))
                return
            raise CommandError(
                "The demo council is already loaded. Use a fresh database, or --if-empty."
            )
        if options["customers"] < 1 or options["contacts"] < 0:
            raise CommandError("Give at least 1 customer and 0 or more contacts.")
        open_cases = options["open_cases"]
        if open_cases is None:
            open_cases = round(options["contacts"] * OPEN_SHARE)
        started = time.perf_counter()
        with transaction.atomic():
            counts = self.seed(
                customers=options["customers"],
                contacts=options["contacts"],
                seed=options["seed"],
                years=options["years"],
                open_cases=open_cases,
            )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts['addresses']:,} addresses, {counts['customers']:,} customers, "
                f"{counts['contacts']:,} contacts and {counts['cases']:,} cases "
                f"({counts['open']:,} open) in {elapsed:.1f} s."
            )
        )
        self.stdout.write(
            "  " + ", ".join(f"{what} {seconds:.1f} s" for what, seconds in self.timings.items())
        )
        self.print_logins(counts["residents"])

    def step(self, what: str) -> None:
        now = time.perf_counter()
        self.timings[what] = now - self.started
        self.started = now

    def seed(
        self, *, customers: int, contacts: int, seed: int, years: int, open_cases: int = 0
    ) -> dict[str, Any]:
        """Each part has its own random stream, so changing one leaves the others alone."""
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()
        council = loader.install_council(
            rng=random.Random(f"{seed}:council"), extra_agents=max(4, min(20, customers // 200))
        )
        install_demo_client(council.organisation)
        gazetteer = make_gazetteer(random.Random(f"{seed}:places"), max(20, customers // 2))
        self.step("council and staff")
        addresses = loader.load_gazetteer(council=council, gazetteer=gazetteer)
        homes = [address for address in addresses if address.classification.startswith("RD")]
        people_rng = random.Random(f"{seed}:people")
        people_rng.shuffle(homes)
        made = [
            create_customer(actor=None, organisation=council.organisation, **fields)
            for fields in make_customers(people_rng, customers, homes, loader.demo_today())
        ]
        representatives = loader.add_demo_representatives(
            rng=random.Random(f"{seed}:representatives"),
            council=council,
            customers=made,
            share=0.01,
        )
        self.step("addresses and customers")
        customer_ids = [customer.pk for customer in made]
        contact_rng = random.Random(f"{seed}:contacts")
        contact_rng.shuffle(customer_ids)  # the first tenth become the frequent callers
        generator = loader.contact_generator(
            rng=contact_rng,
            council=council,
            customer_ids=customer_ids,
            representatives=representatives,
            total=contacts,
            years=years,
            first_id=loader.next_contact_id(),
        )
        inserted = loader.insert_contacts(generator.rows()) if contacts else 0
        record_home_wards(organisation=council.organisation)
        self.step("contacts")
        council = loader.prepare_for_cases(council=council, rng=random.Random(f"{seed}:staff"))
        self.step("case settings and officers")
        cases = seed_cases(council=council, seed=seed, open_cases=open_cases)
        self.step(
            f"cases ({cases.history:,} generated, {cases.backlog:,} raised and "
            f"worked through the services)"
        )
        residents = add_demo_residents(council=council)
        self.step("portal sign-ins")
        install_demo_figures(organisation=council.organisation)
        self.step("figures for managers")
        return {
            "residents": residents,
            "addresses": len(addresses),
            "customers": len(made),
            "contacts": inserted,
            "cases": cases.history + cases.backlog,
            "open": cases.open,
        }

    def print_logins(self, residents: DemoResidents) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Sign in at {loader.CONSOLE_URL}"))
        self.stdout.write(f"Password for every demo account: {loader.DEMO_PASSWORD}")
        for person in loader.DEMO_STAFF:
            self.stdout.write(f"  {person.username:<12} {person.first_name} {person.last_name}, "
                              f"{person.what}")  # fmt: skip
        self.stdout.write("  agent01 ...  more contact centre agents, same password")
        self.stdout.write("  officer01 ... back-office officers and team leaders, same password")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"The public site: {PORTAL_URL}"))
        self.stdout.write(f"  {residents.resident_email:<20} a resident, same password; track "
                          f"{residents.reference} with that email address")  # fmt: skip
        self.stdout.write(f"  {residents.carer_email:<20} a carer who may act for a neighbour")
        self.stdout.write(f"Open311 demo key (api_key): {DEMO_KEY}")
        self.stdout.write(f"  e.g. {loader.OPEN311_URL}services.json")
        self.stdout.write("The data is invented: Kingsmere, its postcodes (KM) and its people.")
