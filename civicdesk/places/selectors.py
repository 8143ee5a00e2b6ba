"""Reading the gazetteer: by UPRN, by postcode, and by what an agent types.

Every query goes through an index or the small street table; none scans the address table with
a leading wildcard, so look-ups stay quick at 150,000 addresses on SQLite and PostgreSQL.
"""

from functools import reduce
from operator import or_

from django.db.models import F, Q, QuerySet

from civicdesk.places import search
from civicdesk.places.bs7666 import normalise_name
from civicdesk.places.models import Address, Street
from civicdesk.places.postcodes import is_valid_postcode, normalise_postcode

# Down the street: numbered houses before named ones, a building before its flats.
NATURAL_ORDER = (
    "street_name",
    F("pao_start_number").asc(nulls_last=True),
    "pao_start_suffix",
    "pao_text",
    F("sao_start_number").asc(nulls_first=True),
    "sao_start_suffix",
    "sao_text",
    "uprn",
)
# How many rows each step of a search may fetch for ranking; a postcode or a street's numbers
# are far fewer, so this only bounds pathological input.
CANDIDATE_LIMIT = 500
STREET_CANDIDATE_LIMIT = 200
BEST_STREET_LIMIT = 50


def _in_organisation(queryset: QuerySet, organisation_id: int) -> QuerySet:
    """Scope a query to one organisation without offering the planner the organisation index.

    Nearly every row of a council's gazetteer shares one organisation_id, so that index selects
    nothing; yet SQLite, lacking ANALYZE statistics, prefers it to the postcode or street index
    and reads the whole table through it. Comparing an expression leaves only the useful index.
    """
    return queryset.alias(_organisation=F("organisation_id") + 0).filter(
        _organisation=organisation_id
    )


def address_by_uprn(*, uprn: int | str) -> Address:
    """The address with this UPRN; raises Address.DoesNotExist for unknown or malformed ones."""
    text = str(uprn).strip()
    if not text.isdigit() or len(text.lstrip("0")) > 12:
        raise Address.DoesNotExist(f"No address has UPRN {text!r}.")
    return Address.objects.select_related("street", "ward").get(uprn=int(text))


def addresses_for_postcode(*, organisation_id: int, postcode: str) -> QuerySet[Address]:
    """The council's addresses in a postcode however it was typed, in walking order."""
    normalised = normalise_postcode(postcode)
    if not is_valid_postcode(normalised):
        return Address.objects.none()
    in_postcode = Address.objects.filter(postcode_normalised=normalised)
    return _in_organisation(in_postcode, organisation_id).order_by(*NATURAL_ORDER)


def search_addresses(*, organisation_id: int, text: str, limit: int = 20) -> list[Address]:
    """Addresses matching free text, best first.

    Understands a UPRN, a postcode, "14 acacia av", "flat 2 14 acacia avenue", "Rose Cottage"
    or a mix. Streets are matched by word prefixes in the small street table, then only their
    addresses are read (by number through the street-number index); a building name is matched
    from its start. Candidates are ranked: all words found, then the exact house number, then
    the flat, then walking order.
    """
    query = search.parse_query(text)
    if query.uprn is not None:
        return list(Address.objects.filter(organisation_id=organisation_id, uprn=query.uprn))
    if query.postcode:
        candidates = list(
            addresses_for_postcode(organisation_id=organisation_id, postcode=query.postcode)[
                :CANDIDATE_LIMIT
            ]
        )
    elif query.words:
        candidates = _candidates_by_words(organisation_id, query)
    else:
        return []
    candidates.sort(key=lambda address: search.rank_key(address, query))
    return candidates[:limit]


def _candidates_by_words(organisation_id: int, query: search.Query) -> list[Address]:
    usrns, leftover = _best_streets(organisation_id, query.words)
    # Ranked in Python afterwards, so the model's default ordering would only cost a sort.
    addresses = _in_organisation(Address.objects.order_by(), organisation_id)
    found: dict[int, Address] = {}
    on_streets = addresses.filter(street_id__in=usrns)
    numbers = [number.value for number in (query.pao, query.sao) if number is not None]
    if usrns and numbers:
        by_number = Q(pao_start_number__in=numbers) | Q(sao_start_number__in=numbers)
        if query.pao is not None:
            by_number |= Q(
                pao_start_number__lt=query.pao.value, pao_end_number__gte=query.pao.value
            )
        found.update((a.uprn, a) for a in on_streets.filter(by_number)[:CANDIDATE_LIMIT])
    elif usrns and leftover:
        # Words the street did not explain may name a building on it ("cottage acacia avenue").
        named = Q()
        for word in leftover:
            named &= Q(pao_text__icontains=word) | Q(sao_text__icontains=word)
        found.update((a.uprn, a) for a in on_streets.filter(named)[:CANDIDATE_LIMIT])
    if not usrns or leftover:
        # A building name anywhere ("Rose Cottage"): matched from its start, so no leading
        # wildcard; the only query here not guided by an index.
        phrases = {" ".join(query.words), " ".join(leftover)} - {""}
        named = reduce(
            or_, (Q(pao_text__istartswith=p) | Q(sao_text__istartswith=p) for p in phrases)
        )
        found.update((a.uprn, a) for a in addresses.filter(named)[:CANDIDATE_LIMIT])
    if usrns and not found:
        # The street without that number or name: show it, in walking order.
        found.update((a.uprn, a) for a in on_streets.order_by(*NATURAL_ORDER)[:CANDIDATE_LIMIT])
    return list(found.values())


def _best_streets(organisation_id: int, words: tuple[str, ...]) -> tuple[list[int], list[str]]:
    """The streets matching most of the typed words, and the words they leave unexplained.

    Candidates come from distinctive words only ("acacia", not "avenue"), by prefix of any word
    of the normalised name: a scan of the street table, a few thousand short rows.
    """
    distinctive = [word for word in words if not search.is_street_type(word)]
    pickers = distinctive or [
        variant for word in words for variant in {word, search.ABBREVIATIONS.get(word, word)}
    ]
    by_prefix = reduce(
        or_,
        (Q(name_normalised__startswith=w) | Q(name_normalised__contains=f" {w}") for w in pickers),
    )
    streets = list(
        _in_organisation(Street.objects.filter(by_prefix), organisation_id)
        .order_by("name_normalised")
        .values_list("usrn", "name_normalised", "locality", "town")[:STREET_CANDIDATE_LIMIT]
    )
    scored = [
        (search.count_matched(words, name), usrn, name, place) for usrn, name, *place in streets
    ]
    best = max((score for score, *_ in scored), default=0)
    if best == 0:
        return [], list(words)
    chosen = [entry for entry in scored if entry[0] == best][:BEST_STREET_LIMIT]
    explained = " ".join(
        f"{name} {normalise_name(' '.join(place))}" for _, _, name, place in chosen
    )
    leftover = [word for word in words if not search.count_matched((word,), explained)]
    return [usrn for _, usrn, *_ in chosen], leftover
