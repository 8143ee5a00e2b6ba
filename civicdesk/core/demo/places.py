"""The invented gazetteer of Kingsmere: wards, streets and BS 7666 addresses.

Nothing here touches the database; it returns plain data for the loaders, so the small seed
(through `places.services`) and the benchmark (bulk inserts) build the same kind of borough.

Identifiers are chosen so they can never be mistaken for real ones:
- UPRNs start at 999,000,000,001, the top of the 12-digit range BS 7666 allows. UPRNs are
  allocated to custodians in blocks from the bottom of the range (today's English and Welsh
  ones are below 2 x 10^11), so this block is far from any issued.
- USRNs start at 99,900,001, the top of the 8-digit range, for the same reason.
- Postcodes are in the area "KM" (districts KM1 to KM9), which Royal Mail does not use.
The borough sits around National Grid point 446,000 E 268,000 N in the English Midlands.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from civicdesk.core.demo import names
from civicdesk.core.demo.geo import grid_to_wgs84

FIRST_UPRN = 999_000_000_001
FIRST_USRN = 99_900_001
CENTRE = (446_000.0, 268_000.0)
TOWN = "Kingsmere"
POSTCODE_AREA = "KM"
# The letters Royal Mail uses at the end of a postcode (no C, I, K, M, O or V).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass
class DemoWard:
    name: str
    district: int
    centre: tuple[float, float]


@dataclass
class DemoStreet:
    usrn: int
    name: str
    locality: str
    ward: int  # index into the wards list


@dataclass
class DemoAddress:
    """One BLPU and its approved LPI, with field names as on `places.Address`."""

    uprn: int
    street: int  # index into the streets list
    ward: int
    postcode: str
    easting: Decimal
    northing: Decimal
    latitude: Decimal
    longitude: Decimal
    classification: str
    pao_start_number: int | None = None
    pao_text: str = ""
    sao_start_number: int | None = None
    sao_text: str = ""
    parent_uprn: int | None = None

    @property
    def is_residential(self) -> bool:
        """A block of flats (a parent shell) is an address but nobody lives in it."""
        return self.classification.startswith("RD")


@dataclass
class DemoGazetteer:
    wards: list[DemoWard]
    streets: list[DemoStreet]
    addresses: list[DemoAddress]


def make_wards(count: int) -> list[DemoWard]:
    """Wards laid out on a rough grid around the centre, each in one postcode district."""
    wards = []
    for index, name in enumerate(names.WARD_NAMES[:count]):
        row, column = divmod(index, 4)
        centre = (CENTRE[0] + (column - 1.5) * 2800, CENTRE[1] + (1 - row) * 2800)
        wards.append(DemoWard(name=name, district=index % 9 + 1, centre=centre))
    return wards


def _postcode_units(rng: random.Random, district: int) -> list[str]:
    units = [
        f"{POSTCODE_AREA}{district} {sector}{first}{second}"
        for sector in range(1, 10)
        for first in UNIT_LETTERS
        for second in UNIT_LETTERS
    ]
    rng.shuffle(units)
    return units


def _street_sizes(rng: random.Random, streets: int, addresses: int) -> list[int]:
    sizes = [rng.randint(12, 88) for _ in range(streets)]
    difference = addresses - sum(sizes)
    step = 1 if difference > 0 else -1
    while difference:
        index = rng.randrange(streets)
        if sizes[index] + step >= 1:
            sizes[index] += step
            difference -= step
    return sizes


def make_gazetteer(rng: random.Random, addresses: int) -> DemoGazetteer:
    """About one street per 50 addresses: numbered houses, some named ones and blocks of flats."""
    wards = make_wards(8 + min(4, addresses // 20_000))
    street_count = max(1, round(addresses / 50))
    street_names = [
        f"{stem} {suffix}" for stem in names.STREET_STEMS for suffix in names.STREET_SUFFIXES
    ]
    rng.shuffle(street_names)
    units = {ward.district: _postcode_units(rng, ward.district) for ward in wards}
    streets: list[DemoStreet] = []
    result: list[DemoAddress] = []
    uprn = FIRST_UPRN
    for index, size in enumerate(_street_sizes(rng, street_count, addresses)):
        ward_index = index % len(wards)
        ward = wards[ward_index]
        name = street_names[index % len(street_names)]
        locality = "" if ward_index == 0 else ward.name
        streets.append(DemoStreet(FIRST_USRN + index, name, locality, ward_index))
        # The street runs straight from a point near the ward's centre.
        x0 = ward.centre[0] + rng.uniform(-1300, 1300)
        y0 = ward.centre[1] + rng.uniform(-1300, 1300)
        dx, dy = rng.choice([(1, 0), (0, 1), (0.7, 0.7), (0.7, -0.7)])
        district_units = units[ward.district]
        postcode = district_units.pop()
        in_postcode = 0
        number = 0
        made = 0
        while made < size:
            if in_postcode >= rng.randint(12, 20):
                postcode, in_postcode = district_units.pop(), 0
            number += 1
            along = number * 9.0
            position = (x0 + dx * along + (number % 2) * 12, y0 + dy * along)
            roll = rng.random()
            if roll < 0.05 and size - made >= 4:
                flats = min(size - made - 1, rng.randint(3, 18))
                block = _address(uprn, index, ward_index, postcode, position, "PP")
                block.pao_start_number = number
                block.pao_text = f"{name.split()[0]} {rng.choice(names.BLOCK_NAMES)}"
                result.append(block)
                parent, uprn, made = uprn, uprn + 1, made + 1
                for flat in range(1, flats + 1):
                    unit = _address(uprn, index, ward_index, postcode, position, "RD06")
                    unit.pao_start_number, unit.pao_text = number, block.pao_text
                    unit.sao_start_number, unit.sao_text = flat, "Flat"
                    unit.parent_uprn = parent
                    result.append(unit)
                    uprn, made, in_postcode = uprn + 1, made + 1, in_postcode + 1
                continue
            house = _address(
                uprn, index, ward_index, postcode, position, rng.choice(["RD02", "RD03", "RD04"])
            )
            if roll < 0.08:
                house.pao_text = rng.choice(names.HOUSE_NAMES)
            else:
                house.pao_start_number = number
            result.append(house)
            uprn, made, in_postcode = uprn + 1, made + 1, in_postcode + 1
    return DemoGazetteer(wards, streets, result)


def _address(
    uprn: int, street: int, ward: int, postcode: str, position: tuple[float, float], kind: str
) -> DemoAddress:
    easting, northing = position
    latitude, longitude = grid_to_wgs84(easting, northing)
    return DemoAddress(
        uprn=uprn,
        street=street,
        ward=ward,
        postcode=postcode,
        easting=Decimal(f"{easting:.2f}"),
        northing=Decimal(f"{northing:.2f}"),
        latitude=Decimal(f"{latitude:.6f}"),
        longitude=Decimal(f"{longitude:.6f}"),
        classification=kind,
    )
