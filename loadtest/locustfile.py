"""The people who use CivicDesk at once, for locust (`loadtest.run` starts it; see its --help).

- Agents in the contact centre take calls: find the caller (surname and postcode, or their
  reference), read the single view while talking, log the contact. A call takes about a minute
  of talking and a minute of wrap-up and waiting for the next, so each agent logs a contact every
  one to three minutes, as in real life.
- Residents on the portal read the A to Z and service pages, report problems, track what they
  reported, and sign in to their accounts, reading each page for 10 to 30 seconds.
- Open311 client systems (FixMyStreet and the like) post problems with an Idempotency-Key, poll
  the requests they posted and read the lists of requests, updates and services.

Every write a person saw acknowledged goes into the ledger (LOADTEST_LEDGER, a JSON line each)
with the marker written into it, so the fault test can check that each is stored exactly once.
Each write is first noted as attempted, so that a write never acknowledged can be checked too.
When the server may be killed under them (LOADTEST_RETRY=1), people retry what failed for lack
of a server, as browsers and client systems do: the same form, the same Idempotency-Key.

Configuration comes from the environment: LOADTEST_PEOPLE (made by loadtest.prepare),
LOADTEST_AGENTS, LOADTEST_RESIDENTS, LOADTEST_OPEN311 (how many of each), LOADTEST_THINK (a
factor on every think time: 1 is real life), LOADTEST_LEDGER and LOADTEST_RETRY.
"""

import datetime
import json
import os
import random
import re
import time
import uuid
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import between, task
from locust.contrib.fasthttp import FastHttpUser, FastResponse
from locust.exception import RescheduleTask

from loadtest.pages import answer, encode, post_form

PEOPLE: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_PEOPLE"]).read_text())
THINK = float(os.environ.get("LOADTEST_THINK", "1"))
RETRY = os.environ.get("LOADTEST_RETRY", "") == "1"
LEDGER = os.environ.get("LOADTEST_LEDGER", "")
PAGE = frozenset({200})
REDIRECT = frozenset({302, 303})
RETRIES = 30  # about a minute of a server restarting
SERVER_GONE = {502, 503, 504}  # what a proxy would say; gunicorn itself does not
REFERENCE = re.compile(r"CAS-[0-9A-Z]{7}")
# gunicorn closes a connection idle for 5 s (deploy/gunicorn.conf.py); a browser then opens a
# new one. The client here might instead send on the closing one and get no answer.
SERVER_KEEPALIVE = 5.0


def marker() -> str:
    """A tag written into one request or contact, to find it in the database afterwards."""
    return f"[LT{uuid.uuid4().hex[:16]}]"


def problem_shown(html: str) -> str:
    """The text of the page's error summary, to say why a form was refused."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else html[:200]


def note_in_ledger(kind: str, tag: str, state: str, reference: str = "") -> None:
    if LEDGER:
        line = json.dumps({"kind": kind, "marker": tag, "state": state, "reference": reference})
        with open(LEDGER, "a") as ledger:
            ledger.write(line + "\n")


class Person(FastHttpUser):
    """A browser or client system: one request at a time, redirects followed one by one so that
    each is timed under its own name, and cookies kept as a browser keeps them."""

    abstract = True
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        # The production settings mark cookies Secure; the load runs on plain HTTP on this
        # machine, where a browser behind the council's TLS proxy would be on HTTPS.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("https", "http")))
        self.signed_in = False

    def think(self, low: float, high: float) -> None:
        """Read, type or talk for a while (scaled by LOADTEST_THINK)."""
        seconds = random.uniform(low, high) * THINK
        gevent.sleep(seconds)
        self._idle_for(seconds)

    def wait(self) -> None:
        started = time.monotonic()
        super().wait()
        self._idle_for(time.monotonic() - started)

    def _idle_for(self, seconds: float) -> None:
        if seconds >= SERVER_KEEPALIVE - 1:
            self.client.client.close()  # the next request opens a new connection

    def visit(
        self,
        url: str,
        name: str,
        data: Any = None,
        *,
        headers: dict[str, str] | None = None,
        expect: frozenset[int] = PAGE,
    ) -> FastResponse:
        """GET (or POST `data`, form fields as pairs) one URL; any other status than expected
        fails the request and ends what the person was doing. Under faults, a missing server is
        waited for."""
        method, body = "GET", None
        if data is not None:
            method, body = "POST", urlencode(data)
            headers = {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded"}
        for attempt in range(RETRIES if RETRY else 1):
            with self.client.request(
                method, url, name=name, data=body, headers=headers,
                allow_redirects=False, catch_response=True,
            ) as response:  # fmt: skip
                status = response.status_code
                signed_out = "/sign-in/" in (response.headers or {}).get("Location", "")
                if signed_out and "sign in" not in name:
                    response.failure("signed out")
                    self.signed_in = False
                    raise RescheduleTask()
                if status in expect:
                    response.success()
                    return response
                response.failure(f"{status}: {problem_shown(response.text or '')}")
            if not (RETRY and (status == 0 or status in SERVER_GONE)) or attempt == RETRIES - 1:
                break
            gevent.sleep(2)
        raise RescheduleTask()

    def follow(self, response: FastResponse, name: str) -> FastResponse:
        """The page a redirect leads to."""
        return self.visit(response.headers["Location"], name, expect=PAGE)

    def submit(
        self,
        page: FastResponse,
        url: str,
        name: str,
        answers: dict[str, str],
        expect: frozenset[int] = REDIRECT,
    ) -> FastResponse:
        """Fill in the page's form as a person would and send it: accepted, it redirects."""
        form = post_form(page.text or "", self.host + url)
        if form is None:
            raise RescheduleTask()
        return self.visit(form.action, name, encode(answer(form, answers)), expect=expect)


class Agent(Person):
    fixed_count = int(os.environ.get("LOADTEST_AGENTS", "1"))
    wait_time = between(20 * THINK, 60 * THINK)  # wrap-up, and waiting for the next call

    def on_start(self) -> None:
        super().on_start()
        self.username = PEOPLE["agents"].pop(0)

    def sign_in(self) -> None:
        page = self.visit("/staff/sign-in/", "agent: sign-in page", expect=PAGE)
        answers = {"username": self.username, "password": PEOPLE["password"]}
        self.submit(page, "/staff/sign-in/", "agent: sign in", answers)
        self.signed_in = True

    @task
    def take_a_call(self) -> None:
        if not self.signed_in:
            self.sign_in()
        caller = random.choice(PEOPLE["customers"])
        by_reference = random.random() < 0.3
        query = caller["reference"] if by_reference else f"{caller['surname']} {caller['postcode']}"
        # A reference goes straight to the customer; a name and postcode lists the matches.
        search = f"/staff/?q={query.replace(' ', '+')}"
        found = self.visit(search, "agent: search", expect=REDIRECT if by_reference else PAGE)
        self.think(5, 15)  # the caller spells their postcode, the agent picks them out
        customer = f"/staff/customers/{caller['reference']}/"
        if by_reference:
            self.follow(found, "agent: single view")
        else:
            self.visit(customer, "agent: single view", expect=PAGE)
        self.think(20, 40)  # talking, reading their history
        self.visit(f"{customer}contacts/new/", "agent: choose service", expect=PAGE)
        form_url = f"{customer}contacts/new/{random.choice(PEOPLE['logged'])}/"
        form = self.visit(form_url, "agent: contact form", expect=PAGE)
        self.think(10, 30)  # typing the notes
        tag = marker()
        note_in_ledger("contact", tag, "attempted")
        notes = f"Caller asked about their bin collection day; told them Thursday. {tag}"
        answers = {"notes": notes, "avoidable_reason": ""}  # resolved, and it was needed
        saved = self.submit(form, form_url, "agent: save contact", answers)
        note_in_ledger("contact", tag, "acknowledged")
        self.follow(saved, "agent: single view")


class Resident(Person):
    fixed_count = int(os.environ.get("LOADTEST_RESIDENTS", "1"))
    wait_time = between(10 * THINK, 30 * THINK)  # reading the page

    def on_start(self) -> None:
        super().on_start()
        self.email = PEOPLE["residents"].pop(0)
        self.reported: list[str] = []

    @task(4)
    def browse(self) -> None:
        self.visit("/", "resident: home", expect=PAGE)
        self.think(10, 30)
        self.visit("/services/", "resident: A to Z", expect=PAGE)
        self.think(10, 30)
        service = random.choice(PEOPLE["reported"])
        self.visit(f"/services/{service}/", "resident: service page", expect=PAGE)

    @task(2)
    def report_a_problem(self) -> None:
        """The one-question-a-page journey, answered from what each page asks."""
        service = random.choice(PEOPLE["reported"])
        self.visit(f"/services/{service}/", "resident: service page", expect=PAGE)
        self.think(10, 30)
        step = self.visit(f"/services/{service}/request/", "resident: start a report",
                          expect=REDIRECT)  # fmt: skip
        tag = marker()
        answers = {
            "postcode": random.choice(PEOPLE["postcodes"]),
            "description": f"Drain blocked and water across the pavement by the bus stop. {tag}",
            "how": "details",
            "forenames": "Load",
            "surname": "Resident",
            "email": self.email,
            "type:text": "Not sure",
            "type:number": "2",
        }
        note_in_ledger("portal", tag, "attempted")
        for _step in range(12):
            url = step.headers["Location"]
            if "/sent/" in url:
                sent = self.visit(url, "resident: request sent", expect=PAGE)
                found = REFERENCE.search(sent.text or "")
                reference = found.group(0) if found else ""
                note_in_ledger("portal", tag, "acknowledged", reference)
                if reference:
                    self.reported.append(reference)
                return
            page = self.visit(url, "resident: report step", expect=PAGE)
            self.think(5, 15)
            step = self.submit(page, url, "resident: answer step", answers)
        raise RescheduleTask()

    @task(1)
    def track_a_request(self) -> None:
        if not self.reported:
            return
        page = self.visit("/track/", "resident: track page", expect=PAGE)
        self.think(5, 15)
        answers = {"reference": random.choice(self.reported), "email_or_postcode": self.email}
        self.submit(page, "/track/", "resident: track", answers, expect=PAGE)

    @task(1)
    def use_the_account(self) -> None:
        if self.signed_in:
            self.visit("/account/", "resident: account", expect=PAGE)
        else:
            page = self.visit("/account/sign-in/", "resident: sign-in page", expect=PAGE)
            self.think(5, 15)
            answers = {"email": self.email, "password": PEOPLE["password"]}
            signed_in = self.submit(page, "/account/sign-in/", "resident: sign in", answers)
            self.signed_in = True
            self.follow(signed_in, "resident: account")
        if self.reported:
            self.think(5, 15)
            reference = random.choice(self.reported)
            self.visit(f"/account/requests/{reference}/", "resident: account request",
                       expect=PAGE)  # fmt: skip


class ClientSystem(Person):
    fixed_count = int(os.environ.get("LOADTEST_OPEN311", "1"))
    wait_time = between(5 * THINK, 15 * THINK)

    def on_start(self) -> None:
        super().on_start()
        self.key = PEOPLE["open311_keys"].pop(0)
        self.posted: list[str] = []

    def read(self, path: str, name: str) -> FastResponse:
        return self.visit(f"/open311/v2/{path}api_key={self.key}", name, expect=PAGE)

    @task(2)
    def post_a_request(self) -> None:
        tag = marker()
        note_in_ledger("open311", tag, "attempted")
        service = random.choice(PEOPLE["reported"])
        data = [
            ("api_key", self.key),
            ("service_code", service),
            ("address_string", "Outside the library on the high street"),
            ("description", f"Reported on the app: rubbish bags split open on the pavement. {tag}"),
            ("email", "app.user@load.example.org"),
            ("first_name", "App"),
            ("last_name", "User"),
            *PEOPLE["attributes"][service],
        ]
        # The same key on every retry: the council stores the request once.
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        response = self.visit("/open311/v2/requests.json", "open311: post request", data,
                              headers=headers, expect=PAGE)  # fmt: skip
        reference = response.json()[0]["service_request_id"]
        self.posted.append(reference)
        note_in_ledger("open311", tag, "acknowledged", reference)

    @task(3)
    def poll_a_request(self) -> None:
        if self.posted:
            reference = random.choice(self.posted[-50:])
            self.read(f"requests/{reference}.json?", "open311: poll request")

    @task(1)
    def read_recent_requests(self) -> None:
        since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=15)
        start = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.read(f"requests.json?start_date={start}&", "open311: recent requests")
        self.read(f"servicerequestupdates.json?start_date={start}&", "open311: updates")

    @task(1)
    def read_services(self) -> None:
        self.read("services.json?", "open311: services")
