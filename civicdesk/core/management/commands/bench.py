"""`manage.py bench`: seed a metropolitan council's worth of data and time the hot paths.

The hot paths: finding a customer and their single view, logging contacts, a team's queue, a
case's page and the escalation sweep over millions of cases (5 million, about 75,000 open, with
their timelines). Cases are generated in bulk (`core.demo.cases.bulk_cases`), consistent with
each service's SLA as of the moment they were generated, which is kept beside the database so
the sweep is measured against it however much later the benchmark runs again. The sweeps run
in a transaction that is rolled back, so measuring leaves the cases as they were.

By default it works on its own SQLite file, `var/bench.sqlite3`: the command starts itself again
with CIVICDESK_SQLITE_PATH pointing there (settings read that once, at start-up, so switching in
place would be fragile). With DATABASE_URL set it uses that database instead, which should be a
scratch one. Data already there is reused, and a run that was interrupted is topped up from
where it stopped, because every row is generated deterministically from `--seed`.

The figures are printed beside the targets the design sets, marked PASS or MISS; nothing fails.
"""

import datetime
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from civicdesk.api.open311.models import Open311Client, hash_key
from civicdesk.api.open311.selectors import open311_services, shown_service_ids
from civicdesk.api.open311.services import issue_client
from civicdesk.cases import escalation
from civicdesk.cases.models import Case, CaseEvent, Referral
from civicdesk.cases.selectors import QueueFilters, team_queue
from civicdesk.catalogue.demo import top_up_demo_catalogue
from civicdesk.catalogue.models import Service
from civicdesk.contacts.models import Contact
from civicdesk.contacts.selectors import customer_timeline
from civicdesk.contacts.services import log_contact, record_home_wards
from civicdesk.core.demo import loader
from civicdesk.core.demo.cases import bulk_cases, to_datetime, to_seconds
from civicdesk.core.demo.people import make_customers
from civicdesk.core.demo.places import make_gazetteer
from civicdesk.insight.alerts import detect_demand, detect_demand_range
from civicdesk.insight.kpis import install_demo_indicators
from civicdesk.insight.models import RollupState
from civicdesk.insight.services import mark_stale
from civicdesk.insight.services import rebuild as rebuild_rollups
from civicdesk.insight.services import refresh as refresh_rollups
from civicdesk.notify.demo import install_demo_templates
from civicdesk.organisations.models import Organisation, User
from civicdesk.people.models import Customer, Representative
from civicdesk.people.selectors import customer_for_user, search_customers
from civicdesk.places.models import Address, Ward
from civicdesk.workforce.demo import install_demo_workforce
from civicdesk.workforce.services import make_forecast

BENCH_DATABASE = "bench.sqlite3"
PINNED_CONTACTS = 200
TARGETS = {
    "search": 50.0, "single_view": 100.0, "contacts_per_second": 200.0, "seeding": 900.0,
    "queue": 100.0, "case_page": 100.0, "sweep": 30_000.0, "open311": 50.0, "figures": 300.0,
    "refresh": 5_000.0, "alerts": 10_000.0, "forecast": 30_000.0,
}  # fmt: skip
MEASURE_GROUPS = ("customers", "cases", "open311", "figures")
BENCH_CLIENT = "Benchmark (Open311)"
BENCH_KEY = "bench-open311-key-not-for-production"
QUEUE_VIEWS = ["", "?sort=opened", "?sort=priority", "?due=breached", "?due=soon",
               "?assignee=nobody", "?status=in_progress", "?page=2", "?page=20"]  # fmt: skip
# Easily confused spellings an agent types for a name heard over the phone.
MISHEARD = {
    "Smith": "Smyth", "Smyth": "Smith", "John": "Jon", "Jon": "John", "Stephen": "Steven",
    "Steven": "Stephen", "Catherine": "Katherine", "Katherine": "Kathryn", "Clarke": "Clark",
    "Clark": "Clarke", "Mohammed": "Muhammad", "Muhammad": "Mohamed", "Phillips": "Philips",
    "Thompson": "Thomson", "MacDonald": "McDonald", "McDonald": "Macdonald", "Sean": "Shaun",
    "Siobhan": "Shivaun", "Niamh": "Neeve", "Hussain": "Hussein", "Chowdhury": "Choudhury",
    "Kowalski": "Kowalsky", "Wiśniewski": "Wisniewski", "O'Brien": "OBrien", "Gray": "Grey",
    "Reid": "Reed", "Stewart": "Stuart", "Davies": "Davis", "Brown": "Browne",
}  # fmt: skip


def trivial_view(request: HttpRequest) -> HttpResponse:
    """The yardstick for throughput: one indexed row from the same database, as plain text."""
    return HttpResponse(Organisation.objects.values_list("name", flat=True).first() or "")


# Served while the throughput is measured (ROOT_URLCONF pointed here): the site and the yardstick.
urlpatterns = [
    path("bench/trivial", trivial_view, name="bench-trivial"),
    path("", include("civicdesk.urls")),
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = (
        "Seed 300,000 customers, 20 million contacts and 5 million cases (once) and time "
        "search, the single view, queues, case pages and the escalation sweep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=300_000)
        parser.add_argument("--addresses", type=int, default=150_000)
        parser.add_argument("--contacts", type=int, default=20_000_000)
        parser.add_argument("--cases", type=int, default=5_000_000)
        parser.add_argument("--open-cases", type=int, default=75_000, help="About this many.")
        parser.add_argument(
            "--sweep-due",
            type=int,
            default=3_000,
            help="Open cases falling due for a warning in the timed escalation sweep.",
        )
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--samples", type=int, default=200, help="Timed runs per measure.")
        parser.add_argument("--log-calls", type=int, default=2_000)
        parser.add_argument("--open311-posts", type=int, default=300, help="Reports posted.")
        parser.add_argument(
            "--only", action="append", choices=MEASURE_GROUPS, help="Time only these (repeat)."
        )
        parser.add_argument("--seed-only", action="store_true", help="Seed, do not measure.")

    def execute(self, *args: Any, **options: Any) -> Any:
        # Before Django opens a connection: restart on the benchmark's own database.
        if not os.environ.get("DATABASE_URL") and not os.environ.get("CIVICDESK_SQLITE_PATH"):
            path = Path(settings.VAR_DIR) / BENCH_DATABASE
            environment = {**os.environ, "CIVICDESK_SQLITE_PATH": str(path)}
            sys.stdout.flush()
            os.execve(sys.executable, [sys.executable, *sys.argv], environment)
        return super().execute(*args, **options)

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        database = settings.DATABASES["default"]
        self.say(f"Database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
        self._migrate()
        seeding = self.seed(options)
        connection.close()  # the next connection has the ordinary, durable settings again
        if options["seed_only"]:
            return
        self.measure(options, seeding)

    def _migrate(self) -> None:
        """Migrate, without SQLite's check of every foreign key in the file after each migration
        (Django's schema editor runs one): on the benchmark's 10 GB it took many minutes a
        migration, and the rows were generated consistent and are checked by the measures."""
        wrapper = connections[DEFAULT_DB_ALIAS]
        if wrapper.vendor == "sqlite":
            wrapper.check_constraints = lambda table_names=None: None
        try:
            call_command("migrate", verbosity=1, stdout=self.stdout)
        finally:
            wrapper.__dict__.pop("check_constraints", None)

    # Seeding.

    def seed(self, options: dict[str, Any]) -> dict[str, Any]:
        record_file = self._record_file()
        started = time.perf_counter()
        did_work = False
        self._fast_writes()
        seed = options["seed"]
        council_row = loader.find_council()
        if council_row is None:
            self.say("Creating the council, staff and catalogue...")
            council = loader.install_council(rng=random.Random(f"{seed}:council"), extra_agents=80)
            did_work = True
        else:
            council = loader.load_council(council_row)
            top_up_demo_catalogue(actor=None, services=council.services)
        organisation = council.organisation

        address_count = Address.objects.filter(organisation=organisation).count()
        if address_count < options["addresses"]:
            self.say(f"Addresses: {address_count:,} of {options['addresses']:,}; adding...")
            step = time.perf_counter()
            gazetteer = make_gazetteer(random.Random(f"{seed}:places"), options["addresses"])
            loader.bulk_load_gazetteer(council=council, gazetteer=gazetteer)
            self.say(f"  done in {time.perf_counter() - step:.0f} s")
            did_work = True

        customer_count = Customer.objects.filter(organisation=organisation).count()
        if customer_count < options["customers"]:
            self.say(f"Customers: {customer_count:,} of {options['customers']:,}; adding...")
            step = time.perf_counter()
            homes = list(
                Address.objects.filter(organisation=organisation, classification__startswith="RD")
                .order_by("uprn")
                .values_list("uprn", flat=True)
            )
            rng = random.Random(f"{seed}:people")
            rng.shuffle(homes)
            people = make_customers(rng, options["customers"], homes, loader.BENCH_TODAY)
            latest = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            # Rows are regenerated in the same order; those already stored are skipped.
            remaining = (fields for index, fields in enumerate(people) if index >= customer_count)
            loader.bulk_load_customers(
                council=council, customers=remaining, first_pk=latest + 1,
                progress=self._progress("customers", options["customers"], customer_count),
            )  # fmt: skip
            self.say(f"  done in {time.perf_counter() - step:.0f} s")
            did_work = True

        customers = Customer.objects.filter(organisation=organisation).order_by("pk")
        first_pk = customers.values_list("pk", flat=True).first()
        last_pk = customers.order_by("-pk").values_list("pk", flat=True).first()
        representatives = self._representatives(council, seed, first_pk, last_pk)

        target = options["contacts"]
        first_id = 1
        stored = Contact.objects.filter(pk__lte=target).count()
        if stored < target:
            self.say(f"Contacts: {stored:,} of {target:,}; adding...")
            step = time.perf_counter()
            rng = random.Random(f"{seed}:contacts")
            generator = loader.contact_generator(
                rng=rng, council=council, customer_ids=range(first_pk + 1, last_pk + 1),
                representatives=representatives, total=target, years=options["years"],
                first_id=first_id, note_rate=0.3, pinned=first_pk,
                pinned_count=PINNED_CONTACTS,
            )  # fmt: skip
            done = (
                Contact.objects.filter(pk__lte=target)
                .order_by("-pk")
                .values_list("pk", flat=True)
                .first()
                or 0
            )
            rows = (row for row in generator.rows() if row[0] > done)
            if target - stored >= 1_000_000:
                self._drop_contact_indexes()
            loader.insert_contacts(
                rows, batch=10_000, commit_every=50_000,
                progress=self._progress("contacts", target, stored),
            )  # fmt: skip
            self.say(f"  done in {time.perf_counter() - step:.0f} s")
            did_work = True
        if self._restore_contact_indexes():
            did_work = True
        contact_seconds = time.perf_counter() - started

        case_seconds = self._seed_cases(council, options)
        if did_work or case_seconds is not None:
            self._analyse()
        rollup_seconds = self._seed_rollups(
            council, rebuild_now=did_work or case_seconds is not None
        )

        elapsed = time.perf_counter() - started
        previous = json.loads(record_file.read_text()) if record_file.exists() else {}
        if did_work or case_seconds is not None:
            record = {
                **previous,
                "complete": True,
                "options": {
                    key: options[key]
                    for key in ("customers", "addresses", "contacts", "cases", "seed")
                },
            }
            if did_work:
                record["seconds"] = contact_seconds
            if case_seconds is not None:
                record["case_seconds"] = case_seconds
            if rollup_seconds is not None:
                record["rollup_seconds"] = rollup_seconds
            record_file.write_text(json.dumps(record))
            self.say(f"Seeding took {elapsed / 60:.1f} minutes.")
            return {
                "seconds": record.get("seconds"), "case_seconds": record.get("case_seconds"),
                "rollup_seconds": record.get("rollup_seconds"),
                "reused": not did_work, "cases_reused": case_seconds is None,
            }  # fmt: skip
        if rollup_seconds is not None:
            record_file.write_text(json.dumps({**previous, "rollup_seconds": rollup_seconds}))
        self.say("The data was already there; reusing it.")
        return {
            "seconds": previous.get("seconds"), "case_seconds": previous.get("case_seconds"),
            "rollup_seconds": rollup_seconds or previous.get("rollup_seconds"),
            "reused": True, "cases_reused": True,
        }  # fmt: skip

    def _seed_cases(self, council: loader.DemoCouncil, options: dict[str, Any]) -> float | None:
        """Officers, SLA settings, message templates and cases, if they are not there yet.
        Returns how long adding cases took, or None if they were there."""
        seed = options["seed"]
        council = loader.prepare_for_cases(council=council, rng=random.Random(f"{seed}:staff"))
        install_demo_templates(actor=None, organisation=council.organisation)
        target = options["cases"]
        stored = Case.objects.filter(pk__lte=target).count()
        if stored >= target:
            return None
        started = time.perf_counter()
        now = self._cases_now()
        self.say(
            f"Cases: {stored:,} of {target:,} (about {options['open_cases']:,} open as of "
            f"{to_datetime(now):%Y-%m-%d %H:%M} UTC); adding..."
        )
        made, events, referrals = bulk_cases(
            council=council, seed=seed, target=target, open_cases=options["open_cases"], now=now,
            last_contact_id=options["contacts"], say=self.say,
            progress=self._progress("cases", target, stored),
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        self.say(
            f"  {made:,} cases, {events:,} events and {referrals:,} referrals in "
            f"{elapsed:.0f} s ({made / max(elapsed, 1e-6):,.0f} cases/s)"
        )
        return elapsed

    def _seed_rollups(self, council: loader.DemoCouncil, *, rebuild_now: bool) -> float | None:
        """The management information rollups, rebuilt from scratch (timed) when the raw data is
        new or they were never made; the demand alerts of the last 28 days and the forecast."""
        organisation = council.organisation
        if not rebuild_now and RollupState.objects.filter(organisation=organisation).exists():
            return None
        self.say("Rollups: rebuilding from every contact and case...")
        record_home_wards(organisation=organisation)
        started = time.perf_counter()

        def progress(day: datetime.date) -> None:
            if day.month == 12 and day.day == 31:
                self.say(f"  ... {day:%Y} done, {time.perf_counter() - started:.0f} s")

        rebuilt = rebuild_rollups(organisation=organisation, progress=progress)
        elapsed = time.perf_counter() - started
        self.say(
            f"  {rebuilt.days:,} days and {rebuilt.backlog_rows:,} backlog rows in {elapsed:.0f} s"
        )
        install_demo_workforce(organisation=organisation)
        install_demo_indicators(organisation=organisation)
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        detect_demand_range(
            organisation=organisation, start=yesterday - datetime.timedelta(days=27), end=yesterday
        )
        return elapsed

    def _cases_file(self) -> Path:
        return Path(f"{self._record_file()}".replace(".seeding.json", ".cases.json"))

    def _cases_now(self) -> int:
        """The moment the cases are generated as of: kept, so a run that stopped part way
        carries on with the same one and the sweep is measured against it."""
        saved = self._cases_file()
        if saved.exists():
            return int(json.loads(saved.read_text())["now"])
        now = to_seconds(timezone.now())
        saved.write_text(json.dumps({"now": now}))
        return now

    def _record_file(self) -> Path:
        """How long seeding took, kept beside the SQLite file it describes."""
        database = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            return Path(f"{database['NAME']}.seeding.json")
        return Path(settings.VAR_DIR) / f"bench-{database['NAME']}.seeding.json"

    def _analyse(self) -> None:
        """Planner statistics, as a maintained database has them.

        A full ANALYZE (about 15 s here): SQLite's sampled one (`analysis_limit`) reads too few
        rows to tell a phone number from an organisation, and then scans every customer.
        """
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _fast_writes(self) -> None:
        """Only for seeding, on this connection: a crash may corrupt the file (reseed then).

        Foreign keys are not checked row by row: every id the generators use was read from the
        database. The connection is closed after seeding, so measuring runs with the settings'
        ordinary, durable configuration.
        """
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA foreign_keys=OFF")
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-4000000")
                cursor.execute("PRAGMA temp_store=MEMORY")

    def _index_file(self) -> Path:
        return Path(f"{settings.DATABASES['default']['NAME']}.contact-indexes.json")

    def _drop_contact_indexes(self) -> None:
        """Build the contact indexes once at the end rather than row by row (SQLite only).

        Maintaining eight indexes, two of them keyed on a random customer, costs several times
        the insert itself; one sort per index afterwards is much cheaper. Their definitions are
        kept in a file first, so an interrupted run puts them back on the next start.
        """
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [Contact._meta.db_table],
            )
            indexes = cursor.fetchall()
            if not indexes:
                return
            saved = self._index_file()
            known = json.loads(saved.read_text()) if saved.exists() else []
            saved.write_text(json.dumps(known + [list(index) for index in indexes]))
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def _restore_contact_indexes(self) -> bool:
        saved = self._index_file()
        if connection.vendor != "sqlite" or not saved.exists():
            return False
        step = time.perf_counter()
        self.say("Building the contact indexes...")
        with connection.cursor() as cursor:
            for name, sql in json.loads(saved.read_text()):
                cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s",
                               [name])  # fmt: skip
                if cursor.fetchone() is None:
                    cursor.execute(sql)
        saved.unlink()
        self.say(f"  done in {time.perf_counter() - step:.0f} s")
        return True

    def _progress(self, what: str, total: int, already: int) -> Callable[[int], None]:
        started = time.perf_counter()
        state = {"next": 0}

        def report(done: int) -> None:
            if done >= state["next"]:
                state["next"] = done + max(total // 20, 1)
                rate = done / max(time.perf_counter() - started, 1e-6)
                self.say(f"  {already + done:,} {what} ({rate:,.0f}/s)")

        return report

    def _representatives(
        self, council: loader.DemoCouncil, seed: int, first_pk: int, last_pk: int
    ) -> dict[int, int]:
        """Citizens Advice acts for 0.5% of customers; made once, in bulk."""
        existing = Representative.objects.filter(organisation=council.organisation)
        if not existing.exists():
            rng = random.Random(f"{seed}:representatives")
            chosen = rng.sample(range(first_pk + 1, last_pk + 1), (last_pk - first_pk) // 200)
            today = loader.BENCH_TODAY
            Representative.objects.bulk_create(
                [
                    Representative(
                        organisation=council.organisation,
                        customer_id=customer_id,
                        name=loader.PARTNER_NAME,
                        relationship=Representative.Relationship.ADVICE_AGENCY,
                        partner_organisation=council.partner,
                        consent_given_on=today,
                        email="advice@citizensadvice.example.org",
                    )
                    for customer_id in sorted(chosen)
                ],
                batch_size=2_000,
            )
        return dict(existing.order_by("customer_id").values_list("customer_id", "pk"))

    # Measuring.

    def measure(self, options: dict[str, Any], seeding: dict[str, Any]) -> None:
        council = loader.load_council(loader.find_council())
        rng = random.Random(f"{options['seed']}:measure")
        samples = options["samples"]
        groups = set(options["only"] or MEASURE_GROUPS)
        results: list[tuple[str, list[float] | None, str, str]] = []
        rate = None
        if "customers" in groups:
            agent = council.staff["agent"]
            customers = self._sample_customers(rng, council, samples)
            results.extend(self._customer_measures(council, agent, customers, rng, samples))
            rate = self._log_contacts(council, agent, customers, options["log_calls"])
        if "cases" in groups:
            results.extend(self._case_measures(council, rng, samples, options))
        if "figures" in groups:
            results.extend(self._figure_measures(council, rng, samples))
        open311 = None
        if "open311" in groups:
            open311 = self._open311_measures(council, rng, samples, options["open311_posts"])
            results.extend(open311.pop("results"))
        self._report(results, rate, seeding, options)
        if open311:
            self._report_open311(open311)

    def _figure_measures(
        self, council: loader.DemoCouncil, rng: random.Random, samples: int
    ) -> list[tuple[str, list[float] | None, str, str]]:
        """The figures pages as a manager reads them, and the background work behind them."""
        organisation = council.organisation
        clients = {}
        for username in ("manager", "waste"):
            clients[username] = Client(SERVER_NAME=(settings.ALLOWED_HOSTS or ["localhost"])[0])
            clients[username].force_login(User.objects.get(username=username))
        dashboard = reverse("console:insight-dashboard")
        services = list(
            Service.objects.filter(organisation=organisation).values_list("pk", flat=True)
        )
        wards = list(Ward.objects.filter(organisation=organisation).values_list("pk", flat=True))
        pages = [
            ("Dashboard, last 4 weeks", [dashboard]),
            ("Dashboard, last quarter", [f"{dashboard}?period=last-quarter"]),
            ("Dashboard, last 12 months", [f"{dashboard}?period=year"]),
            ("Dashboard, a quarter for one service",
             [f"{dashboard}?period=quarter&service={pk}" for pk in services]),
            ("Dashboard, 12 months for one service",
             [f"{dashboard}?period=year&service={pk}" for pk in services]),
            ("Dashboard, a quarter for one ward",
             [f"{dashboard}?period=quarter&ward={pk}" for pk in wards]),
            ("Dashboard, a team leader's last 4 weeks (waste)", [dashboard]),
            ("Dashboard, custom 45 days on the phone",
             [f"{dashboard}?period=custom&start=2026-08-17&end=2026-09-30&channel=phone"]),
            ("Dashboard table as CSV (services, last quarter)",
             [f"{dashboard}?period=last-quarter&format=csv&table=services"]),
            ("E-enablement and channel shift (8 quarters)", [reverse("console:e-enablement")]),
            ("Performance indicators, this quarter", [reverse("console:indicators")]),
            ("Demand alerts", [reverse("console:demand-alerts")]),
            ("Workforce plan (phone, this week)", [reverse("console:workforce")]),
        ]  # fmt: skip
        count = max(20, samples // 4)
        results: list[tuple[str, list[float] | None, str, str]] = []
        for label, urls in pages:
            chosen = [rng.choice(urls) for _ in range(count)]
            reader = "waste" if "team leader" in label else "manager"
            times, note = self._get_times(clients[reader], chosen)
            results.append((label, times, f"GET {urls[0]}{note}", "figures"))

        # The background work: a refresh after a day's worth of change, a day's demand
        # detection, and a forecast with its backtest.
        times = []
        for _ in range(5):
            mark_stale(organisation_id=organisation.pk, moments=[timezone.now()])
            started = time.perf_counter()
            refresh_rollups(organisation=organisation)
            times.append((time.perf_counter() - started) * 1000)
        results.append(("Rollup refresh: today's rows and backlog again", times, "", "refresh"))
        times = []
        for _ in range(5):
            started = time.perf_counter()
            detect_demand(organisation=organisation)
            times.append((time.perf_counter() - started) * 1000)
        results.append(("Demand alerts for a day (every service and ward)", times, "", "alerts"))
        times = []
        for _ in range(3):
            started = time.perf_counter()
            make_forecast(organisation=organisation, channel="phone")
            times.append((time.perf_counter() - started) * 1000)
        results.append(("Forecast: 6 weeks of half-hours with its backtest", times, "", "forecast"))
        return results

    def _customer_measures(
        self,
        council: loader.DemoCouncil,
        agent: Any,
        customers: list[Customer],
        rng: random.Random,
        samples: int,
    ) -> list[tuple[str, list[float], str, str]]:
        """Finding the caller three ways, and their single view."""
        results = []
        name_queries = [(self._misspell(rng, c), c.pk) for c in customers]
        results.append(self._time("Search by name (misspelt)", name_queries, agent))
        postcodes = [
            (self._as_typed(rng, c.address.postcode), c.pk) for c in customers if c.address
        ]
        results.append(self._time("Search by postcode", postcodes, agent))
        phones = []
        for customer in customers:
            numbers = [number for number in (customer.mobile, customer.phone) if number]
            if numbers:
                number = rng.choice(numbers)
                typed = rng.choice([number, number.replace(" ", ""), "+44 " + number[1:]])
                phones.append((typed, customer.pk))
        results.append(self._time("Search by phone", phones, agent))

        pinned = Customer.objects.filter(organisation=council.organisation).order_by("pk").first()
        view_times, how = self._single_view(agent, pinned, min(samples, 100))
        pinned_count = Contact.objects.filter(customer=pinned).count()
        results.append((f"Single view, {pinned_count} contacts ({how})", view_times, "", ""))
        return results

    def _case_measures(
        self, council: loader.DemoCouncil, rng: random.Random, samples: int, options: dict[str, Any]
    ) -> list[tuple[str, list[float], str, str]]:
        """The waste team leader's queue and case pages, and the escalation sweep."""
        leader = User.objects.filter(username="waste").first()
        team = council.teams.get("waste")
        saved = self._cases_file()
        if leader is None or team is None or not saved.exists() or not Case.objects.exists():
            self.say("No cases yet: not timing queues, case pages or the sweep.")
            return []
        results = []
        client = Client(SERVER_NAME=(settings.ALLOWED_HOSTS or ["localhost"])[0])
        client.force_login(leader)
        in_queue = Case.objects.filter(team=team, is_open=True).count()
        try:
            url = reverse("console:queue", args=[team.slug])
        except NoReverseMatch as error:
            self.say(f"No queue page yet ({error}); timing the selector it would call.")
            url = None
        if url and client.get(url).status_code == 200:
            times, note = self._get_times(client, [url] * samples)
            label = f"Team queue, first page ({team.slug}, {in_queue:,} open)"
            results.append((label, times, f"GET {url}{note}", "queue"))
            mixed = [url + rng.choice(QUEUE_VIEWS) for _ in range(samples)]
            times, note = self._get_times(client, mixed)
            results.append(("Team queue, other sorts, filters and pages", times, note, "queue"))
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queue_queries = list(captured.captured_queries)
        else:
            times = []
            for _ in range(samples):
                started = time.perf_counter()
                list(team_queue(user=leader, team=team, filters=QueueFilters())[:50])
                times.append((time.perf_counter() - started) * 1000)
            results.append((f"Team queue selector ({in_queue:,} open)", times, "no page", "queue"))
            queue_queries = None

        references = self._sample_references(rng, team, samples)
        pages = [reverse("console:case", args=[reference]) for reference in references]
        times, note = self._get_times(client, pages)
        label = f"Case page ({len(pages)} cases, half of them open)"
        results.append((label, times, note.strip(", "), "case_page"))
        with CaptureQueriesContext(connection) as captured:
            client.get(pages[0])
        case_queries = list(captured.captured_queries)

        now = to_datetime(int(json.loads(saved.read_text())["now"]))
        idle = [self._sweep(now)[0] for _ in range(5)]
        _, idle_result = self._sweep(now)
        results.append(("Escalation sweep, nothing due", idle, self._swept(idle_result), "sweep"))
        later = self._later(now, options["sweep_due"])
        if later is not None:
            with CaptureQueriesContext(connection) as captured:
                first, result = self._sweep(later)
            sweep_queries = list(captured.captured_queries)
            due = [first] + [self._sweep(later)[0] for _ in range(2)]
            after = (later - now).total_seconds() / 3600
            label = f"Escalation sweep, {after:.0f} hours later"
            results.append((label, due, self._swept(result), "sweep"))
        else:
            sweep_queries = None
        if connection.vendor == "sqlite":
            self._plans("the queue page", queue_queries)
            self._plans("the case page", case_queries)
            self._plans("the sweep", sweep_queries)
        return results

    def _open311_measures(
        self, council: loader.DemoCouncil, rng: random.Random, samples: int, posts: int
    ) -> dict[str, Any]:
        """GET requests.xml as FixMyStreet polls it, its throughput against a trivial view on
        the same database, and POST requests.xml as clients send reports."""
        organisation = council.organisation
        if not Open311Client.objects.filter(key_hash=hash_key(BENCH_KEY)).exists():
            issue_client(
                actor=None, organisation=organisation, name=BENCH_CLIENT,
                rate_limit_per_minute=1_000_000, key=BENCH_KEY,
            )  # fmt: skip
        client = Client(SERVER_NAME=(settings.ALLOWED_HOSTS or ["localhost"])[0])
        url = reverse("open311:requests", kwargs={"fmt": "xml"})
        shown = Case.objects.filter(service_id__in=shown_service_ids(organisation))
        newest = shown.order_by("-opened_at").values_list("opened_at", flat=True).first()
        oldest = shown.order_by("opened_at").values_list("opened_at", flat=True).first()
        codes = list(open311_services(organisation).values_list("slug", flat=True))
        last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        picked = rng.sample(range(1, last + 1), min(last, samples * 5))
        references = list(shown.filter(pk__in=picked).values_list("reference", flat=True))

        def some_week() -> str:
            start = oldest + (newest - oldest) * rng.random()
            end = start + datetime.timedelta(days=7)
            return f"start_date={start:%Y-%m-%dT%H:%M:%SZ}&end_date={end:%Y-%m-%dT%H:%M:%SZ}"

        polls = [
            lambda: "",
            lambda: "?status=open",
            lambda: f"?service_code={rng.choice(codes)}",
            lambda: f"?service_code={rng.choice(codes)}&status=closed&page=2",
            lambda: "?" + some_week(),
            lambda: "?service_request_id=" + ",".join(rng.sample(references, 10)),
        ]
        results = []
        times, note = self._get_times(client, [url] * samples)
        size = len(client.get(url).content)
        label = "Open311 GET requests.xml, newest 1,000 of 90 days"
        results.append((label, times, f"{size / 1024:.0f} KiB{note}", "open311"))
        # As FixMyStreet polls: the last day's requests, by start and end date.
        days = []
        for _ in range(samples):
            end = newest - datetime.timedelta(hours=rng.randint(0, 24 * 60))
            start = end - datetime.timedelta(days=1)
            days.append(
                f"{url}?start_date={start:%Y-%m-%dT%H:%M:%SZ}&end_date={end:%Y-%m-%dT%H:%M:%SZ}"
            )
        times, note = self._get_times(client, days)
        label = "Open311 GET requests.xml, a day's requests (start/end date)"
        results.append((label, times, note.strip(", "), "open311"))
        mixed = [url + rng.choice(polls)() for _ in range(samples)]
        times, note = self._get_times(client, mixed)
        label = "Open311 GET requests.xml, filters (status, code, dates, ids)"
        results.append((label, times, note.strip(", "), "open311"))
        with override_settings(ROOT_URLCONF=__name__):
            trivial = self._rate(client, [reverse("bench-trivial")] * samples)
            polled = self._rate(client, [url] * samples)
        posted = self._post_reports(client, council, rng, codes, posts)
        return {"results": results, "trivial": trivial, "polled": polled, "posted": posted}

    def _rate(self, client: Client, urls: list[str]) -> float:
        """Requests a second, one after another in this process."""
        for url in urls[:10]:
            client.get(url)
        started = time.perf_counter()
        for url in urls:
            client.get(url)
        return len(urls) / (time.perf_counter() - started)

    def _post_reports(
        self,
        client: Client,
        council: loader.DemoCouncil,
        rng: random.Random,
        codes: list[str],
        count: int,
    ) -> dict[str, Any]:
        """Reports posted as a client would: reading each service's definition for the
        attributes to answer, placed at a UPRN or a point. They stay, as real reports would."""
        definitions = {}
        for code in codes:
            url = reverse("open311:service", kwargs={"code": code, "fmt": "json"})
            definitions[code] = client.get(url, {"jurisdiction_id": council.organisation.slug})
        uprns = list(
            Address.objects.filter(organisation=council.organisation)
            .order_by("?")
            .values_list("uprn", flat=True)[:count]
        )
        url = reverse("open311:requests", kwargs={"fmt": "xml"})
        statuses: Counter[int] = Counter()
        started = time.perf_counter()
        for number in range(count):
            code = rng.choice(codes)
            form = {
                "api_key": BENCH_KEY,
                "service_code": code,
                "description": f"Benchmark report {number}: please look at this.",
                "email": f"bench{number}@example.org",
                "first_name": "Sam",
                "last_name": "Bench",
            }
            if number % 2 and uprns:
                form["address_id"] = str(rng.choice(uprns))
            else:
                form.update(lat=f"{51.5 + rng.random() / 20:.6f}", long="-0.1", address_string="")
            for attribute in definitions[code].json().get("attributes", []):
                if attribute.get("variable") is False:
                    continue
                values = attribute.get("values") or []
                if values:
                    form[f"attribute[{attribute['code']}]"] = values[0]["key"]
                elif attribute["datatype"] == "number":
                    form[f"attribute[{attribute['code']}]"] = "1"
                elif attribute["datatype"] == "datetime":
                    form[f"attribute[{attribute['code']}]"] = "2026-11-20T10:00:00Z"
                else:
                    form[f"attribute[{attribute['code']}]"] = "Benchmark"
            statuses[client.post(url, form).status_code] += 1
        elapsed = time.perf_counter() - started
        return {"rate": count / elapsed, "count": count, "statuses": statuses}

    def _report_open311(self, figures: dict[str, Any]) -> None:
        trivial, polled, posted = figures["trivial"], figures["polled"], figures["posted"]
        self.say(
            f"{'Open311 GET requests.xml throughput, one process':<58}{'':>7}{polled:>9.0f}/s"
            f"   {polled / trivial:.2f} of a trivial view's {trivial:.0f}/s on the same database"
        )
        answers = ", ".join(f"{n} answered {status}" for status, n in posted["statuses"].items())
        self.say(
            f"{'Open311 POST requests.xml, one process':<58}{posted['count']:>7}"
            f"{posted['rate']:>9.0f}/s   ({answers})"
        )

    def _get_times(self, client: Client, urls: list[str]) -> tuple[list[float], str]:
        for url in urls[:10]:  # warm the caches, as a live system would be
            client.get(url)
        times = []
        failed = Counter()
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                failed[response.status_code] += 1
        note = "".join(f", {count} answered {status}" for status, count in failed.items())
        return times, note

    def _sample_references(self, rng: random.Random, team: Any, count: int) -> list[str]:
        """Half open cases of the team, half cases of any standard service, open or closed."""
        last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        picked = rng.sample(range(1, last + 1), min(last, count * 3))
        anywhere = list(
            Case.objects.filter(pk__in=picked, service__sensitivity="standard")
            .order_by("pk")
            .values_list("reference", flat=True)[: count - count // 2]
        )
        open_ids = list(
            Case.objects.filter(team=team, is_open=True).order_by("pk").values_list("pk", flat=True)
        )
        chosen = rng.sample(open_ids, min(len(open_ids), count // 2))
        references = anywhere + list(
            Case.objects.filter(pk__in=chosen).order_by("pk").values_list("reference", flat=True)
        )
        rng.shuffle(references)
        return references

    def _sweep(self, now: Any) -> tuple[float, escalation.SweepResult]:
        """One sweep, in a transaction rolled back afterwards so the cases stay as they were."""
        with transaction.atomic():
            started = time.perf_counter()
            result = escalation.sweep(now=now)
            elapsed = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        return elapsed, result

    def _swept(self, result: escalation.SweepResult) -> str:
        return (
            f"warned {result.warned:,}, responses missed {result.first_response_breached:,}, "
            f"resolutions missed {result.resolution_breached:,}, referrals "
            f"{result.referral_acknowledgements_missed + result.referrals_overdue:,}"
        )

    def _later(self, now: Any, wanted: int) -> Any:
        """The moment by which `wanted` more open cases are due a warning (with the breaches
        falling due by then), as after the worker was stopped for a while."""
        upcoming = (
            Case.objects.filter(
                is_open=True, clock_paused_at__isnull=True, warned_at__isnull=True,
                resolution_warn_at__gt=now,
            )
            .order_by("resolution_warn_at")
            .values_list("resolution_warn_at", flat=True)
        )  # fmt: skip
        found = list(upcoming[:wanted])
        return found[-1] if found else None

    def _plans(self, what: str, queries: Any) -> None:
        """SQLite's plan for each query on the cases tables, to spot a missing index."""
        if not queries:
            return
        self.say(f"Query plans for {what}:")
        seen = set()
        for query in queries:
            sql = query["sql"]
            if "cases_" not in sql or not sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
                continue
            shape = re.sub(r"\d+", "N", sql)
            if shape in seen:
                continue
            seen.add(shape)
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                plan = "; ".join(str(row[-1]) for row in cursor.fetchall())
            shown = re.sub(r"IN \([^)]{60,}\)", "IN (...)", sql)
            self.say(f"  {query['time']}s {shown[:220]}{'...' if len(shown) > 220 else ''}")
            self.say(f"      {plan}")

    def _sample_customers(
        self, rng: random.Random, council: loader.DemoCouncil, count: int
    ) -> list[Customer]:
        customers = Customer.objects.filter(organisation=council.organisation)
        first = customers.order_by("pk").values_list("pk", flat=True).first()
        last = customers.order_by("-pk").values_list("pk", flat=True).first()
        chosen = rng.sample(range(first, last + 1), min(count, last - first + 1))
        return list(customers.filter(pk__in=chosen).select_related("address").order_by("pk"))

    def _misspell(self, rng: random.Random, customer: Customer) -> str:
        forename = customer.forenames.split()[0]
        surname = customer.surname
        if surname in MISHEARD:
            surname = MISHEARD[surname]
        elif forename in MISHEARD:
            forename = MISHEARD[forename]
        else:
            surname = self._typo(rng, surname)
        form = rng.random()
        if form < 0.7:
            return f"{forename} {surname}"
        if form < 0.85:
            return f"{surname}, {forename}"
        return surname.lower()

    def _typo(self, rng: random.Random, word: str) -> str:
        """One slip of the finger or ear: a letter dropped, doubled, swapped or misheard."""
        if len(word) < 4:
            return word + word[-1]
        position = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:
            return word[:position] + word[position + 1 :]
        if kind == 1:
            return word[:position] + word[position] + word[position:]
        if kind == 2:
            return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        vowels = "aeiou"
        swapped = rng.choice(vowels) if word[position] in vowels else word[position]
        return word[:position] + swapped + word[position + 1 :]

    def _as_typed(self, rng: random.Random, postcode: str) -> str:
        return rng.choice([postcode, postcode.lower(), postcode.replace(" ", "")])

    def _time(
        self, label: str, queries: list[tuple[str, int]], agent: Any
    ) -> tuple[str, list[float], str, str]:
        """Time each search; count how often the customer sought is among the results."""
        for query, _ in queries[:10]:  # warm the caches, as a live system would be
            search_customers(user=agent, query=query)
        times = []
        found = 0
        for query, wanted in queries:
            started = time.perf_counter()
            matches = search_customers(user=agent, query=query)
            times.append((time.perf_counter() - started) * 1000)
            found += any(match.customer.pk == wanted for match in matches)
        return label, times, f"sought customer in results {found}/{len(queries)}", ""

    def _single_view(self, agent: Any, customer: Customer, runs: int) -> tuple[list[float], str]:
        """Through the console's page when it exists; otherwise the selectors it would call."""
        try:
            url = reverse("console:customer", args=[customer.reference])
        except (NoReverseMatch, ImportError) as error:  # the console may be half-built
            self.say(f"No single view page yet ({error}); timing the selectors it would call.")
            url = None
        if url:
            client = Client(SERVER_NAME=(settings.ALLOWED_HOSTS or ["localhost"])[0])
            client.force_login(agent)
            response = client.get(url)
            if response.status_code == 200:
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                return times, f"GET {url}"
            self.say(f"The single view answered {response.status_code}; timing selectors.")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            shown = customer_for_user(user=agent, reference=customer.reference)
            customer_timeline(user=agent, customer=shown)
            times.append((time.perf_counter() - started) * 1000)
        return times, "selectors only"

    def _log_contacts(
        self, council: loader.DemoCouncil, agent: Any, customers: list[Customer], calls: int
    ) -> float:
        services = list(council.services.values())
        team = council.teams["contact-centre"]
        rng = random.Random(0)
        started = time.perf_counter()
        for _ in range(calls):
            log_contact(
                actor=agent, organisation=council.organisation, channel="phone",
                outcome="resolved", customer=rng.choice(customers),
                service=rng.choice(services), team=team, notes="Benchmark call.",
            )  # fmt: skip
        return calls / (time.perf_counter() - started)

    def _report(
        self,
        results: list[tuple[str, list[float] | None, str, str]],
        rate: float | None,
        seeding: dict[str, Any],
        options: dict[str, Any],
    ) -> None:
        def mark(ok: bool) -> str:
            return self.style.SUCCESS("PASS") if ok else self.style.ERROR("MISS")

        self.say("")
        self.say(f"{'Measure':<58}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}  target")
        for label, times, note, key in results:
            key = key or ("single_view" if label.startswith("Single") else "search")
            target = TARGETS[key]
            p50, p95 = statistics.median(times), _percentile(times, 0.95)
            limit = f"{target / 1000:.0f} s" if target >= 1000 else f"{target:.0f} ms"
            self.say(
                f"{label:<58}{len(times):>7}{p50:>9.1f}{p95:>9.1f}  p95 <= {limit} "
                f"{mark(p95 <= target)}" + (f"  ({note})" if note else "")
            )
        if rate is not None:
            enough = rate >= TARGETS["contacts_per_second"]
            self.say(
                f"{'Contacts logged through log_contact, one process':<58}"
                f"{options['log_calls']:>7}{rate:>12.0f}/s      >= 200/s {mark(enough)}"
            )
        seconds = seeding.get("seconds")
        if seconds is None:
            self.say("Seeding time: unknown (the data was made by an earlier version).")
        else:
            when = "earlier run" if seeding["reused"] else "this run"
            self.say(
                f"{'Seeding (' + when + ')':<58}{'':>7}{seconds / 60:>9.1f} min"
                f"   <= 15 min {mark(seconds <= TARGETS['seeding'])}"
            )
        rollup_seconds = seeding.get("rollup_seconds")
        if rollup_seconds is not None:
            self.say(f"{'Rollups rebuilt from scratch':<58}{'':>7}{rollup_seconds / 60:>9.1f} min")
        case_seconds = seeding.get("case_seconds")
        if case_seconds is not None:
            when = "earlier run" if seeding.get("cases_reused") else "this run"
            self.say(f"{'Seeding cases (' + when + ')':<58}{'':>7}{case_seconds / 60:>9.1f} min")
        name = settings.DATABASES["default"]["NAME"]
        if connection.vendor == "sqlite" and Path(name).exists():
            size = sum(
                Path(f"{name}{suffix}").stat().st_size
                for suffix in ("", "-wal")
                if Path(f"{name}{suffix}").exists()
            )
            self.say(f"Database file: {name}, {size / 2**30:.1f} GiB")
        with transaction.atomic():
            counts = {
                "customers": Customer.objects.count(),
                "addresses": Address.objects.count(),
                "cases": Case.objects.count(),
                "open": Case.objects.filter(is_open=True).count(),
                "events": CaseEvent.objects.count(),
                "referrals": Referral.objects.count(),
            }
        self.say(
            f"Rows: {counts['customers']:,} customers, {counts['addresses']:,} addresses, "
            f"{options['contacts']:,}+ contacts, {counts['cases']:,} cases ({counts['open']:,} "
            f"open), {counts['events']:,} case events, {counts['referrals']:,} referrals."
        )
