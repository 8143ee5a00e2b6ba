"""Years of invented contact history, as rows ready for a bulk insert into `contacts_contact`.

Demand follows the patterns a council contact centre sees: Mondays busiest and weekends web and
email only, calls peaking 9 to 11am and tailing off after 4pm, web forms at all hours, Council
Tax billing calls in March, recovery after the spring reminders, grass and garden waste in
summer. About 70% of contacts are resolved at the first contact and about 15% are avoidable,
some of them chasing or repeating an earlier contact (linked by `repeat_of`).

Speed matters: the benchmark makes 20 million rows. Rows are tuples, timestamps are strings in
the form Django stores in SQLite (UTC, "YYYY-MM-DD HH:MM:SS"), and every distribution is
precomputed, so a row costs a handful of `random()` calls and one string join.
"""

import datetime
import itertools
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
COLUMNS = (
    "id", "organisation_id", "customer_id", "representative_id", "channel", "service_id",
    "agent_id", "team_id", "started_at", "ended_at", "outcome", "avoidable_reason",
    "repeat_of_id", "notes",
)  # fmt: skip
Row = tuple

# Share of demand by service slug, and months (1-12) with more or less of it than usual.
DEMAND: dict[str, tuple[float, dict[int, float]]] = {
    "council-tax-bills": (6, {3: 4.0, 4: 2.5, 2: 1.3, 5: 0.8, 6: 0.5, 7: 0.5, 8: 0.5}),
    "council-tax-recovery": (4, {4: 2.2, 5: 3.0, 6: 2.2, 1: 1.4, 12: 0.4}),
    "council-tax-liability": (5, {7: 1.3, 8: 1.4, 9: 1.3, 12: 0.6}),
    "council-tax-discounts": (2.5, {3: 1.6, 4: 1.5}),
    "council-tax-exemptions": (1.5, {9: 2.0, 10: 1.6}),
    "landlord-enquiries": (1.5, {8: 1.3, 9: 1.5}),
    "single-person-discount": (3, {3: 1.5, 4: 1.6, 11: 1.3}),
    "arrears-arrangements": (3, {5: 1.5, 6: 1.6, 7: 1.4, 1: 1.3}),
    "council-tax-payments": (8, {3: 1.3, 4: 1.7, 5: 1.2}),
    "housing-benefit-claims": (4, {1: 1.2}),
    "change-of-circumstances": (4, {4: 1.6, 9: 1.1}),
    "missed-bin": (10, {12: 1.4, 1: 1.6, 8: 1.1}),
    "recycling": (5, {2: 1.8, 3: 2.2, 6: 1.3, 7: 1.4, 8: 1.3, 12: 1.3}),
    "street-cleaning": (2, {10: 1.7, 11: 1.8, 1: 1.2}),
    "graffiti": (1, {7: 1.3, 8: 1.3}),
    "flytipping": (3, {5: 1.2, 6: 1.3, 7: 1.4, 8: 1.4}),
    "abandoned-vehicles": (1, {}),
    "dog-warden": (1.5, {12: 1.3, 1: 1.3}),
    "pest-control": (2, {6: 1.8, 7: 2.6, 8: 2.8, 9: 2.0, 11: 1.3, 12: 1.2}),
    "drainage": (1.5, {10: 1.7, 11: 2.0, 12: 2.0, 1: 1.9, 2: 1.8, 6: 0.5, 7: 0.5}),
    "trees": (1.5, {5: 1.4, 6: 1.5, 10: 1.6, 11: 1.5}),
    "grass-cutting": (
        1.5,
        {4: 2.0, 5: 3.5, 6: 4.0, 7: 3.8, 8: 3.0, 9: 1.5, 11: 0.2, 12: 0.1, 1: 0.1, 2: 0.2},
    ),
    "skip-permits": (0.8, {4: 1.3, 5: 1.3, 6: 1.2}),
    "blue-badge": (2.5, {}),
    "older-persons-bus-pass": (1.5, {}),
    "disabled-persons-bus-pass": (0.7, {}),
    "free-school-meals": (1.5, {8: 2.2, 9: 2.8, 1: 1.2}),
    "anti-social-behaviour": (1.5, {6: 1.3, 7: 1.4, 8: 1.4, 10: 1.2}),
    "safeguarding-adults": (0.5, {12: 1.2}),
}

# Weekday (0 = Monday) share of a week's demand.
WEEKDAY_WEIGHTS = [1.35, 1.15, 1.05, 1.0, 0.85, 0.18, 0.12]
OPEN_CHANNELS = {"phone": 55, "web": 20, "email": 10, "face_to_face": 8, "letter": 3,
                 "partner": 2, "sms": 1, "api": 1}  # fmt: skip
CLOSED_CHANNELS = {"web": 70, "email": 25, "api": 5}

# Local hours as (first second, length in seconds, weight): phones 08:30 to 17:30 peaking 9-11.
_H = 3600
HOURS: dict[str, list[tuple[int, int, float]]] = {
    "phone": [(8 * _H + 1800, 1800, 0.5), (9 * _H, _H, 1.6), (10 * _H, _H, 1.7),
              (11 * _H, _H, 1.35), (12 * _H, _H, 1.05), (13 * _H, _H, 1.0), (14 * _H, _H, 1.0),
              (15 * _H, _H, 0.85), (16 * _H, _H, 0.5), (17 * _H, 1800, 0.15)],
    "face_to_face": [(9 * _H, _H, 1.5), (10 * _H, _H, 1.6), (11 * _H, _H, 1.3),
                     (12 * _H, _H, 1.0), (13 * _H, _H, 1.1), (14 * _H, _H, 1.0),
                     (15 * _H, _H, 0.7), (16 * _H, 1800, 0.3)],
    "letter": [(9 * _H, 7 * _H, 1.0)],
    "partner": [(9 * _H, 8 * _H, 1.0)],
    "web": [(h * _H, _H, w) for h, w in enumerate(
        [0.25, 0.15, 0.1, 0.07, 0.07, 0.1, 0.3, 0.7, 1.1, 1.3, 1.3, 1.25, 1.3, 1.25, 1.2,
         1.15, 1.1, 1.05, 1.1, 1.2, 1.2, 1.0, 0.75, 0.45])],
    "email": [(h * _H, _H, w) for h, w in enumerate(
        [0.2, 0.1, 0.07, 0.05, 0.05, 0.1, 0.3, 0.8, 1.3, 1.5, 1.4, 1.3, 1.2, 1.3, 1.3,
         1.2, 1.1, 0.9, 0.8, 0.8, 0.8, 0.7, 0.5, 0.35])],
}  # fmt: skip
HOURS["sms"] = HOURS["web"]
HOURS["api"] = HOURS["web"]
# Handling time in seconds, shortest and longest.
DURATION = {"phone": (90, 1200), "face_to_face": (240, 1800), "email": (120, 600),
            "letter": (120, 600), "partner": (180, 900), "web": (0, 0), "sms": (0, 0),
            "api": (0, 0)}  # fmt: skip
OUTCOMES = ["resolved", "case_raised", "referred", "signposted", "abandoned"]
OUTCOME_WEIGHTS = {
    "phone": [75, 12, 5, 5, 3], "face_to_face": [78, 10, 6, 6, 0], "web": [60, 36, 0, 0, 4],
    "email": [68, 20, 6, 6, 0], "letter": [62, 32, 6, 0, 0], "partner": [60, 25, 12, 3, 0],
    "sms": [85, 15, 0, 0, 0], "api": [40, 60, 0, 0, 0],
}  # fmt: skip
AGENT_CHANNELS = {"phone", "face_to_face", "email", "letter", "partner"}
# Channels where the transaction could have been done online instead.
ASSISTED = {"phone", "face_to_face", "letter"}
NOTES = {
    "resolved": ["Answered the enquiry about {name}.", "Gave information on {name}.",
                 "Explained {name}; no further action.", ""],
    "case_raised": ["Raised a request for {name} and gave the reference.",
                    "Passed to {team} for {name}."],
    "referred": ["Referred to {team}.", "Referred to Kingsmere Citizens Advice."],
    "signposted": ["Signposted to GOV.UK.", "Signposted to Kingsmere Citizens Advice.",
                   "Signposted to the water company."],
    "abandoned": ["Call dropped before the enquiry was complete.", ""],
}  # fmt: skip


@dataclass(frozen=True)
class DemoServiceRef:
    id: int
    slug: str
    name: str
    team_id: int | None
    team_name: str
    channels: tuple[str, ...]


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class ContactGenerator:
    """Contact rows for a span of days, in time order, with ids from `first_id`.

    `customers` are customer ids (the first few are made "frequent callers"); `agents` are
    (user id, team id) pairs; `representatives` maps represented customer ids to the
    representative's id; `pinned` puts `pinned_count` contacts on one customer, for measuring
    the single view.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        organisation_id: int,
        services: list[DemoServiceRef],
        customers: list[int],
        agents: list[tuple[int, int]],
        representatives: dict[int, int],
        start: datetime.date,
        end: datetime.date,
        total: int,
        first_id: int,
        utc_suffix: str = "",
        note_rate: float = 0.5,
        pinned: int | None = None,
        pinned_count: int = 0,
    ) -> None:
        self.rng = rng
        self.organisation_id = organisation_id
        self.services = services
        self.customers = customers
        self.agents = agents
        self.represented = sorted(representatives.items())
        self.start, self.end, self.total = start, end, total
        self.first_id = first_id
        self.utc_suffix = utc_suffix
        self.note_rate = note_rate
        self.pinned = pinned
        self.pinned_rows = (
            set(rng.sample(range(total), min(pinned_count, total))) if pinned else set()
        )
        self.seconds = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
        self._prepare()

    def _prepare(self) -> None:
        known = [service for service in self.services if service.slug in DEMAND]
        self.service_list = known or self.services
        base = [DEMAND.get(s.slug, (1.0, {}))[0] for s in self.service_list]
        seasons = [DEMAND.get(s.slug, (1.0, {}))[1] for s in self.service_list]
        self.month_weights = {}
        self.month_cumulative = {}
        for month in range(1, 13):
            weights = [b * season.get(month, 1.0) for b, season in zip(base, seasons, strict=True)]
            self.month_weights[month] = sum(weights)
            self.month_cumulative[month] = _cumulative(weights)
        # Channels each service can take on an open and on a closed day.
        self.channel_tables = {}
        for service in self.service_list:
            for is_open, mix in ((True, OPEN_CHANNELS), (False, CLOSED_CHANNELS)):
                allowed = [(c, w) for c, w in mix.items() if c in service.channels] or [("web", 1)]
                names_, weights = zip(*allowed, strict=True)
                self.channel_tables[service.id, is_open] = (list(names_), _cumulative(weights))
        self.hour_tables = {
            channel: ([s for s, _, _ in slots], [length for _, length, _ in slots],
                      _cumulative([w for _, _, w in slots]))
            for channel, slots in HOURS.items()
        }  # fmt: skip
        self.outcome_tables = {c: _cumulative(w) for c, w in OUTCOME_WEIGHTS.items()}
        self.notes = {
            (service.id, outcome): [
                text.format(name=service.name.lower(), team=service.team_name) for text in texts
            ]
            for service in self.service_list
            for outcome, texts in NOTES.items()
        }

    def days(self) -> list[tuple[datetime.date, bool, float]]:
        """Each day with whether the council is open and its share of demand."""
        years = range(self.start.year, self.end.year + 1)
        closed_days = set(holidays.country_holidays("GB", subdiv="ENG", years=years))
        result = []
        day = self.start
        while day <= self.end:
            is_open = day.weekday() < 5 and day not in closed_days
            weight = WEEKDAY_WEIGHTS[day.weekday()] * self.month_weights[day.month]
            if day.weekday() < 5 and not is_open:
                weight *= 0.15
            # Christmas to New Year is quiet even on working days.
            if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
                weight *= 0.5
            result.append((day, is_open, weight))
            day += datetime.timedelta(days=1)
        return result

    def _day_strings(self, day: datetime.date) -> tuple[str, str, str, int]:
        offset = LONDON.utcoffset(datetime.datetime(day.year, day.month, day.day, 12))
        previous, following = day - datetime.timedelta(days=1), day + datetime.timedelta(days=1)
        return str(previous), str(day), str(following), int(offset.total_seconds())

    def rows(self) -> Iterator[Row]:
        """Every row, oldest first."""
        rng = self.rng
        random_ = rng.random
        days = self.days()
        total_weight = sum(weight for _, _, weight in days)
        customers = self.customers
        customer_count = len(customers)
        agents = self.agents
        represented = self.represented
        seconds = self.seconds
        suffix = self.utc_suffix
        organisation_id = self.organisation_id
        service_list = self.service_list
        # Recent contacts that left something open, which customers chase or repeat.
        recent: list[tuple[int, int, DemoServiceRef]] = []
        recent_size = max(50, int(self.total / max(len(days), 1) * 6))
        next_id = self.first_id
        made = 0
        carried = 0.0
        for day, is_open, weight in days:
            carried += self.total * weight / total_weight
            count = int(carried) if day != self.end else self.total - made
            carried -= count
            if count <= 0:
                continue
            previous_str, day_str, next_str, offset = self._day_strings(day)
            cumulative = self.month_cumulative[day.month]
            top = cumulative[-1]
            today: list[tuple[int, int, DemoServiceRef]] = []
            for _ in range(count):
                service = service_list[bisect(cumulative, random_() * top)]
                channels, channel_cumulative = self.channel_tables[service.id, is_open]
                channel = channels[bisect(channel_cumulative, random_() * channel_cumulative[-1])]
                representative = None
                repeat_of = None
                reason = ""
                roll = random_()
                if made in self.pinned_rows:
                    customer = self.pinned
                elif recent and roll < 0.065:
                    repeat_of, customer, service = recent[int(random_() * len(recent))]
                    reason = "repeat" if random_() < 0.5 else "chasing"
                elif channel == "partner" and represented:
                    customer, representative = represented[int(random_() * len(represented))]
                elif roll > 0.93:
                    customer = None  # an anonymous caller or an unsigned web report
                elif roll < 0.3:  # frequent callers: the first tenth of the list
                    customer = customers[int(random_() * customer_count * 0.1)]
                else:
                    customer = customers[int(random_() * customer_count)]
                if not reason and random_() < 0.09:
                    roll = random_()
                    if roll < 0.4 and channel in ASSISTED:
                        reason = "wrong_channel"
                    elif roll < 0.7:
                        reason = "unclear_information"
                    else:
                        reason = "earlier_failure"
                starts, lengths, hour_cumulative = self.hour_tables[channel]
                slot = bisect(hour_cumulative, random_() * hour_cumulative[-1])
                local = starts[slot] + int(random_() * lengths[slot])
                low, high = DURATION[channel]
                utc = local - offset
                end = utc + low + int(random_() * (high - low))
                started = _stamp(previous_str, day_str, next_str, utc, seconds, suffix)
                ended = _stamp(previous_str, day_str, next_str, end, seconds, suffix)
                outcome_cumulative = self.outcome_tables[channel]
                outcome = OUTCOMES[bisect(outcome_cumulative, random_() * outcome_cumulative[-1])]
                if channel in AGENT_CHANNELS and agents:
                    agent_id, team_id = agents[int(random_() * len(agents))]
                else:
                    agent_id, team_id = None, None
                notes = ""
                if random_() < self.note_rate:
                    texts = self.notes[service.id, outcome]
                    notes = texts[int(random_() * len(texts))]
                yield (
                    next_id, organisation_id, customer, representative, channel, service.id,
                    agent_id, team_id, started, ended, outcome, reason, repeat_of, notes,
                )  # fmt: skip
                if customer is not None and outcome != "resolved":
                    today.append((next_id, customer, service))
                next_id += 1
                made += 1
            # Only earlier days' contacts are chased, so a repeat never precedes its original.
            for entry in today:
                if len(recent) < recent_size:
                    recent.append(entry)
                else:
                    recent[int(random_() * recent_size)] = entry


def _stamp(
    previous: str, day: str, following: str, utc: int, seconds: list[str], suffix: str
) -> str:
    if utc < 0:
        return f"{previous} {seconds[utc + 86400]}{suffix}"
    if utc >= 86400:
        return f"{following} {seconds[utc - 86400]}{suffix}"
    return f"{day} {seconds[utc]}{suffix}"
