"""Who takes part in a load run, added to a freshly seeded demo council through the services:
agents (staff accounts in the contact centre), residents with portal accounts, Open311 client
systems with their keys; and what they will look for (customers, postcodes, services).

Run by `loadtest.run` inside the deployment's environment:
`python -m loadtest.prepare PEOPLE.json --agents 80 --residents 200 --open311 4`.
"""

import argparse
import json
import os
import random
from pathlib import Path
from typing import Any

# Everything below needs Django set up first, as manage.py does.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
import django

django.setup()

from civicdesk.api.open311.selectors import open311_services  # noqa: E402
from civicdesk.api.open311.services import issue_client  # noqa: E402
from civicdesk.catalogue.models import (  # noqa: E402
    QuestionType,
    RequestKind,
    Service,
    ServiceQuestion,
)
from civicdesk.core.demo.loader import DEMO_PASSWORD, find_council  # noqa: E402
from civicdesk.organisations.models import Role, Team  # noqa: E402
from civicdesk.organisations.services import add_staff_member  # noqa: E402
from civicdesk.people.accounts import create_account, verification_token, verify_email  # noqa: E402
from civicdesk.people.models import Customer  # noqa: E402
from civicdesk.places.models import Address  # noqa: E402

PORTAL = "http://127.0.0.1/"
# Problems a resident reports from the portal and a client system posts: the demo's public
# services with simple questions (choices), so the scenario can answer them.
REPORTED = ["graffiti", "street-cleaning", "drainage", "trees", "grass-cutting", "flytipping"]
# An Open311 client system may make this many calls a minute (FixMyStreet's is negotiated).
OPEN311_CALLS_PER_MINUTE = 600


def add_agents(council: Any, count: int) -> list[str]:
    team = Team.objects.get(organisation=council, is_contact_centre=True, slug="contact-centre")
    usernames = []
    for number in range(1, count + 1):
        username = f"loadagent{number:03d}"
        add_staff_member(
            actor=None, organisation=council, team=team, username=username,
            first_name="Load", last_name=f"Agent {number}",
            email=f"{username}@kingsmere.example.org", password=DEMO_PASSWORD, role=Role.AGENT,
        )  # fmt: skip
        usernames.append(username)
    return usernames


def _verify_link(token: str) -> str:
    return f"{PORTAL}account/verify/{token}/"


def add_residents(council: Any, count: int) -> list[str]:
    emails = []
    for number in range(1, count + 1):
        email = f"resident{number:03d}@load.example.org"
        account = create_account(
            organisation=council, forenames="Load", surname=f"Resident {number}", email=email,
            password=DEMO_PASSWORD, verify_link_for=_verify_link,
            reset_link=f"{PORTAL}account/password-reset/",
        )  # fmt: skip
        if account is not None:
            verify_email(token=verification_token(account))
        emails.append(email)
    return emails


def add_client_systems(council: Any, count: int) -> list[str]:
    return [
        issue_client(
            actor=None, organisation=council, name=f"Load client {number}",
            rate_limit_per_minute=OPEN311_CALLS_PER_MINUTE,
        )[1]
        for number in range(1, count + 1)
    ]  # fmt: skip


def what_to_look_for(council: Any, rng: random.Random) -> dict[str, Any]:
    """Customers agents are asked about (by surname and postcode, or by reference), postcodes
    residents give, the services they report problems to and agents log contacts about."""
    customer_ids = list(
        Customer.objects.filter(organisation=council, merged_into__isnull=True)
        .exclude(address__isnull=True)
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(customer_ids, min(500, len(customer_ids)))
    customers = [
        {"reference": reference, "surname": surname, "postcode": postcode}
        for reference, surname, postcode in Customer.objects.filter(pk__in=chosen).values_list(
            "reference", "surname", "address__postcode"
        )
    ]
    postcodes = sorted(
        set(
            Address.objects.filter(organisation=council)
            .exclude(postcode="")
            .values_list("postcode", flat=True)[:2000]
        )
    )
    problems = open311_services(council).filter(slug__in=REPORTED, request_kind=RequestKind.PROBLEM)
    return {
        "customers": customers,
        "postcodes": rng.sample(postcodes, min(200, len(postcodes))),
        "reported": list(problems.values_list("slug", flat=True)),
        "logged": list(
            Service.objects.filter(organisation=council, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:40]
        ),
    }


def open311_attributes(services: list[str]) -> dict[str, list[tuple[str, str]]]:
    """What a client system answers to each service's required questions, as Open311's
    `attribute[code]` parameters (`attribute[code][]` for a list): the first choice."""
    answers: dict[str, list[tuple[str, str]]] = {slug: [] for slug in services}
    for question in ServiceQuestion.objects.filter(
        service__slug__in=services, is_active=True, required=True
    ).select_related("service"):
        many = question.datatype == QuestionType.MULTIPLE_CHOICE
        name = f"attribute[{question.code}]{'[]' if many else ''}"
        value = question.choices[0]["key"] if question.has_choices else "Not sure"
        answers[question.service.slug].append((name, value))
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--agents", type=int, required=True)
    parser.add_argument("--residents", type=int, required=True)
    parser.add_argument("--open311", type=int, required=True)
    arguments = parser.parse_args()
    council = find_council()
    if council is None:
        raise SystemExit("Seed the demo council first (manage.py seed).")
    people = {
        "password": DEMO_PASSWORD,
        "agents": add_agents(council, arguments.agents),
        "residents": add_residents(council, arguments.residents),
        "open311_keys": add_client_systems(council, arguments.open311),
        **what_to_look_for(council, random.Random(4127)),
    }
    people["attributes"] = open311_attributes(people["reported"])
    arguments.out.write_text(json.dumps(people, indent=1))


if __name__ == "__main__":
    main()
