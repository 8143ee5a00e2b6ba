"""Invented residents of Kingsmere, as the field values `people.services.create_customer` takes.

Households share an address and usually a surname; about two customers live at each address.
Phone numbers are in Ofcom's ranges kept for drama (07700 900000 to 900999, 01632 960000 to
960999 and the 496 ranges of the big cities), and emails are at example.com and example.org, so
nothing generated here can reach a real person.
"""

import datetime
import random
from collections.abc import Iterator
from typing import Any

from civicdesk.core.demo import names
from civicdesk.people import matching

LANDLINE_PREFIXES = [
    ("01632 960", 3), ("01632 960", 3), ("0113 496 0", 3), ("0114 496 0", 3),
    ("0115 496 0", 3), ("0116 496 0", 3), ("0117 496 0", 3), ("0121 496 0", 3),
    ("0161 496 0", 3), ("020 7946 0", 3),
]  # fmt: skip
EMAIL_DOMAINS = ["example.com", "example.org"]
HOUSEHOLD_SIZES = [1, 2, 3, 4, 5]
HOUSEHOLD_WEIGHTS = [30, 36, 17, 12, 5]
# Ages of adults, in bands with their share: roughly an English borough's population over 18.
AGE_BANDS = [(18, 24, 10), (25, 34, 18), (35, 44, 17), (45, 54, 17), (55, 64, 15),
             (65, 74, 12), (75, 84, 8), (85, 99, 3)]  # fmt: skip


class PersonMaker:
    """Makes names, dates of birth and contact details from one seeded random source."""

    def __init__(self, rng: random.Random, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        self.groups = names.NAME_GROUPS
        self.group_weights = [group[0] for group in self.groups]
        self.age_bands = [(low, high) for low, high, _ in AGE_BANDS]
        self.age_weights = [weight for _, _, weight in AGE_BANDS]

    def group(self) -> int:
        return self.rng.choices(range(len(self.groups)), weights=self.group_weights)[0]

    def forenames(self, group: int, female: bool) -> str:
        _, women, men, _ = self.groups[group]
        pool = women if female else men
        first = self.rng.choice(pool)
        if self.rng.random() < 0.12:
            second = self.rng.choice(pool)
            if second != first:
                return f"{first} {second}"
        return first

    def surname(self, group: int) -> str:
        return self.rng.choice(self.groups[group][3])

    def date_of_birth(self) -> datetime.date:
        low, high = self.rng.choices(self.age_bands, weights=self.age_weights)[0]
        age_days = self.rng.randint(low * 365 + 1, high * 365 + 364)
        return self.today - datetime.timedelta(days=age_days)

    def mobile(self) -> str:
        return f"07700 900{self.rng.randrange(1000):03d}"

    def landline(self) -> str:
        prefix, digits = self.rng.choice(LANDLINE_PREFIXES)
        return f"{prefix}{self.rng.randrange(10**digits):0{digits}d}"

    def email(self, forenames: str, surname: str) -> str:
        first = matching.fold(forenames).split(" ")[0] or "resident"
        last = matching.fold(surname).replace(" ", "") or "kingsmere"
        pattern = self.rng.randrange(4)
        local = [
            f"{first}.{last}",
            f"{first[0]}{last}{self.rng.randrange(1, 99)}",
            f"{first}{self.rng.randrange(1950, 2008)}",
            f"{last}.{first}{self.rng.randrange(1, 9)}",
        ][pattern]
        return f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"

    def customer(self, group: int, surname: str, address: Any) -> dict[str, Any]:
        """One adult's fields; needs for a few per cent, more often where English is new."""
        rng = self.rng
        female = rng.random() < 0.52
        forenames = self.forenames(group, female)
        born = self.date_of_birth()
        age = (self.today - born).days // 365
        fields: dict[str, Any] = {
            "title": rng.choice(names.TITLES_FEMALE if female else names.TITLES_MALE)
            if rng.random() < 0.7
            else "",
            "forenames": forenames,
            "surname": surname,
            "date_of_birth": born if rng.random() < 0.9 else None,
            "mobile": self.mobile() if rng.random() < (0.8 if age < 70 else 0.45) else "",
            "phone": self.landline() if rng.random() < (0.25 if age < 60 else 0.6) else "",
            "email": self.email(forenames, surname) if rng.random() < 0.55 else "",
            "preferred_channel": rng.choices(
                ["", "phone", "email", "web", "letter", "sms"], weights=[70, 10, 8, 7, 3, 2]
            )[0],
            "address": address,
        }
        if group > 1 and rng.random() < 0.08:
            fields["interpreter_language"] = rng.choice(names.INTERPRETER_LANGUAGES)
        if age >= 70 and rng.random() < 0.06:
            fields["needs_large_print"] = True
        if rng.random() < 0.003:
            fields["needs_bsl"] = True
        if rng.random() < 0.005:
            fields["needs_easy_read"] = True
        if rng.random() < 0.005:
            fields["other_needs"] = rng.choice(names.OTHER_NEEDS)
        return fields


# The first customer is always the one the demo script looks up: "Jon Smyth" finds him, and his
# record shows a communication need and (with enough contacts) the longest history.
SHOWCASE_CUSTOMER = {
    "title": "Mr",
    "forenames": "John",
    "surname": "Smith",
    "needs_large_print": True,
}


def make_customers(
    rng: random.Random, count: int, addresses: list[Any], today: datetime.date
) -> Iterator[dict[str, Any]]:
    """`count` customers in households of one to five at the given addresses, in order.

    `addresses` may be model instances or UPRNs; they are used in the order given, so pass
    them shuffled. About 2% of customers have no address on record (for example, homeless or
    of no fixed abode), and once the addresses run out the rest are added to existing homes.
    """
    maker = PersonMaker(rng, today)
    made = 0
    position = 0
    while made < count:
        if addresses and rng.random() >= 0.02:
            address = addresses[position % len(addresses)]
            position += 1
            size = rng.choices(HOUSEHOLD_SIZES, weights=HOUSEHOLD_WEIGHTS)[0]
        else:
            address, size = None, 1
        group = maker.group()
        surname = maker.surname(group)
        for _ in range(min(size, count - made)):
            # Partners and lodgers do not always share a surname.
            member_surname = surname if rng.random() < 0.8 else maker.surname(maker.group())
            fields = maker.customer(group, member_surname, address)
            if made == 0:
                fields.update(SHOWCASE_CUSTOMER)
            yield fields
            made += 1
