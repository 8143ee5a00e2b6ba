"""Every write to the gazetteer goes through here."""

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.organisations.models import Organisation
from civicdesk.places.models import Address, Street, Ward

DEFAULT_BATCH_SIZE = 2000


@dataclass(frozen=True, slots=True)
class AddressRow:
    """One address as an importer read it: BS 7666 parts, already checked and typed.

    `usrn` links the address to a street (created or renamed from `street_name`, `locality` and
    `town`); `ward` is a ward name, found or created.
    """

    uprn: int
    parent_uprn: int | None = None
    sao_start_number: int | None = None
    sao_start_suffix: str = ""
    sao_end_number: int | None = None
    sao_end_suffix: str = ""
    sao_text: str = ""
    pao_start_number: int | None = None
    pao_start_suffix: str = ""
    pao_end_number: int | None = None
    pao_end_suffix: str = ""
    pao_text: str = ""
    usrn: int | None = None
    street_name: str = ""
    locality: str = ""
    town: str = ""
    postcode: str = ""
    easting: Decimal | None = None
    northing: Decimal | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    ward: str = ""
    classification: str = ""
    logical_status: int = Address.LogicalStatus.APPROVED


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did. `conflicting_uprns` are held by another organisation and were left."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    streets_created: int = 0
    streets_updated: int = 0
    wards_created: int = 0
    conflicting_uprns: tuple[int, ...] = ()

    @property
    def skipped(self) -> int:
        return len(self.conflicting_uprns)


# Address columns an import writes, in one place so "unchanged" compares exactly what is written.
_ROW_FIELDS = (
    "parent_uprn", "sao_start_number", "sao_start_suffix", "sao_end_number", "sao_end_suffix",
    "sao_text", "pao_start_number", "pao_start_suffix", "pao_end_number", "pao_end_suffix",
    "pao_text", "street_name", "locality", "town", "postcode", "easting", "northing",
    "latitude", "longitude", "classification", "logical_status",
)  # fmt: skip
_COMPARED = (*_ROW_FIELDS, "street_id", "ward_id", "single_line", "postcode_normalised")
_DECIMAL_QUANTA = {
    name: Decimal(1).scaleb(-Address._meta.get_field(name).decimal_places)
    for name in ("easting", "northing", "latitude", "longitude")
}
_FIELDS = {field.attname: field for field in Address._meta.concrete_fields}
# Columns whose values go through their field's adaptation for the driver (updated_at is
# adapted once per batch instead).
_ADAPTED = {name for name, field in _FIELDS.items() if field.get_internal_type() == "DecimalField"}


class _AddressWriter:
    """Plain parameterised INSERT and UPDATE statements for whole address rows.

    `bulk_create` spends most of a large import compiling SQL value by value. These statements,
    built once from the model's metadata, are standard SQL for SQLite and PostgreSQL alike and
    take values the fields themselves prepared: new rows go in several hundred per INSERT,
    changed rows through `executemany`.
    """

    insert_names = list(_FIELDS)
    update_names = [*_COMPARED, "updated_at", "uprn"]

    def __init__(self) -> None:
        qn = connection.ops.quote_name
        self.table = qn(Address._meta.db_table)
        self.columns = ", ".join(qn(_FIELDS[name].column) for name in self.insert_names)
        self.placeholders = f"({', '.join(['%s'] * len(self.insert_names))})"
        fields = list(_FIELDS.values())
        self.rows_per_insert = max(1, min(500, connection.ops.bulk_batch_size(fields, [0] * 500)))
        assignments = ", ".join(
            f"{qn(_FIELDS[name].column)} = %s" for name in self.update_names[:-1]
        )
        self.update_sql = (
            f"UPDATE {self.table} SET {assignments} WHERE {qn(_FIELDS['uprn'].column)} = %s"
        )

    def insert(self, rows: list[list[Any]]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.rows_per_insert):
                chunk = rows[start : start + self.rows_per_insert]
                values = ", ".join([self.placeholders] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES {values}",
                    [value for row in chunk for value in row],
                )

    def update(self, rows: list[list[Any]]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.update_sql, rows)


def _prepared(values: dict[str, Any], names: list[str]) -> list[Any]:
    return [
        _FIELDS[name].get_db_prep_save(values[name], connection)
        if name in _ADAPTED and values[name] is not None
        else values[name]
        for name in names
    ]


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    streets_created: int = 0
    streets_updated: int = 0
    wards_created: int = 0
    conflicting_uprns: list[int] = dataclasses.field(default_factory=list)


class _Importer:
    """The state one import carries between batches: the streets and wards it has settled.

    Both are small (a borough has a few thousand streets and a few dozen wards), unlike the
    address table, which is only ever read one batch of UPRNs at a time.
    """

    def __init__(self, organisation: Organisation, provided: Collection[str] | None) -> None:
        self.organisation = organisation
        self.tally = _Tally()
        known = {f.name for f in dataclasses.fields(AddressRow)}
        self.provided = known if provided is None else {*provided, "uprn"}
        if unknown := self.provided - known:
            raise ValueError(f"Not AddressRow fields: {', '.join(sorted(unknown))}")
        # Stored values kept when a row cannot speak for them (the source has no such column).
        self.kept = [name for name in _ROW_FIELDS if name not in self.provided]
        if "usrn" not in self.provided:
            self.kept.append("street_id")
        if "ward" not in self.provided:
            self.kept.append("ward_id")
        # USRNs that exist by now, so addresses may link to them.
        self.streets_seen: set[int] = set()
        self.writer = _AddressWriter()
        # The street parts this source describes: (Street field, AddressRow field).
        self.street_parts = [
            street_field
            for street_field, row_field in (
                ("name", "street_name"),
                ("locality", "locality"),
                ("town", "town"),
            )
            if row_field in self.provided
        ]
        self.ward_ids = {
            ward.name.casefold(): ward.pk for ward in Ward.objects.filter(organisation=organisation)
        }

    def import_batch(self, rows: tuple[AddressRow, ...]) -> None:
        # A UPRN repeated inside a batch would break the insert; the last one read wins.
        by_uprn = {row.uprn: row for row in rows}
        self._settle_streets(by_uprn.values())
        existing = {
            values["uprn"]: values
            for values in Address.objects.filter(uprn__in=list(by_uprn)).values(
                "uprn", "organisation_id", *_COMPARED
            )
        }
        now = _FIELDS["updated_at"].get_db_prep_save(timezone.now(), connection)
        to_create: list[list[Any]] = []
        to_update: list[list[Any]] = []
        for uprn, row in by_uprn.items():
            current = existing.get(uprn)
            if current is not None and current["organisation_id"] != self.organisation.pk:
                self.tally.conflicting_uprns.append(uprn)
                continue
            values = self._values(row, current)
            if current is None:
                values["updated_at"] = now
                to_create.append(_prepared(values, self.writer.insert_names))
            elif all(values[name] == current[name] for name in _COMPARED):
                self.tally.unchanged += 1
            else:
                values["updated_at"] = now
                to_update.append(_prepared(values, self.writer.update_names))
        self.writer.insert(to_create)
        self.writer.update(to_update)
        self.tally.created += len(to_create)
        self.tally.updated += len(to_update)

    def _values(self, row: AddressRow, current: dict[str, Any] | None) -> dict[str, Any]:
        """The address's column values (by attribute name) as this import would store them.

        Parts the source does not carry keep their stored values, and the one-line address is
        composed from the result, so a file without, say, coordinates never erases them.
        """
        values: dict[str, Any] = {name: getattr(row, name) for name in _ROW_FIELDS}
        for name, quantum in _DECIMAL_QUANTA.items():
            if values[name] is not None:
                values[name] = Decimal(values[name]).quantize(quantum)
        values["uprn"] = row.uprn
        values["organisation_id"] = self.organisation.pk
        values["street_id"] = row.usrn if row.usrn in self.streets_seen else None
        values["ward_id"] = self._ward_id(row.ward) if "ward" in self.provided else None
        if current is not None and self.kept:
            values.update((name, current[name]) for name in self.kept)
            values.update(Address.derived_values(SimpleNamespace(**values)))
        else:
            values.update(Address.derived_values(row))
        return values

    def _ward_id(self, name: str) -> int | None:
        name = " ".join(name.split())
        if not name:
            return None
        key = name.casefold()
        if key not in self.ward_ids:
            self.ward_ids[key] = Ward.objects.create(organisation=self.organisation, name=name).pk
            self.tally.wards_created += 1
        return self.ward_ids[key]

    def _settle_streets(self, rows: Iterable[AddressRow]) -> None:
        """Create streets not yet known and rename this council's streets whose name changed.

        The first row of the import naming a USRN describes it; a street held by another
        organisation is linked to but never changed.
        """
        wanted: dict[int, AddressRow] = {}
        for row in rows:
            if row.usrn is None or row.usrn in self.streets_seen:
                continue
            # The first row naming the street describes it.
            if row.usrn not in wanted or (row.street_name and not wanted[row.usrn].street_name):
                wanted[row.usrn] = row
        if not wanted:
            return
        existing = {street.usrn: street for street in Street.objects.filter(usrn__in=list(wanted))}
        to_create: list[Street] = []
        to_update: list[Street] = []
        for usrn, row in wanted.items():
            current = existing.get(usrn)
            if not row.street_name:
                # Nothing to describe it with: link to it if it exists, otherwise leave it out.
                if current is not None:
                    self.streets_seen.add(usrn)
                continue
            described = Street(
                usrn=usrn,
                organisation=self.organisation,
                name=" ".join(row.street_name.split()),
                locality=" ".join(row.locality.split()),
                town=" ".join(row.town.split()),
            )
            if current is None:
                described.refresh_derived_fields()
                to_create.append(described)
            elif current.organisation_id == self.organisation.pk:
                changed = [
                    name
                    for name in self.street_parts
                    if getattr(current, name) != getattr(described, name)
                ]
                if changed:
                    for name in changed:
                        setattr(current, name, getattr(described, name))
                    current.refresh_derived_fields()
                    to_update.append(current)
            self.streets_seen.add(usrn)
        Street.objects.bulk_create(to_create)
        Street.objects.bulk_update(to_update, ["name", "locality", "town", "name_normalised"])
        self.tally.streets_created += len(to_create)
        self.tally.streets_updated += len(to_update)

    def result(self) -> ImportResult:
        tally = self.tally
        return ImportResult(
            created=tally.created,
            updated=tally.updated,
            unchanged=tally.unchanged,
            streets_created=tally.streets_created,
            streets_updated=tally.streets_updated,
            wards_created=tally.wards_created,
            conflicting_uprns=tuple(tally.conflicting_uprns),
        )


def upsert_addresses(
    *,
    organisation: Organisation,
    rows: Iterable[AddressRow],
    actor: Any = None,
    source: str = "",
    fields: Collection[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportResult:
    """Load a gazetteer extract: new UPRNs are added, known ones updated, never duplicated.

    Re-importing the same file changes nothing, so a council can reload its whole LLPG extract
    whenever it likes. `fields` names the AddressRow fields the source actually carries (None:
    all); the others keep their stored values, so a file without coordinates does not erase
    them. Rows are consumed lazily `batch_size` at a time, so a generator reading a
    large file never holds more than one batch. The whole load is one transaction with one audit
    entry: an import is one event to the people reading the log, and a failure part-way (an
    unreadable file, say) leaves the gazetteer as it was.
    """
    with transaction.atomic():
        importer = _Importer(organisation, fields)
        for batch in batched(rows, batch_size):
            importer.import_batch(batch)
        result = importer.result()
        summary = (
            f"Imported addresses{f' from {source}' if source else ''}: {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged, {result.skipped} skipped"
        )
        record(
            actor=actor,
            action=AuditAction.IMPORTED,
            target=organisation,
            organisation_id=organisation.pk,
            summary=summary,
            detail={
                "source": source,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
                "streets_created": result.streets_created,
                "streets_updated": result.streets_updated,
                "wards_created": result.wards_created,
                "conflicting_uprns": list(result.conflicting_uprns[:100]),
            },
        )
    return result
