"""Demo cases for `manage.py seed` and `manage.py bench`: years of closed cases and an open
backlog, each with a timeline that agrees with its service's SLA on the council's working
calendar.

- `seed_cases` (the demo, `make run`): the history is generated and bulk-inserted, because the
  services stamp the present moment and cannot close a case last year. The open backlog is
  raised through `cases.services.raise_case` (backdated to the contact that asked for it) and
  worked today through the services: assigned, started, put on hold, updated, referred, linked
  as duplicates and some closed, so it is validated, audited and messaged like real work.
  Then the escalation sweep marks what has fallen due and warns the team leaders.
- `bulk_cases` (the benchmark): millions of cases, all generated and inserted with
  `executemany`.

Generated rows have no audit entries and no messages: no person did anything to them.

A generated case is planned in working time. From the moment it was opened, the officers'
steps (assigning, first response, a pause while the customer finds a document, resolving) are
placed at working-time offsets drawn around the service's targets, so most cases meet them and
some miss. Targets are worked out as `cases.clock` does (a pause moves the targets still ahead
by the working time it lasted), and warnings and breaches are stamped where the escalation
sweep would have stamped them. Recent cases whose work lies in the future are still open; a
share of older ones is "stuck" (waiting for a third party, forgotten, on hold), which makes the
long tail a real backlog has.
"""

import bisect
import datetime
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases import escalation, referrals, reports, services
from civicdesk.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    Referral,
    ReferralStatus,
    ResolutionCode,
)
from civicdesk.catalogue.models import Channel, Priority, SlaUnit
from civicdesk.catalogue.selectors import SlaPromise, sla_promises_for, team_for_place
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.core.calendar import WorkingCalendar
from civicdesk.core.demo.loader import DemoCouncil, reset_sequences
from civicdesk.core.references import make_reference
from civicdesk.notify.demo import install_demo_templates
from civicdesk.organisations.models import Membership, Role, Team, User
from civicdesk.organisations.selectors import calendar_for
from civicdesk.people.models import Customer
from civicdesk.places.models import Address

# Texts: what residents report, what officers say back.

DONE = ResolutionCode.DONE
INFO = ResolutionCode.INFORMATION_GIVEN
NO_ACTION = ResolutionCode.NO_ACTION_NEEDED
NOT_OURS = ResolutionCode.NOT_COUNCILS_RESPONSIBILITY
WITHDRAWN = ResolutionCode.WITHDRAWN
NO_CONTACT = ResolutionCode.NO_CONTACT


@dataclass(frozen=True)
class Profile:
    """How one service's cases read and run."""

    descriptions: tuple[str, ...]
    closures: dict[str, str]  # resolution code -> the message to the customer
    codes: dict[str, float]  # resolution code -> share
    updates: tuple[str, ...] = ()  # public updates while the work goes on
    notes: tuple[str, ...] = ()  # internal notes
    place: bool = False  # about a place (a bin, a tree) rather than the person's own affairs
    waiting: str = ""  # what the officer asks the customer for; the clock pauses meanwhile
    pause_share: float = 0.0
    third_party: str = ""  # whom the case may wait on while the clock runs
    third_party_share: float = 0.0
    referral: tuple[str, str] | None = None  # (team slug, what the team is asked to do)


ACCOUNT_CLOSURES = {
    DONE: "We have updated your Council Tax account. A revised bill will follow within 10 "
    "working days.",
    INFO: "We have written to you explaining how your Council Tax is worked out.",
    NO_ACTION: "We checked your account and it is correct, so nothing needs to change.",
    WITHDRAWN: "You told us you no longer need us to look into this, so we have closed your "
    "request.",
    NO_CONTACT: "We tried to contact you but could not reach you. Contact us if you still need "
    "help, and give your reference.",
}
ACCOUNT_CODES = {DONE: 60, INFO: 20, NO_ACTION: 12, WITHDRAWN: 4, NO_CONTACT: 4}
ACCOUNT_NOTES = ("Checked the account history back to 2019.", "Spoke to the customer to confirm "
                 "the dates.", "Recovery held while this is looked at.")  # fmt: skip
BENEFIT_CLOSURES = {
    DONE: "We have made a decision and sent you a letter explaining it.",
    INFO: "We have written to you explaining what you need to do next.",
    NO_ACTION: "We checked your claim and nothing needs to change.",
    NO_CONTACT: "We asked for the evidence we need but did not receive it. Contact us if you "
    "still want us to look at this.",
}
BENEFIT_CODES = {DONE: 75, INFO: 10, NO_ACTION: 8, NO_CONTACT: 7}
STREET_CLOSURES = {
    DONE: "Our team has dealt with this. Thank you for reporting it.",
    NO_ACTION: "We inspected the site and found nothing that needed doing.",
    NOT_OURS: "This is on private land, so it is not the council's to deal with. We have "
    "written to the landowner.",
}
STREET_CODES = {DONE: 78, NO_ACTION: 14, NOT_OURS: 8}
STREET_NOTES = ("Crew supervisor says the round ran late.", "Photo from the crew shows the site "
                "is clear.", "Inspector visited: job booked with the crew.")  # fmt: skip
APPLICATION_CLOSURES = {
    DONE: "Your application is approved. We have written to you with the details.",
    INFO: "We could not approve your application. We have written to you explaining why and "
    "how to ask us to look at it again.",
    WITHDRAWN: "You told us you no longer need this, so we have closed your request.",
}
APPLICATION_CODES = {DONE: 80, INFO: 15, WITHDRAWN: 5}


def _account(*descriptions: str, **extra: Any) -> Profile:
    settings = {
        "updates": ("We are checking your account and will write to you within 10 working "
                    "days.",),
        "notes": ACCOUNT_NOTES, "waiting": "Asked the customer for a copy of their tenancy "
        "agreement or completion statement.", "pause_share": 0.12,
    }  # fmt: skip
    return Profile(descriptions, ACCOUNT_CLOSURES, ACCOUNT_CODES, **{**settings, **extra})


def _street(*descriptions: str, done: str = "", **extra: Any) -> Profile:
    closures = {**STREET_CLOSURES, DONE: done} if done else STREET_CLOSURES
    settings = {
        "updates": ("An inspector has visited and booked the work with the crew.",
                    "The crew is booked to attend this week."),
        "notes": STREET_NOTES, "place": True,
    }  # fmt: skip
    return Profile(descriptions, closures, STREET_CODES, **{**settings, **extra})


def _application(*descriptions: str, **extra: Any) -> Profile:
    settings = {
        "updates": ("We have your application and are checking the evidence.",),
        "notes": ("Evidence checked against the criteria.",),
        "waiting": "Asked for a recent photo and proof of address.", "pause_share": 0.25,
    }  # fmt: skip
    return Profile(descriptions, APPLICATION_CLOSURES, APPLICATION_CODES, **{**settings, **extra})


DEBT_ADVICE = ("advice", "Free debt advice: the customer is struggling with Council Tax arrears.")
VOA = {"third_party": "Waiting for the Valuation Office Agency to review the band.",
       "third_party_share": 0.1}  # fmt: skip

PROFILES: dict[str, Profile] = {
    "council-tax-bills": _account(
        "Thinks this year's bill is wrong: the band shown is D but the house was revalued as C.",
        "The bill no longer shows the single person discount; asks us to check why.",
        "Wants the bill split between the joint owners and sent to both.",
        **VOA,
    ),
    "council-tax-recovery": _account(
        "Received a summons although the account is paid by Direct Debit.",
        "Asks us to hold recovery while a discount claim is looked at.",
        "Enforcement agent's letter received; the customer disputes the amount.",
        referral=DEBT_ADVICE,
    ),
    "council-tax-liability": _account(
        "Moved out on 30 June; asks for a final bill and a refund.",
        "New tenant moved in; the landlord says the account is still in their name.",
        "Moving within the borough; both accounts need updating.",
    ),
    "council-tax-discounts": _account(
        "Applying for a carer's disregard for her son.",
        "Student household: certificates sent for both residents.",
        "Asks for a reduction while the house is adapted for a disability.",
        referral=("benefits", "Check whether the customer can get Council Tax Support."),
    ),
    "council-tax-exemptions": _account(
        "Father died in March; the house is empty until probate is granted.",
        "Property repossessed; asks who is liable now.",
        "Annexe lived in by a dependent relative; asks for the exemption.",
    ),
    "landlord-enquiries": _account(
        "Letting agent reports new tenants from the 1st of the month.",
        "House in multiple occupation with six tenants: asks for the account in the owner's name.",
        "Empty between tenancies; asks for the account to be updated.",
    ),
    "single-person-discount": _account(
        "Partner moved out; now lives alone and asks for the discount.",
        "Annual review form returned: still lives alone.",
        "Son turned 18 but is still at school; asks whether the discount carries on.",
    ),
    "arrears-arrangements": _account(
        "Cannot keep up with instalments after losing hours at work; asks for lower payments.",
        "Wants to clear arrears of £640 at £40 a month.",
        "Arrangement missed because wages were paid late; asks for it to be put back.",
        referral=DEBT_ADVICE,
    ),
    "council-tax-payments": _account(
        "Direct Debit taken twice this month; asks for a refund.",
        "Payment made at a PayPoint is not showing on the account.",
        "Wants to move the Direct Debit date to the 15th.",
        pause_share=0.02,
    ),
    "housing-benefit-claims": Profile(
        (
            "New claim after moving into supported housing.",
            "Claim stopped after a missed review; the customer has now sent the form.",
            "Asks why the award is less than the rent.",
        ),
        BENEFIT_CLOSURES,
        BENEFIT_CODES,
        updates=("We have the evidence we need and are working out your entitlement.",),
        notes=("Evidence verified.", "Landlord confirmed the rent."),
        waiting="Asked for payslips for the last two months and a bank statement.",
        pause_share=0.35,
        referral=("advice", "Help with the claim and a check of other benefits."),
    ),
    "change-of-circumstances": Profile(
        (
            "Started a new job working 20 hours a week.",
            "Partner moved in; the household's income has changed.",
            "Rent went up in April; the new rent letter is attached.",
        ),
        BENEFIT_CLOSURES,
        BENEFIT_CODES,
        updates=("We have updated your claim and will write to you with the new amount.",),
        notes=("Income recalculated.",),
        waiting="Asked for the new employer's name and the first payslip.",
        pause_share=0.3,
        referral=("revenues", "Update Council Tax Support after the change of income."),
    ),
    "missed-bin": _street(
        "Black bin not emptied on collection day; the rest of the street was.",
        "Bin missed again, the second week running.",
        "Assisted collection missed: the resident cannot take the bin to the kerb.",
        done="Our crew went back and emptied your bin. Sorry it was missed.",
    ),
    "recycling": _street(
        "Recycling box not emptied although it was out by 7am.",
        "Asks for a replacement recycling bin: the lid is broken.",
        "Garden waste bin not collected although the subscription is paid.",
        done="We have emptied your recycling, or delivered the new container.",
    ),
    "street-cleaning": _street(
        "Broken glass across the pavement outside the shops.",
        "Litter piled up along the path by the park.",
        "Wet leaves making the footpath slippery near the school.",
    ),
    "graffiti": _street(
        "Graffiti sprayed on the bus shelter.",
        "Offensive graffiti on the wall of the community centre.",
        "Tags on the railway bridge facing the road.",
        done="We have removed the graffiti.",
    ),
    "flytipping": _street(
        "Mattress and black bags dumped in the alley behind the houses.",
        "Builders' rubble tipped at the entrance to the allotments.",
        "Fridge and sofa left on the grass verge.",
        done="We have cleared the dumped waste. We look for evidence of who left it.",
        third_party="Waiting for the landowner to clear it.",
        third_party_share=0.05,
        referral=(
            "environmental-health",
            "Trace who dumped the waste: there is paperwork with a name in the bags.",
        ),
    ),
    "abandoned-vehicles": _street(
        "Silver hatchback with flat tyres has not moved for six weeks.",
        "Van with no tax parked across two spaces for a month.",
        "Burnt-out car in the lay-by.",
        done="The vehicle has been removed.",
        third_party="Waiting for the DVLA to trace the registered keeper.",
        third_party_share=0.3,
        referral=("highways", "The vehicle blocks a dropped kerb: consider removing it."),
    ),
    "dog-warden": _street(
        "Stray dog running loose near the playground.",
        "Dog fouling on the school route every morning.",
        "Dog barking for hours while the owners are out.",
        done="Our dog warden has dealt with this.",
        referral=("community-safety", "The dog is being used to frighten neighbours."),
    ),
    "pest-control": _street(
        "Rats seen in the garden and under the shed.",
        "Wasps' nest in the loft above the back bedroom.",
        "Mice in the kitchen; two young children live there.",
        done="Our technician has treated the property. Contact us if the problem comes back "
        "within 4 weeks.",
        waiting="Asked the resident to choose a day for the technician's visit.",
        pause_share=0.2,
        referral=("waste", "Overflowing bins at the back are attracting rats: check collections."),
    ),
    "drainage": _street(
        "Road gully blocked; water right across the road after rain.",
        "Flooding on the footpath by the bus stop.",
        "Drain cover rocking and noisy when cars go over it.",
        done="We have cleared the gully and checked it is running freely.",
        third_party="Waiting for the water company: the blockage is in their sewer.",
        third_party_share=0.12,
    ),
    "trees": _street(
        "Large branch hanging over the road after the storm.",
        "Roots of the street tree lifting the pavement.",
        "Tree blocking the street light outside number 14.",
        done="The tree work is done.",
        third_party="Waiting for the tree surgeons to fit it into their programme.",
        third_party_share=0.15,
    ),
    "grass-cutting": _street(
        "Verge grass not cut this month; it blocks the view at the junction.",
        "Cuttings left on the footpath after mowing.",
        "Grass in the play area is long and full of litter.",
        done="The grass has been cut and the cuttings cleared.",
    ),
    "skip-permits": _application(
        "Permit needed for a skip outside the house for two weeks.",
        "Asks to extend a skip permit by a week.",
        "Skip company applied for a permit on a narrow road.",
        waiting="Asked the skip company for its insurance certificate.",
        pause_share=0.15,
        place=True,
    ),
    "blue-badge": _application(
        "New application: walks with two sticks and cannot manage more than a short distance.",
        "Renewal: the badge runs out next month.",
        "Badge lost; asks for a replacement.",
    ),
    "older-persons-bus-pass": _application(
        "New pass: reached State Pension age this month.",
        "Pass lost; asks for a replacement.",
        "Changed address; the pass needs updating.",
    ),
    "disabled-persons-bus-pass": _application(
        "Application with a companion pass.",
        "Renewal of a pass that runs out next month.",
        "Registered sight impaired; asks for a pass.",
    ),
    "free-school-meals": _application(
        "Started Universal Credit; asks for free school meals for two children.",
        "Child moved school; asks for meals to carry on at the new school.",
        "Eligibility check failed; the parent has sent the award letter.",
        waiting="Asked for the Universal Credit award letter.",
    ),
    "anti-social-behaviour": Profile(
        (
            "Loud music from the flat upstairs late every night.",
            "Group gathering and shouting outside the house most evenings.",
            "Neighbour making threats over a parking space.",
        ),
        {
            DONE: "We have taken action about what you reported. Contact us if it starts again.",
            NO_ACTION: "We looked into your report but could not find enough to act on. Keep "
            "using the diary sheets and contact us if it carries on.",
            WITHDRAWN: "You told us things have settled down, so we have closed your report.",
        },
        {DONE: 55, NO_ACTION: 35, WITHDRAWN: 10},
        updates=("An officer will contact you to talk about what has been happening.",),
        notes=("Police partner informed.", "Housing association contacted."),
        waiting="Sent diary sheets; waiting for them to come back.",
        pause_share=0.3,
        referral=("environmental-health", "Noise nuisance: consider a noise abatement notice."),
    ),
    "safeguarding-adults": Profile(
        (
            "Neighbour worried that an older man is not eating and the house is cold.",
            "Carer reports bruising on a woman with dementia.",
            "Concern that an adult is being financially exploited by a lodger.",
        ),
        {
            DONE: "Thank you for telling us. We have looked into your concern and acted on it.",
            NO_ACTION: "Thank you for telling us. We looked into your concern and no action "
            "is needed.",
        },
        {DONE: 70, NO_ACTION: 30},
        notes=("Visit made with the district nurse.", "GP informed."),
        third_party="Waiting for the GP's report.",
        third_party_share=0.1,
    ),
}
GENERAL = _account("Enquiry passed to the service team.")
# Reports that come in without a contact being logged (the web form, Open311, FixMyStreet):
# service slug -> share.
ONLINE_REPORTS = {
    "missed-bin": 26, "recycling": 12, "flytipping": 16, "street-cleaning": 8, "graffiti": 6,
    "abandoned-vehicles": 4, "drainage": 6, "trees": 5, "grass-cutting": 6, "dog-warden": 4,
    "pest-control": 7,
}  # fmt: skip


# Working time as running totals.

NEVER = 1 << 62  # a moment that never comes
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def to_seconds(moment: datetime.datetime) -> int:
    """Unix seconds of an aware datetime, or of a naive one taken as UTC (raw SQLite rows)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int((moment - EPOCH).total_seconds())


def to_datetime(seconds: int, micro: int = 0) -> datetime.datetime:
    return EPOCH + datetime.timedelta(seconds=seconds, microseconds=micro)


class WorkingTimeline:
    """A working calendar as running totals, to time millions of cases quickly.

    `worked(t)` is the working time (seconds) before the instant t (Unix seconds) since the
    first day; `instant(w)` is the moment when w working seconds have passed, landing on a
    closing time rather than the next opening when it falls exactly between the two, as
    `WorkingCalendar.add_working_time` does. `cases.clock` does the same sums day by day; the
    tests check that the two agree.
    """

    def __init__(
        self, calendar: WorkingCalendar, first: datetime.date, last: datetime.date
    ) -> None:
        self.timezone = calendar.timezone
        self.opens: list[int] = []
        self.lengths: list[int] = []
        self.before: list[int] = []  # working seconds before each interval
        self.dates: list[datetime.date] = []  # working days
        self.closes: list[int] = []  # each working day's last closing time
        total = 0
        day = first
        while day <= last:
            for opens, closes in calendar.hours_on(day):
                start = self._at(day, opens)
                length = self._at(day, closes) - start
                self.opens.append(start)
                self.lengths.append(length)
                self.before.append(total)
                total += length
            if calendar.hours_on(day):
                self.dates.append(day)
                self.closes.append(self.opens[-1] + self.lengths[-1])
            day += datetime.timedelta(days=1)
        self.after = [b + n for b, n in zip(self.before, self.lengths, strict=True)]

    def _at(self, day: datetime.date, wall_clock: datetime.time) -> int:
        return int(datetime.datetime.combine(day, wall_clock, tzinfo=self.timezone).timestamp())

    def worked(self, t: int) -> int:
        index = bisect.bisect_right(self.opens, t) - 1
        if index < 0:
            return 0
        return self.before[index] + min(t - self.opens[index], self.lengths[index])

    def instant(self, w: int, micro: int = 0) -> int:
        """The moment (whole seconds) when `w` working seconds, and `micro` microseconds more,
        have passed; with `micro` the caller adds the microseconds back."""
        index = (bisect.bisect_right if micro else bisect.bisect_left)(self.after, w)
        return self.opens[index] + w - self.before[index]

    def add_time(self, t: int, seconds: int) -> int:
        if seconds == 0:  # within hours stays put; outside them moves to the next opening
            index = bisect.bisect_right(self.opens, t) - 1
            if index >= 0 and t <= self.opens[index] + self.lengths[index]:
                return t
            return self.opens[index + 1]
        return self.instant(self.worked(t) + seconds)

    def add_days(self, t: int, days: int) -> int:
        day = datetime.datetime.fromtimestamp(t, self.timezone).date()
        if days > 0:
            return self.closes[bisect.bisect_right(self.dates, day) + days - 1]
        index = bisect.bisect_left(self.dates, day)
        return self.closes[index] if self.closes[index] >= t else self.closes[index + 1]

    def due(self, t: int, promise: SlaPromise | None) -> int | None:
        if promise is None:
            return None
        if promise.unit == SlaUnit.WORKING_HOURS:
            return self.add_time(t, promise.value * 3600)
        return self.add_days(t, promise.value)

    def warning(self, t: int, due: int | None) -> tuple[int, int] | None:
        """`clock.warning_point`: three quarters of the working time to `due`, to the
        microsecond, as (seconds, microseconds)."""
        if due is None:
            return None
        if due <= t:
            return due, 0
        allowed = self.worked(due) - self.worked(t)
        whole, micro = divmod(allowed * 750_000, 1_000_000)
        return self.instant(self.worked(t) + whole, micro), micro

    def shifted(self, moment: int, micro: int, paused: int) -> int:
        """A target moved later by `paused` working seconds (`clock.moved_by_pause`)."""
        return self.instant(self.worked(moment) + paused, micro)


# Planning one case.


@dataclass(frozen=True, slots=True)
class CaseSeed:
    """What a case starts from: usually a contact that left something to do."""

    index: int  # position in the stream: the case's own random numbers come from it
    opened: int  # Unix seconds
    service_id: int
    customer_id: int | None
    contact_id: int | None
    channel: str
    agent_id: int | None
    address_id: int | None


@dataclass
class TeamInfo:
    id: int
    name: str
    mode: str
    leaders: list[int]
    officers: list[int]
    weights: list[float]  # for choosing among the officers
    acknowledge_hours: int = 8  # what the team promises for referrals it receives
    complete_days: int = 10


@dataclass(slots=True)
class Plan:
    seed: CaseSeed
    team_id: int
    priority: str
    description: str
    ward_id: int | None
    latitude: float | None
    longitude: float | None
    raised_by: int | None
    assignee: int | None = None
    status: str = CaseStatus.OPEN
    is_open: bool = True
    resolution_code: str = ""
    first_response_at: int | None = None
    resolved_at: int | None = None
    closed_at: int | None = None
    first_response_due: int | None = None
    resolution_due: int | None = None
    warn: tuple[int, int] | None = None
    clock_paused_at: int | None = None
    paused_seconds: int = 0
    warned_at: int | None = None
    first_response_breached: int | None = None
    resolution_breached: int | None = None
    chase_count: int = 0
    update: str = ""  # the public update given so far, if any
    note: str = ""
    waiting_text: str = ""
    # (seconds, microseconds, kind, actor, text, is_public, data, contact, referral)
    events: list[tuple] = field(default_factory=list)
    referral: dict[str, Any] | None = None


AGENT_CHANNELS = {Channel.PHONE, Channel.FACE_TO_FACE, Channel.EMAIL, Channel.LETTER,
                  Channel.PARTNER}  # fmt: skip
WORKING_DAY = 9 * 3600  # the demo council opens 08:30 to 17:30
SWEEP_EVERY = 300  # seconds between escalation sweeps
STUCK_DAYS = 75.0  # how fast the chance of a case being stuck fades with age
STUCK_CAP = 0.9
NATURAL_OPEN_DAYS = 9.0  # calendar days a case that runs its course is open, on average


class CasePlanner:
    """Plans cases for one council as of `now`, in its working time."""

    def __init__(
        self,
        *,
        council: DemoCouncil,
        timeline: WorkingTimeline,
        now: int,
        seed: int,
        stuck_scale: float,
        names: dict[int, str],
        referral_teams: dict[str, TeamInfo] | None = None,
    ) -> None:
        self.timeline = timeline
        self.now = now
        self.seed = seed
        self.stuck_scale = stuck_scale
        self.names = names
        self.services = {service.pk: service for service in council.services.values()}
        self.profiles = {
            service.pk: PROFILES.get(service.slug, GENERAL) for service in self.services.values()
        }
        self.promises: dict[tuple[int, str], tuple[SlaPromise | None, SlaPromise | None]] = {}
        self.priorities: dict[int, tuple[list[str], list[float]]] = {}
        for service in self.services.values():
            with_targets = set(service.sla_targets.values_list("priority", flat=True))
            for priority in Priority.values:
                self.promises[service.pk, priority] = sla_promises_for(
                    service=service, priority=priority
                )
            weights = {Priority.NORMAL: 88.0, Priority.HIGH: 6.0, Priority.LOW: 3.0}
            if Priority.URGENT in with_targets:
                weights[Priority.URGENT] = 4.0
            self.priorities[service.pk] = (list(weights), list(weights.values()))
        self.teams: dict[int, TeamInfo] = {}
        self.referral_teams = referral_teams or {}
        self.raised_text: dict[tuple[str, int], str] = {}

    def add_team(self, info: TeamInfo) -> None:
        self.teams[info.id] = info

    def stuck_chance(self, opened: int) -> float:
        age = max(0.0, (self.now - opened) / 86400)
        return min(STUCK_CAP, self.stuck_scale * math.exp(-age / STUCK_DAYS))

    def _raised(self, channel: str, team: TeamInfo) -> str:
        key = (channel, team.id)
        if key not in self.raised_text:
            self.raised_text[key] = _("Raised by %(channel)s for %(team)s") % {
                "channel": str(Channel(channel).label).lower(),
                "team": team.name,
            }
        return self.raised_text[key]

    def plan(
        self,
        seed: CaseSeed,
        *,
        team_id: int,
        place: tuple[int | None, float | None, float | None],
        detail: bool,
        chases: Iterable[tuple[int, int, int | None]] = (),
    ) -> Plan:
        """The case as it stands at `now`, with its timeline (all of it when `detail`, else the
        raised, breach and closed events of a finished case)."""
        rng = random.Random(self.seed * 1_000_003 + seed.index)
        tl = self.timeline
        now = self.now
        team = self.teams[team_id]
        profile = self.profiles[seed.service_id]
        names, weights = self.priorities[seed.service_id]
        priority = rng.choices(names, weights)[0]
        first_promise, promise = self.promises[seed.service_id, priority]
        t0 = seed.opened
        w0 = tl.worked(t0)
        plan = Plan(
            seed=seed, team_id=team_id, priority=priority,
            description=rng.choice(profile.descriptions), ward_id=place[0],
            latitude=place[1], longitude=place[2],
            raised_by=seed.agent_id if seed.channel in AGENT_CHANNELS else None,
        )  # fmt: skip
        plan.first_response_due = first_due = tl.due(t0, first_promise)
        resolution_due = tl.due(t0, promise)
        warn = tl.warning(t0, resolution_due)
        allowed = tl.worked(resolution_due) - w0 if resolution_due else 5 * WORKING_DAY
        first_allowed = tl.worked(first_due) - w0 if first_due else max(allowed // 5, 3600)
        stuck = rng.random() < self.stuck_chance(t0)

        # Who works it.
        automatic = team.mode != Team.CaseAssignment.MANUAL and team.officers
        if team.officers:
            plan.assignee = rng.choices(team.officers, team.weights)[0]
        assigner = None if automatic else (rng.choice(team.leaders) if team.leaders else None)
        assigner = assigner or plan.assignee
        # When, in working seconds after opening (the pause's length is added after it).
        assign_at = 0 if automatic else int(first_allowed * rng.uniform(0.03, 0.35)) + 60
        late = rng.random()
        first_at = int(first_allowed * (rng.uniform(1.02, 2.5) if late < 0.07 else
                                        rng.uniform(0.1, 0.95)))  # fmt: skip
        first_at = max(first_at, assign_at + 120)
        ratio = rng.uniform(1.02, 3.0) if rng.random() < 0.14 else rng.betavariate(2.2, 1.6)
        resolve_at = max(int(allowed * ratio), first_at + 600)
        pause_start = pause_length = third_party_at = None
        roll = rng.random()
        if roll < profile.pause_share:
            pause_start = first_at + int((resolve_at - first_at) * rng.uniform(0.15, 0.6))
            pause_length = int(WORKING_DAY * rng.uniform(0.3, 8.0))
        elif roll < profile.pause_share + profile.third_party_share:
            third_party_at = first_at + int((resolve_at - first_at) * rng.uniform(0.1, 0.5))
        update_at = (
            first_at + int((resolve_at - first_at) * rng.uniform(0.2, 0.9))
            if profile.updates and rng.random() < 0.35
            else None
        )
        note_at = (
            first_at + int((resolve_at - first_at) * rng.uniform(0.05, 0.8))
            if profile.notes and rng.random() < 0.25
            else None
        )
        if stuck:  # never resolved: most are waiting on someone, some were never started
            resolve_at = None
            kind = rng.random()
            if kind < 0.15:
                first_at = NEVER
                pause_start = third_party_at = update_at = note_at = None
                if not automatic and rng.random() < 0.6:
                    assign_at = NEVER
            elif kind < 0.5 and profile.waiting:
                pause_start = first_at + int(first_allowed * rng.uniform(0.1, 1.0))
                pause_length = None  # still waiting
                third_party_at = None
            elif kind < 0.8 and profile.third_party:
                third_party_at = first_at + int(WORKING_DAY * rng.uniform(0.5, 5))
                pause_start = None

        def at(offset: int | None) -> int:
            return NEVER if offset is None or offset >= NEVER else tl.instant(w0 + offset)

        paused = pause_length or 0
        t_assign = t0 if automatic else at(assign_at)
        t_first = at(first_at)
        t_pause = at(pause_start) if pause_start is not None else NEVER
        t_resume = (
            tl.instant(tl.worked(t_pause) + pause_length)
            if pause_start is not None and pause_length is not None
            else NEVER
        )
        t_third = at(third_party_at) if third_party_at is not None else NEVER
        t_resolve = at(resolve_at + paused) if resolve_at is not None else NEVER
        t_update = NEVER
        if update_at is not None:
            after_pause = pause_start is not None and update_at > pause_start
            t_update = at(update_at + (paused if after_pause else 0))
        t_note = NEVER
        if note_at is not None:
            after_pause = pause_start is not None and note_at > pause_start
            t_note = at(note_at + (paused if after_pause else 0))
        if t_resolve <= t_third:
            t_third = NEVER
        end = min(t_resolve, now)
        resumed = t_resume <= end
        paused_now = t_pause <= end < t_resume

        # The clocks, as `cases.services` and the sweep leave them.
        if resumed:
            plan.paused_seconds = paused
            if resolution_due is not None and resolution_due > t_pause:
                resolution_due = tl.shifted(resolution_due, 0, paused)
        warned = False
        if warn is not None:
            warn_moves = warn[0] > t_pause or (warn[0] == t_pause and warn[1] > 0)
            if resumed and warn_moves:
                warn = (tl.shifted(warn[0], warn[1], paused), warn[1])
            sweep_at = warn[0] + rng.randint(20, SWEEP_EVERY)  # the sweep runs every 5 minutes
            if not warn_moves and warn[0] <= t_pause < sweep_at:
                sweep_at = t_pause  # warned just before the clock paused
            if paused_now and warn_moves:
                warned = False  # the sweep leaves paused cases alone
            elif t_resolve <= now:
                warned = sweep_at < t_resolve
            else:
                warned = warn <= (now, 0)
            if warned:
                plan.warned_at = min(sweep_at, now)
        plan.resolution_due, plan.warn = resolution_due, warn
        if first_due is not None and first_due < min(t_first, now + 1) and first_due <= end:
            plan.first_response_breached = first_due
        if (
            resolution_due is not None
            and resolution_due < end + (0 if t_resolve <= now else 1)
            and not (paused_now and resolution_due > t_pause)
        ):
            plan.resolution_breached = resolution_due
        plan.first_response_at = t_first if t_first <= end else None

        # Where it stands.
        assigned = plan.assignee is not None and t_assign <= end
        if not assigned:
            plan.assignee = None
        if t_resolve <= now:
            plan.is_open = False
            plan.resolved_at = t_resolve
            plan.clock_paused_at = t_resolve
            codes, shares = zip(*profile.codes.items(), strict=True)
            plan.resolution_code = rng.choices(codes, shares)[0]
            t_close = t_resolve
            if rng.random() < 0.15:  # resolved first, closed a week later
                t_close = tl.instant(tl.worked(t_resolve) + 5 * WORKING_DAY)
            plan.closed_at = t_close if t_close <= now else None
            plan.status = CaseStatus.CLOSED if plan.closed_at else CaseStatus.RESOLVED
        elif paused_now:
            plan.status = CaseStatus.WAITING_CUSTOMER
            plan.clock_paused_at = t_pause
        elif t_third <= now:
            plan.status = CaseStatus.WAITING_THIRD_PARTY
        elif t_first <= now:
            plan.status = CaseStatus.IN_PROGRESS
        elif assigned:
            plan.status = CaseStatus.ASSIGNED
        if t_update <= end:
            plan.update = rng.choice(profile.updates)
        if t_note <= end:
            plan.note = rng.choice(profile.notes)
        if t_pause <= end:
            plan.waiting_text = profile.waiting
        for chased_at, contact_id, agent_id in chases:
            if t0 < chased_at <= end:
                plan.chase_count += 1
                if detail:
                    plan.events.append(
                        (
                            chased_at,
                            0,
                            EventKind.CHASED,
                            agent_id,
                            "",
                            False,
                            "{}",
                            contact_id,
                            None,
                        )
                    )

        # The timeline.
        events = plan.events
        actor = plan.assignee

        def event(moment, kind, who=None, text="", public=False, data="{}", micro=0, contact=None):
            events.append((moment, micro, kind, who, text, public, data, contact, None))

        event(t0, EventKind.RAISED, plan.raised_by, self._raised(seed.channel, team),
              contact=seed.contact_id)  # fmt: skip
        if plan.first_response_breached:
            event(first_due, EventKind.FIRST_RESPONSE_BREACHED)
        if plan.resolution_breached:
            event(plan.resolution_breached, EventKind.RESOLUTION_BREACHED)
        if detail or plan.is_open:
            status = CaseStatus.OPEN
            if assigned:
                who = None if automatic else assigner
                event(t_assign, EventKind.STATUS_CHANGED, who, data=_moved(status, "assigned"))
                event(t_assign, EventKind.ASSIGNED, who, self.names.get(actor, ""),
                      data=json.dumps({"assignee": actor}))  # fmt: skip
                status = CaseStatus.ASSIGNED
            if t_first <= end:
                event(t_first, EventKind.STATUS_CHANGED, actor, data=_moved(status, "in_progress"))
                status = CaseStatus.IN_PROGRESS
            if warned:
                event(warn[0], EventKind.SLA_WARNING, micro=warn[1])
            if t_note <= end:
                event(t_note, EventKind.NOTE, actor, plan.note)
            if t_update <= end:
                event(t_update, EventKind.PUBLIC_UPDATE, actor, plan.update, public=True)
            if t_pause <= end:
                event(t_pause, EventKind.STATUS_CHANGED, actor, profile.waiting,
                      data=_moved(status, "waiting_customer"))  # fmt: skip
                event(t_pause, EventKind.CLOCK_PAUSED,
                      data='{"reason": "paused", "status": "waiting_customer"}')  # fmt: skip
                status = CaseStatus.WAITING_CUSTOMER
                if resumed:
                    event(t_resume, EventKind.STATUS_CHANGED, actor,
                          data=_moved(status, "in_progress"))  # fmt: skip
                    event(t_resume, EventKind.CLOCK_RESUMED,
                          data=json.dumps({"paused_working_seconds": paused}))  # fmt: skip
                    status = CaseStatus.IN_PROGRESS
            if t_third <= end:
                event(t_third, EventKind.STATUS_CHANGED, actor, profile.third_party,
                      data=_moved(status, "waiting_third_party"))  # fmt: skip
                status = CaseStatus.WAITING_THIRD_PARTY
            if not plan.is_open:
                finished = CaseStatus.CLOSED if plan.closed_at == t_resolve else "resolved"
                event(t_resolve, EventKind.STATUS_CHANGED, actor, data=_moved(status, finished))
                event(t_resolve, EventKind.CLOCK_PAUSED,
                      data=json.dumps({"reason": "stopped", "status": finished}))  # fmt: skip
        if not plan.is_open:
            message = profile.closures[plan.resolution_code]
            kind = EventKind.CLOSED if plan.closed_at == t_resolve else EventKind.PUBLIC_UPDATE
            event(t_resolve, kind, actor, message, public=True,
                  data=json.dumps({"resolution_code": plan.resolution_code}))  # fmt: skip
            if detail and plan.closed_at and plan.closed_at != t_resolve:
                event(plan.closed_at, EventKind.STATUS_CHANGED, data=_moved("resolved", "closed"))
        events.sort(key=lambda row: (row[0], row[1]))
        if plan.is_open and profile.referral and t_first <= now and rng.random() < 0.012:
            plan.referral = self._refer(plan, rng, profile.referral, t_first)
        return plan

    def _refer(
        self, plan: Plan, rng: random.Random, referral: tuple[str, str], after: int
    ) -> dict[str, Any] | None:
        """A referral made after the first response, as `cases.referrals` records it."""
        slug, scope = referral
        team = self.referral_teams.get(slug)
        if team is None or team.id == plan.team_id:
            return None
        tl = self.timeline
        span = max(1, tl.worked(self.now) - tl.worked(after))
        referred_at = tl.instant(tl.worked(after) + int(span * rng.uniform(0.05, 0.9)))
        promise = team.acknowledge_hours * 3600
        acknowledge_due = tl.add_time(referred_at, promise)
        due = tl.add_days(referred_at, team.complete_days)
        acknowledged = None
        if rng.random() < 0.6:
            acknowledged = tl.instant(tl.worked(referred_at) + int(promise * rng.uniform(0.2, 1.4)))
            if acknowledged > self.now:
                acknowledged = None
        receiver = rng.choice(team.officers or team.leaders) if acknowledged else None
        missed_acknowledgement = acknowledge_due <= (acknowledged or self.now)
        return {
            "to_team_id": team.id,
            "scope": scope,
            "referred_by": plan.assignee,
            "referred_at": referred_at,
            "acknowledge_due_at": acknowledge_due,
            "due_at": due,
            "acknowledged_at": acknowledged,
            "acknowledged_by": receiver,
            "status": ReferralStatus.ACKNOWLEDGED if acknowledged else ReferralStatus.PENDING,
            "acknowledge_breached_at": acknowledge_due if missed_acknowledgement else None,
            "breached_at": due if due <= self.now else None,
            "to_team_name": team.name,
        }


def _moved(old: str, new: str) -> str:
    return f'{{"from": "{old}", "to": "{new}"}}'


# Rows for `executemany`.

CASE_COLUMNS = (
    "id", "organisation_id", "reference", "service_id", "customer_id", "source_contact_id",
    "channel", "description", "attributes", "address_id", "latitude", "longitude",
    "location_description", "ward_id", "duplicate_of_id", "status", "is_open", "priority",
    "team_id", "assignee_id", "raised_by_id", "resolution_code", "chase_count",
    "linked_report_count", "opened_at", "first_response_at", "resolved_at", "closed_at",
    "first_response_due_at", "resolution_due_at", "resolution_warn_at", "clock_paused_at",
    "paused_working_seconds", "warned_at", "first_response_breached_at",
    "resolution_breached_at",
)  # fmt: skip
EVENT_COLUMNS = ("case_id", "kind", "occurred_at", "actor_id", "text", "is_public", "data",
                 "contact_id", "referral_id")  # fmt: skip
REFERRAL_COLUMNS = (
    "id", "case_id", "from_team_id", "to_team_id", "scope", "share_customer_details", "status",
    "referred_by_id", "referred_at", "acknowledge_due_at", "due_at", "acknowledged_at",
    "acknowledged_by_id", "finished_at", "outcome", "acknowledge_breached_at", "breached_at",
)  # fmt: skip


class Stamper:
    """Unix seconds as the text a DateTimeField stores: naive UTC on SQLite, with "+00:00" on
    PostgreSQL."""

    clock: list[str] = []  # "HH:MM:SS" for every second of a day, made once

    def __init__(self) -> None:
        self.suffix = "" if connection.vendor == "sqlite" else "+00:00"
        self.days: dict[int, str] = {}
        if not Stamper.clock:
            Stamper.clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
                             for s in range(86400)]  # fmt: skip

    def __call__(self, seconds: int | None, micro: int = 0) -> str | None:
        if seconds is None:
            return None
        day, second = divmod(seconds, 86400)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = (
                datetime.date(1970, 1, 1) + datetime.timedelta(day)
            ).isoformat()
        if micro:
            return f"{text} {self.clock[second]}.{micro:06d}{self.suffix}"
        return f"{text} {self.clock[second]}{self.suffix}"


def case_row(case_id: int, organisation_id: int, plan: Plan, stamp: Stamper) -> tuple:
    seed = plan.seed
    warn = plan.warn
    return (
        case_id, organisation_id, make_reference("CAS", case_id), seed.service_id,
        seed.customer_id, seed.contact_id, seed.channel, plan.description, "{}", seed.address_id,
        plan.latitude, plan.longitude, "", plan.ward_id, None, plan.status, plan.is_open,
        plan.priority, plan.team_id, plan.assignee, plan.raised_by, plan.resolution_code,
        plan.chase_count, 0, stamp(seed.opened), stamp(plan.first_response_at),
        stamp(plan.resolved_at), stamp(plan.closed_at), stamp(plan.first_response_due),
        stamp(plan.resolution_due), stamp(warn[0], warn[1]) if warn else None,
        stamp(plan.clock_paused_at), plan.paused_seconds, stamp(plan.warned_at),
        stamp(plan.first_response_breached), stamp(plan.resolution_breached),
    )  # fmt: skip


def event_rows(case_id: int, plan: Plan, stamp: Stamper, referral_id: int | None) -> list[tuple]:
    rows = [
        (case_id, kind, stamp(moment, micro), actor, text, public, data, contact, None)
        for moment, micro, kind, actor, text, public, data, contact, _ in plan.events
    ]
    referral = plan.referral
    if referral and referral_id:
        to_team = json.dumps({"to_team": referral["to_team_name"]})
        rows.append((case_id, EventKind.REFERRED, stamp(referral["referred_at"]),
                     referral["referred_by"], referral["scope"], False, to_team, None,
                     referral_id))  # fmt: skip
        if referral["acknowledged_at"]:
            rows.append((case_id, EventKind.REFERRAL_ACKNOWLEDGED,
                         stamp(referral["acknowledged_at"]), referral["acknowledged_by"], "",
                         False, "{}", None, referral_id))  # fmt: skip
    return rows


def referral_row(referral_id: int, case_id: int, plan: Plan, stamp: Stamper) -> tuple:
    r = plan.referral or {}
    return (
        referral_id, case_id, plan.team_id, r["to_team_id"], r["scope"], False, r["status"],
        r["referred_by"], stamp(r["referred_at"]), stamp(r["acknowledge_due_at"]),
        stamp(r["due_at"]), stamp(r["acknowledged_at"]), r["acknowledged_by"], None, "",
        stamp(r["acknowledge_breached_at"]), stamp(r["breached_at"]),
    )  # fmt: skip


def _insert_sql(model: Any, columns: tuple[str, ...]) -> str:
    """The INSERT for `columns`, checked against the model so a renamed field fails loudly."""
    known = {f.column for f in model._meta.concrete_fields}
    missing = set(columns) - known
    if missing:
        raise RuntimeError(f"{model._meta.db_table} has no columns {sorted(missing)}")
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def insert_plans(
    plans: Iterable[tuple[int, Plan]],
    *,
    organisation_id: int,
    first_referral_id: int,
    batch: int = 5_000,
    commit_every: int = 50_000,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, int]:
    """Insert planned cases with their events and referrals, `commit_every` cases a transaction.

    Returns how many cases, events and referrals were inserted.
    """
    case_sql = _insert_sql(Case, CASE_COLUMNS)
    event_sql = _insert_sql(CaseEvent, EVENT_COLUMNS)
    referral_sql = _insert_sql(Referral, REFERRAL_COLUMNS)
    stamp = Stamper()
    counts = [0, 0, 0]
    referral_id = first_referral_id
    iterator = iter(plans)
    finished = False
    while not finished:
        with transaction.atomic(), connection.cursor() as cursor:
            in_transaction = 0
            while in_transaction < commit_every:
                chunk = [item for _, item in zip(range(batch), iterator, strict=False)]
                if not chunk:
                    finished = True
                    break
                cases, events, referral_rows = [], [], []
                for case_id, plan in chunk:
                    cases.append(case_row(case_id, organisation_id, plan, stamp))
                    this_referral = None
                    if plan.referral:
                        this_referral = referral_id
                        referral_rows.append(referral_row(referral_id, case_id, plan, stamp))
                        referral_id += 1
                    events.extend(event_rows(case_id, plan, stamp, this_referral))
                cursor.executemany(case_sql, cases)
                if referral_rows:
                    cursor.executemany(referral_sql, referral_rows)
                cursor.executemany(event_sql, events)
                counts[0] += len(cases)
                counts[1] += len(events)
                counts[2] += len(referral_rows)
                in_transaction += len(cases)
                if progress:
                    progress(counts[0])
    reset_sequences([Case, CaseEvent, Referral])
    return counts[0], counts[1], counts[2]


# Where cases come from: contacts that raised one, and reports made online.


@dataclass
class Places:
    homes: dict[int, int | None]  # customer id -> home address (UPRN)
    addresses: dict[int, tuple[int | None, float | None, float | None]]  # UPRN -> ward, lat, lon
    uprns: list[int]
    customers: list[int]

    @classmethod
    def load(cls, organisation_id: int) -> "Places":
        homes = dict(
            Customer.objects.filter(organisation_id=organisation_id, merged_into__isnull=True)
            .order_by("pk")
            .values_list("pk", "address_id")
        )
        addresses = {
            uprn: (ward, float(lat) if lat is not None else None,
                   float(lon) if lon is not None else None)
            for uprn, ward, lat, lon in Address.objects.filter(organisation_id=organisation_id)
            .order_by("uprn")
            .values_list("uprn", "ward_id", "latitude", "longitude")
        }  # fmt: skip
        return cls(homes, addresses, list(addresses), list(homes))

    def where(self, uprn: int | None) -> tuple[int | None, float | None, float | None]:
        return self.addresses.get(uprn, (None, None, None)) if uprn else (None, None, None)


class SeedMaker:
    """Case seeds in time order from the contacts whose outcome was "case raised": `share` of
    them raise a case, and each brings `online_rate` reports made online with it."""

    def __init__(
        self,
        *,
        rng: random.Random,
        council: DemoCouncil,
        places: Places,
        share: float,
        online_rate: float,
        latest: int,
    ) -> None:
        self.rng = rng
        self.places = places
        self.share = share
        self.online_rate = online_rate
        self.latest = latest
        self.place_services = {
            service.pk
            for service in council.services.values()
            if PROFILES.get(service.slug, GENERAL).place
        }
        online = [(council.services[slug].pk, weight) for slug, weight in ONLINE_REPORTS.items()
                  if slug in council.services]  # fmt: skip
        self.online_services = [pk for pk, _ in online]
        self.online_weights = list(_accumulate([weight for _, weight in online]))
        self.carried = 0.0
        self.index = 0

    def eligible(self, customer_id: int | None, service_id: int | None) -> bool:
        return service_id is not None and (
            customer_id is not None or service_id in self.place_services
        )

    def _address(self, customer_id: int | None, service_id: int) -> int | None:
        places, rng = self.places, self.rng
        home = places.homes.get(customer_id) if customer_id is not None else None
        if service_id in self.place_services and (home is None or rng.random() < 0.45):
            return places.uprns[int(rng.random() * len(places.uprns))]
        return home

    def _seed(self, **fields: Any) -> CaseSeed:
        self.index += 1
        return CaseSeed(index=self.index, **fields)

    def seeds(self, row: tuple) -> Iterator[CaseSeed]:
        """Seeds for one contact row (id, customer, service, started, channel, agent)."""
        contact_id, customer_id, service_id, started, channel, agent_id = row
        if not self.eligible(customer_id, service_id):
            return
        rng = self.rng
        opened = started if isinstance(started, int) else to_seconds(_as_datetime(started))
        if rng.random() < self.share:
            yield self._seed(
                opened=opened, service_id=service_id, customer_id=customer_id,
                contact_id=contact_id, channel=channel, agent_id=agent_id,
                address_id=self._address(customer_id, service_id),
            )  # fmt: skip
        yield from self.online(opened)

    def online(self, opened: int) -> Iterator[CaseSeed]:
        """The reports made online around `opened` (`online_rate` of them on average)."""
        rng = self.rng
        self.carried += self.online_rate
        while self.carried >= 1:
            self.carried -= 1
            service = self.online_services[
                bisect.bisect(self.online_weights, rng.random() * self.online_weights[-1])
            ]
            customers = self.places.customers
            reporter = customers[int(rng.random() * len(customers))] if rng.random() < 0.5 else None
            yield self._seed(
                opened=min(opened + int(rng.random() * 6 * 3600), self.latest),
                service_id=service, customer_id=reporter, contact_id=None,
                channel=Channel.WEB if rng.random() < 0.6 else Channel.API, agent_id=None,
                address_id=self._address(reporter, service),
            )  # fmt: skip


def _accumulate(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _as_datetime(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(str(value))


def stuck_scale(*, per_day: float, days: int, wanted_open: float) -> float:
    """How likely an old case is to be stuck, so that about `wanted_open` cases are open: those
    whose work is still under way plus the stuck ones."""
    need = wanted_open - per_day * NATURAL_OPEN_DAYS
    if need <= 0 or per_day <= 0:
        return 0.0

    fading = [math.exp(-age / STUCK_DAYS) for age in range(days)]

    def expected(scale: float) -> float:
        return per_day * sum(min(STUCK_CAP, scale * share) for share in fading)

    low, high = 0.0, 1000.0
    for _step in range(50):
        middle = (low + high) / 2
        low, high = (middle, high) if expected(middle) < need else (low, middle)
    return low


def team_infos(council: DemoCouncil) -> tuple[dict[int, TeamInfo], dict[str, TeamInfo]]:
    """Each team's leaders and officers, by id and by slug (the partner's team too)."""
    teams = list(Team.objects.filter(organisation__in=[council.organisation, council.partner]))
    members: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for team_id, user_id, role, username in (
        Membership.objects.filter(team__in=teams, user__is_active=True)
        .order_by("user_id")
        .values_list("team_id", "user_id", "role", "user__username")
    ):
        members[team_id].append((user_id, role, username))
    by_id, by_slug = {}, {}
    for team in teams:
        leaders = [user for user, role, _ in members[team.pk] if role == Role.TEAM_LEADER]
        officers = [(user, name) for user, role, name in members[team.pk] if role == Role.OFFICER]
        if team.case_assignment == Team.CaseAssignment.MANUAL:
            # Named demo officers take more of the work, so their queues have something in them;
            # team leaders pick up the odd case themselves.
            pool = [(user, 3.0 if name in ("revenues", "benefits") else 1.0)
                    for user, name in officers] + [(user, 0.3) for user in leaders]  # fmt: skip
        else:  # automatic assignment shares work among the officers only
            pool = [(user, 1.0) for user, _ in officers]
        if not pool:
            pool = [(user, 1.0) for user, _, _ in members[team.pk]]
        info = TeamInfo(
            id=team.pk, name=team.name, mode=team.case_assignment, leaders=leaders,
            officers=[user for user, _ in pool], weights=[weight for _, weight in pool],
            acknowledge_hours=team.referral_acknowledge_hours,
            complete_days=team.referral_complete_days,
        )  # fmt: skip
        by_id[team.pk] = info
        by_slug[team.slug] = info
    return by_id, by_slug


def routes(council: DemoCouncil) -> dict[tuple[int, int | None], int]:
    """(service, ward) -> team, as `raise_case` routes: worked out once per pair."""
    wards = [None, *council.organisation.wards.values_list("pk", flat=True)]
    result = {}
    for service in council.services.values():
        for ward in wards:
            team = team_for_place(service=service, ward_id=ward)
            if team is not None:
                result[service.pk, ward] = team.pk
    return result


def make_planner(
    *, council: DemoCouncil, now: int, seed: int, per_day: float, days: int, open_cases: int
) -> tuple[CasePlanner, dict[tuple[int, int | None], int]]:
    calendar = calendar_for(council.organisation)
    first = datetime.datetime.fromtimestamp(now, datetime.UTC).date()
    timeline = WorkingTimeline(
        calendar,
        first - datetime.timedelta(days=days + 30),
        first + datetime.timedelta(days=3 * 365),
    )
    by_id, by_slug = team_infos(council)
    names = {user.pk: str(user) for user in User.objects.filter(memberships__isnull=False)}
    planner = CasePlanner(
        council=council, timeline=timeline, now=now, seed=seed,
        stuck_scale=stuck_scale(per_day=per_day, days=days, wanted_open=open_cases),
        names=names, referral_teams=by_slug,
    )  # fmt: skip
    for info in by_id.values():
        planner.add_team(info)
    return planner, routes(council)


def _route(
    plan_routes: dict[tuple[int, int | None], int], places: Places, seed: CaseSeed
) -> tuple[int | None, tuple[int | None, float | None, float | None]]:
    place = places.where(seed.address_id)
    team = plan_routes.get((seed.service_id, place[0])) or plan_routes.get((seed.service_id, None))
    return team, place


# The demo (`manage.py seed`): history generated, the open backlog raised and worked through
# the services.

SEED_SHARE = 0.85  # of the contacts that raised a case, those whose case the demo has
SEED_ONLINE_RATE = 0.25  # reports made online (no contact logged) per such contact
# Open cases raised more recently than this go through the services; older ones are generated
# with the rest of the history (each service call costs about 10 ms, and cannot be backdated).
THROUGH_SERVICES = datetime.timedelta(days=30)


@dataclass
class SeededCases:
    history: int = 0  # generated: finished cases, and open ones raised before the last weeks
    events: int = 0  # on generated cases
    backlog: int = 0  # raised through the services
    open: int = 0  # at the end, after today's work and the sweep
    referrals: int = 0
    closed_today: int = 0
    duplicates: int = 0
    warned: int = 0
    breached: int = 0


def seed_cases(
    *,
    council: DemoCouncil,
    seed: int,
    open_cases: int,
    now: datetime.datetime | None = None,
) -> SeededCases:
    """Cases for the contacts that raised one, and for reports made online, with about
    `open_cases` of them still open. Call `loader.prepare_for_cases` first."""
    now = now or timezone.now()
    now_seconds = to_seconds(now)
    organisation = council.organisation
    rows = list(
        Contact.objects.filter(organisation=organisation, outcome=Outcome.CASE_RAISED)
        .order_by("started_at", "pk")
        .values_list("pk", "customer_id", "service_id", "started_at", "channel", "agent_id")
    )
    result = SeededCases()
    if not rows:
        return result
    places = Places.load(organisation.pk)
    maker = SeedMaker(
        rng=random.Random(f"{seed}:cases"), council=council, places=places, share=SEED_SHARE,
        online_rate=SEED_ONLINE_RATE, latest=now_seconds - 3600,
    )  # fmt: skip
    seeds = [case_seed for row in rows for case_seed in maker.seeds(row)]
    if not seeds:
        return result
    days = max(1, (now_seconds - seeds[0].opened) // 86400 + 1)
    planner, plan_routes = make_planner(
        council=council, now=now_seconds, seed=seed, per_day=len(seeds) / days, days=days,
        open_cases=open_cases,
    )  # fmt: skip
    chases: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
    for contact_id, original, started, agent_id in Contact.objects.filter(
        organisation=organisation,
        avoidable_reason=AvoidableReason.CHASING,
        repeat_of__isnull=False,
    ).values_list("pk", "repeat_of_id", "started_at", "agent_id"):
        chases[original].append((to_seconds(started), contact_id, agent_id))
    history: list[Plan] = []
    backlog: list[Plan] = []
    recent = to_seconds(now - THROUGH_SERVICES)
    for case_seed in seeds:
        team, place = _route(plan_routes, places, case_seed)
        if team is None:
            continue
        found = chases.get(case_seed.contact_id, ()) if case_seed.contact_id else ()
        plan = planner.plan(case_seed, team_id=team, place=place, detail=True, chases=found)
        (backlog if plan.is_open and case_seed.opened >= recent else history).append(plan)
    first_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    history_ids = list(range(first_id, first_id + len(history)))
    first_referral = Referral.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result.history, result.events, result.referrals = insert_plans(
        zip(history_ids, history, strict=True),
        organisation_id=organisation.pk,
        first_referral_id=first_referral + 1,
    )
    work = Backlog(
        council=council, planner=planner, plans=backlog, rng=random.Random(f"{seed}:today")
    )
    result.backlog = work.raise_cases()
    # From here on customers hear about what happens, as they would from a live system.
    install_demo_templates(actor=None, organisation=organisation)
    work.work_cases()
    result.referrals += work.refer_some()
    result.duplicates = work.link_duplicates()
    result.closed_today = work.close_some()
    work.reopen_one(list(zip(history_ids, history, strict=True)), now_seconds)
    swept = escalation.sweep(now=max(now, timezone.now()))
    result.warned = swept.warned
    result.breached = swept.resolution_breached + swept.first_response_breached
    result.open = Case.objects.filter(organisation=organisation, is_open=True).count()
    return result


class Backlog:
    """The open cases: raised through `raise_case` (backdated to their contact), then worked
    today through the other services, by the officers the plans name."""

    def __init__(
        self, *, council: DemoCouncil, planner: CasePlanner, plans: list[Plan], rng: random.Random
    ) -> None:
        self.council = council
        self.planner = planner
        self.plans = plans
        self.rng = rng
        seeds = [plan.seed for plan in plans]
        self.customers = Customer.objects.in_bulk({s.customer_id for s in seeds} - {None})
        self.contacts = Contact.objects.in_bulk({s.contact_id for s in seeds} - {None})
        self.addresses = Address.objects.in_bulk({s.address_id for s in seeds} - {None})
        self.users = User.objects.in_bulk(
            set(Membership.objects.values_list("user_id", flat=True))
            | {plan.raised_by for plan in plans if plan.raised_by}
        )
        self.services = {service.pk: service for service in council.services.values()}
        self.teams = Team.objects.in_bulk()
        self.cases: list[tuple[Plan, Case]] = []

    def raise_cases(self) -> int:
        organisation = self.council.organisation
        for plan in self.plans:
            seed = plan.seed
            case = services.raise_case(
                actor=self.users.get(plan.raised_by), organisation=organisation,
                service=self.services[seed.service_id], description=plan.description,
                channel=seed.channel, customer=self.customers.get(seed.customer_id),
                source_contact=self.contacts.get(seed.contact_id),
                address=self.addresses.get(seed.address_id), priority=plan.priority,
                opened_at=to_datetime(seed.opened),
            )  # fmt: skip
            self.cases.append((plan, case))
        return len(self.cases)

    def _profile(self, case: Case) -> Profile:
        return self.planner.profiles[case.service_id]

    def _worker(self, plan: Plan, case: Case) -> Any:
        """Who works the case: whoever automatic assignment chose, or the plan's officer."""
        if case.assignee_id:
            return self.users[case.assignee_id]
        return self.users.get(plan.assignee) if plan.assignee else None

    def work_cases(self) -> None:
        """Bring each case to the state its plan reached: assigned, started, on hold."""
        worked = []
        for plan, case in self.cases:
            worker = self._worker(plan, case)
            if plan.status == CaseStatus.OPEN or worker is None:
                worked.append((plan, case))
                continue
            if case.assignee_id is None:
                leaders = self.planner.teams[case.team_id].leaders
                assigner = self.users[leaders[0]] if leaders else worker
                case = services.assign_case(actor=assigner, case=case, assignee=worker)
            if plan.status != CaseStatus.ASSIGNED:
                case = services.change_status(
                    actor=worker, case=case, status=CaseStatus.IN_PROGRESS
                )
                if plan.note:
                    services.add_note(actor=worker, case=case, text=plan.note)
                if plan.update:
                    services.add_note(actor=worker, case=case, text=plan.update, public=True)
                profile = self._profile(case)
                if plan.status == CaseStatus.WAITING_CUSTOMER:
                    case = services.change_status(
                        actor=worker, case=case, status=plan.status,
                        note=plan.waiting_text or profile.waiting,
                    )  # fmt: skip
                elif plan.status == CaseStatus.WAITING_THIRD_PARTY:
                    case = services.change_status(
                        actor=worker, case=case, status=plan.status, note=profile.third_party
                    )
            worked.append((plan, case))
        self.cases = worked

    def _in_progress(self) -> list[tuple[Plan, Case]]:
        return [(p, c) for p, c in self.cases if c.status == CaseStatus.IN_PROGRESS]

    def refer_some(self) -> int:
        """A few referrals, to council teams and to Citizens Advice; some acknowledged, one
        completed."""
        by_slug = self.planner.referral_teams
        # Any case being worked, whether raised this month or long ago.
        working = Case.objects.filter(
            organisation=self.council.organisation,
            status=CaseStatus.IN_PROGRESS,
            assignee__isnull=False,
        ).order_by("pk")
        candidates = [
            case
            for case in working
            if (target := self._profile(case).referral)
            and target[0] in by_slug
            and by_slug[target[0]].id != case.team_id
        ]
        self.rng.shuffle(candidates)
        # Citizens Advice and council teams in turn, so the demo has both.
        to_partner = [case for case in candidates if self._profile(case).referral[0] == "advice"]
        to_council = [case for case in candidates if case not in to_partner]
        candidates = [case for pair in zip_longest(to_partner, to_council) for case in pair if case]
        wanted = max(4, round(len(self.cases) * 0.05))
        made = 0
        for number, case in enumerate(candidates[:wanted]):
            slug, scope = self._profile(case).referral or ("", "")
            info = by_slug[slug]
            referral = referrals.refer_case(
                actor=self.users[case.assignee_id], case=case, to_team=self.teams[info.id],
                scope=scope,
            )  # fmt: skip
            made += 1
            receiver = self.users.get((info.officers or info.leaders or [None])[0])
            if receiver is None or number % 3 == 2:
                continue  # left waiting to be acknowledged
            referral = referrals.acknowledge_referral(actor=receiver, referral=referral)
            if number == 0:
                referrals.complete_referral(
                    actor=receiver, referral=referral,
                    outcome="Done: we have been in touch with the customer and agreed what "
                    "happens next.",
                )  # fmt: skip
        return made

    def link_duplicates(self) -> int:
        """Where two open reports are about the same thing at the same place, the newer one
        is closed as a duplicate of the older, whose reporter list gains its customer."""
        groups: dict[tuple[int, int | None], list[Case]] = defaultdict(list)
        for _plan, case in self.cases:
            if case.is_open and self._profile(case).place and case.ward_id:
                groups[case.service_id, case.ward_id].append(case)
        pairs = [(cases[0], cases[-1]) for cases in groups.values() if len(cases) > 1]
        self.rng.shuffle(pairs)
        linked = 0
        for original, duplicate in pairs[: max(1, round(len(self.cases) * 0.01))]:
            fresh = Case.objects.get(pk=duplicate.pk)
            if not fresh.is_open:
                continue
            team = self.planner.teams[fresh.team_id]
            actor = self.users.get(fresh.assignee_id or (team.officers or team.leaders)[0])
            reports.mark_duplicate(
                actor=actor, case=fresh, original=original,
                message=f"This was reported already. We will deal with it under reference "
                f"{original.reference} and keep you up to date.",
            )  # fmt: skip
            linked += 1
        return linked

    def close_some(self) -> int:
        """A few cases finished this morning."""
        candidates = self._in_progress()
        self.rng.shuffle(candidates)
        closed = 0
        for _plan, case in candidates[: max(1, round(len(self.cases) * 0.04))]:
            fresh = Case.objects.get(pk=case.pk)
            if fresh.status != CaseStatus.IN_PROGRESS:
                continue
            profile = self._profile(fresh)
            codes, shares = zip(*profile.codes.items(), strict=True)
            code = self.rng.choices(codes, shares)[0]
            services.close_case(
                actor=self.users[fresh.assignee_id], case=fresh, resolution_code=code,
                message=profile.closures[code],
            )  # fmt: skip
            closed += 1
        return closed

    def reopen_one(self, history: list[tuple[int, Plan]], now: int) -> None:
        """A customer says a problem fixed last week has come back."""
        for case_id, plan in reversed(history):
            recent = plan.closed_at and now - plan.closed_at < 20 * 86400
            if recent and plan.assignee and self.planner.profiles[plan.seed.service_id].place:
                services.reopen_case(
                    actor=self.users[plan.assignee],
                    case=Case.objects.get(pk=case_id),
                    reason="The customer says the problem has come back.",
                )
                return


# The benchmark: everything generated and inserted in bulk.


def contact_rows(organisation_id: int, *, last_id: int, chunk: int = 200_000) -> Iterator[tuple]:
    """The contacts that raised a case, in id order (time order), a range of ids at a time."""
    table = connection.ops.quote_name(Contact._meta.db_table)
    sql = (
        f"SELECT id, customer_id, service_id, started_at, channel, agent_id FROM {table} "
        "WHERE id >= %s AND id < %s AND organisation_id = %s AND outcome = %s ORDER BY id"
    )
    latest = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_id = min(last_id, latest)
    for start in range(1, last_id + 1, chunk):
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, min(start + chunk, last_id + 1), organisation_id,
                                 Outcome.CASE_RAISED])  # fmt: skip
            rows = cursor.fetchall()
        yield from rows


def bulk_cases(
    *,
    council: DemoCouncil,
    seed: int,
    target: int,
    open_cases: int,
    now: int,
    last_contact_id: int,
    say: Callable[[str], None] = print,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, int]:
    """Cases with ids 1 to `target`, about `open_cases` of them open as of `now` (Unix
    seconds), from the contacts up to `last_contact_id` and online reports. Cases already
    there are kept; a run that stopped part way carries on where it stopped. Returns the cases,
    events and referrals inserted."""
    organisation = council.organisation
    stored = Case.objects.filter(pk__lte=target).count()
    if stored >= target:
        return 0, 0, 0
    done = Case.objects.filter(pk__lte=target).order_by("-pk").values_list("pk", flat=True).first()
    places = Places.load(organisation.pk)
    maker = SeedMaker(
        rng=random.Random(f"{seed}:cases"), council=council, places=places, share=1.0,
        online_rate=0.0, latest=now - 3600,
    )  # fmt: skip
    say("  counting the contacts that raised a case...")
    contacts = Contact.objects.filter(
        organisation=organisation, pk__lte=last_contact_id, outcome=Outcome.CASE_RAISED
    )
    eligible = contacts.filter(
        Q(customer__isnull=False) | Q(service__in=maker.place_services)
    ).count()
    maker.share = min(1.0, target / max(eligible, 1))
    maker.online_rate = max(0.0, (target - eligible) / max(eligible, 1))
    first = contacts.order_by("pk").values_list("started_at", flat=True).first()
    days = max(1, (now - to_seconds(first)) // 86400 + 1) if first else 1
    planner, plan_routes = make_planner(
        council=council, now=now, seed=seed, per_day=target / days, days=days,
        open_cases=open_cases,
    )  # fmt: skip
    say(f"  {eligible:,} contacts raised a case; {max(0, target - eligible):,} reports made "
        "online come on top")  # fmt: skip

    def plans() -> Iterator[tuple[int, Plan]]:
        last_seed = None
        for row in contact_rows(organisation.pk, last_id=last_contact_id):
            for case_seed in maker.seeds(row):
                if case_seed.index > target:
                    return
                last_seed = case_seed
                if case_seed.index > (done or 0):
                    yield case_seed.index, _bulk_plan(planner, plan_routes, places, case_seed)
        while last_seed is not None and maker.index < target:  # rounding: top up at the end
            maker.carried = 1.0
            for case_seed in maker.online(last_seed.opened):
                if case_seed.index > target:
                    return
                if case_seed.index > (done or 0):
                    yield case_seed.index, _bulk_plan(planner, plan_routes, places, case_seed)

    first_referral = Referral.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return insert_plans(
        plans(), organisation_id=organisation.pk, first_referral_id=first_referral + 1,
        batch=5_000, commit_every=50_000, progress=progress,
    )  # fmt: skip


def _bulk_plan(
    planner: CasePlanner,
    plan_routes: dict[tuple[int, int | None], int],
    places: Places,
    case_seed: CaseSeed,
) -> Plan:
    team, place = _route(plan_routes, places, case_seed)
    if team is None:
        raise RuntimeError(f"No team works service {case_seed.service_id}.")
    return planner.plan(case_seed, team_id=team, place=place, detail=False)
