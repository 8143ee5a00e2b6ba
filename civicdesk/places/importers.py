"""Reading address files into `AddressRow`s, reporting bad rows instead of stopping on them.

Two layouts share one row parser, because the council's LLPG extract is just a fixed column
mapping:

- **LLPG extract** (`LLPG_COLUMNS`): a CSV with a header row, one LPI per line. Required
  columns: UPRN, USRN, STREET_DESCRIPTOR, PAO_START_NUMBER, PAO_TEXT, TOWN_NAME, POSTCODE.
  Optional: PARENT_UPRN, SAO_START_NUMBER, SAO_START_SUFFIX, SAO_END_NUMBER, SAO_END_SUFFIX,
  SAO_TEXT, PAO_START_SUFFIX, PAO_END_NUMBER, PAO_END_SUFFIX, LOCALITY, WARD,
  CLASSIFICATION_CODE, LOGICAL_STATUS, X_COORDINATE, Y_COORDINATE, LATITUDE, LONGITUDE.
  Header names are matched ignoring case and surrounding spaces.
- **Generic**: any CSV with a header row, and a mapping from our field names (`FIELDS`) to its
  column names; only `uprn` must be mapped.

**OS Open UPRN** (`UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE`, national, about 40
million rows) holds coordinates only; `read_os_open_uprn` streams it keeping the UPRNs asked for.

Every row needs a UPRN, a PAO (number or text) and a street name; a postcode, if given, must have
a UK postcode's shape. A row failing any check is reported with its line number and skipped.
"""

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Self

from civicdesk.places.models import Address
from civicdesk.places.postcodes import format_postcode, is_valid_postcode
from civicdesk.places.services import AddressRow

DEFAULT_ENCODING = "utf-8-sig"  # tolerates the byte-order mark spreadsheets write

LLPG_COLUMNS: dict[str, str] = {
    "uprn": "UPRN",
    "parent_uprn": "PARENT_UPRN",
    "sao_start_number": "SAO_START_NUMBER",
    "sao_start_suffix": "SAO_START_SUFFIX",
    "sao_end_number": "SAO_END_NUMBER",
    "sao_end_suffix": "SAO_END_SUFFIX",
    "sao_text": "SAO_TEXT",
    "pao_start_number": "PAO_START_NUMBER",
    "pao_start_suffix": "PAO_START_SUFFIX",
    "pao_end_number": "PAO_END_NUMBER",
    "pao_end_suffix": "PAO_END_SUFFIX",
    "pao_text": "PAO_TEXT",
    "usrn": "USRN",
    "street_name": "STREET_DESCRIPTOR",
    "locality": "LOCALITY",
    "town": "TOWN_NAME",
    "postcode": "POSTCODE",
    "ward": "WARD",
    "classification": "CLASSIFICATION_CODE",
    "logical_status": "LOGICAL_STATUS",
    "easting": "X_COORDINATE",
    "northing": "Y_COORDINATE",
    "latitude": "LATITUDE",
    "longitude": "LONGITUDE",
}
LLPG_REQUIRED = ("uprn", "usrn", "street_name", "pao_start_number", "pao_text", "town", "postcode")
OS_OPEN_UPRN_COLUMNS = ("UPRN", "X_COORDINATE", "Y_COORDINATE", "LATITUDE", "LONGITUDE")
FIELDS = tuple(LLPG_COLUMNS)

_NUMBER_FIELDS = ("sao_start_number", "sao_end_number", "pao_start_number", "pao_end_number")
_SUFFIX_FIELDS = ("sao_start_suffix", "sao_end_suffix", "pao_start_suffix", "pao_end_suffix")
_TEXT_LIMITS = {
    name: Address._meta.get_field(name).max_length
    for name in ("sao_text", "pao_text", "street_name", "locality", "town", "classification")
}
_WARD_NAME_LIMIT = 120
_COORDINATE_LIMITS = {
    "easting": Decimal(10_000_000),
    "northing": Decimal(10_000_000),
    "latitude": Decimal(90),
    "longitude": Decimal(180),
}
_DIGITS = re.compile(r"^[0-9]+$")
_SUFFIX = re.compile(r"^[A-Z]{1,2}$")
_LOGICAL_STATUSES = {status.value for status in Address.LogicalStatus}


class ImportFileError(Exception):
    """The file as a whole cannot be used: unreadable, or its header lacks required columns."""


class RowError(ValueError):
    """One row cannot be used; the message says why, in words an officer can act on."""


@dataclass(frozen=True, slots=True)
class Coordinates:
    easting: Decimal
    northing: Decimal
    latitude: Decimal
    longitude: Decimal


def parse_mapping(text: str) -> dict[str, str]:
    """Read "uprn=Property Ref,postcode=Post Code" into {field: column}."""
    mapping: dict[str, str] = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        name, sep, column = pair.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise ImportFileError(f"Mapping entries look like field=Column, not {pair.strip()!r}.")
        mapping[name.strip()] = column.strip()
    return mapping


def check_mapping(mapping: Mapping[str, str]) -> None:
    """Refuse mappings naming unknown fields or leaving out the UPRN."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ImportFileError(
            f"Unknown field(s) in the mapping: {', '.join(unknown)}. "
            f"Fields are: {', '.join(FIELDS)}."
        )
    if "uprn" not in mapping:
        raise ImportFileError("The mapping must say which column holds the UPRN (uprn=...).")


# Parsing one row -----------------------------------------------------------------------------


def _whole_number(value: str, label: str, *, digits: int) -> int:
    if not _DIGITS.match(value):
        raise RowError(f"{label} {value!r} is not a whole number")
    if len(value.lstrip("0")) > digits:
        raise RowError(f"{label} {value!r} has more than {digits} digits")
    return int(value)


def _identifier(value: str, label: str, *, digits: int) -> int:
    number = _whole_number(value, label, digits=digits)
    if number == 0:
        raise RowError(f"{label} must not be 0")
    return number


def _decimal(value: str, label: str, limit: Decimal) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{label} {value!r} is not a number") from None
    if not number.is_finite():
        raise RowError(f"{label} {value!r} is not a number")
    if abs(number) >= limit:
        raise RowError(f"{label} {value!r} is out of range")
    return number


def parse_row(values: Mapping[str, str], labels: Mapping[str, str]) -> AddressRow:
    """Check and type one row given as {field: text}; `labels` names the columns in messages.

    Raises RowError naming the first problem found.
    """
    given = {name: value.strip() for name, value in values.items() if value and not value.isspace()}

    def label(name: str) -> str:
        return labels.get(name, name)

    if "uprn" not in given:
        raise RowError(f"{label('uprn')} is missing")
    fields: dict[str, Any] = {"uprn": _identifier(given["uprn"], label("uprn"), digits=12)}
    if parent := given.get("parent_uprn"):
        fields["parent_uprn"] = _identifier(parent, label("parent_uprn"), digits=12)
    if usrn := given.get("usrn"):
        fields["usrn"] = _identifier(usrn, label("usrn"), digits=8)
    for name in _NUMBER_FIELDS:
        if number := given.get(name):
            fields[name] = _whole_number(number, label(name), digits=4)
    for name in _SUFFIX_FIELDS:
        if suffix := given.get(name, "").upper():
            if not _SUFFIX.match(suffix):
                raise RowError(f"{label(name)} {suffix!r} is not one or two letters")
            fields[name] = suffix
    for name, limit in _TEXT_LIMITS.items():
        if value := given.get(name):
            value = " ".join(value.split())
            if len(value) > limit:
                raise RowError(f"{label(name)} is longer than {limit} characters")
            fields[name] = value
    if ward := given.get("ward"):
        ward = " ".join(ward.split())
        if len(ward) > _WARD_NAME_LIMIT:
            raise RowError(f"{label('ward')} is longer than {_WARD_NAME_LIMIT} characters")
        fields["ward"] = ward
    if postcode := given.get("postcode"):
        if not is_valid_postcode(postcode):
            raise RowError(f"{label('postcode')} {postcode!r} is not a valid UK postcode")
        fields["postcode"] = format_postcode(postcode)
    for name, limit in _COORDINATE_LIMITS.items():
        if number := given.get(name):
            fields[name] = _decimal(number, label(name), limit)
    if status := given.get("logical_status"):
        if not _DIGITS.match(status) or int(status) not in _LOGICAL_STATUSES:
            raise RowError(f"{label('logical_status')} {status!r} is not 1, 3, 6 or 8")
        fields["logical_status"] = int(status)
    if "pao_start_number" not in fields and "pao_text" not in fields:
        raise RowError(
            f"the primary addressable object is missing "
            f"({label('pao_start_number')} or {label('pao_text')})"
        )
    if "street_name" not in fields:
        raise RowError(f"{label('street_name')} is missing")
    return AddressRow(**fields)


# Reading files -------------------------------------------------------------------------------


class AddressFile:
    """A CSV of addresses, opened with its header checked against a {field: column} mapping.

    Iterating yields `(line_number, row_or_reason)`, one per data record: an `AddressRow`, or a
    string saying why the record was skipped. A UPRN already seen earlier in the file is
    reported as a duplicate.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        mapping: Mapping[str, str],
        optional: frozenset[str] = frozenset(),
        encoding: str = DEFAULT_ENCODING,
    ) -> None:
        self.path = Path(path)
        self.mapping = dict(mapping)
        self.optional = optional
        self.encoding = encoding
        self._file: IO[str] | None = None

    @classmethod
    def llpg(cls, path: Path | str, *, encoding: str = DEFAULT_ENCODING) -> "AddressFile":
        """The council's LLPG extract, in the layout described at the top of this module."""
        optional = frozenset(LLPG_COLUMNS) - frozenset(LLPG_REQUIRED)
        return cls(path, mapping=LLPG_COLUMNS, optional=optional, encoding=encoding)

    def __enter__(self) -> Self:
        self._file = _open(self.path, self.encoding)
        try:
            reader = csv.reader(self._file)
            header = _read_header(reader, self.path)
            # The first of two equally named columns wins.
            positions: dict[str, int] = {}
            for i, column in enumerate(header):
                positions.setdefault(_column_key(column), i)
            missing = [
                column
                for name, column in self.mapping.items()
                if name not in self.optional and _column_key(column) not in positions
            ]
            if missing:
                raise ImportFileError(
                    f"{self.path.name} has no column(s) {', '.join(missing)}. "
                    f"Its header is: {', '.join(header)}."
                )
        except ImportFileError:
            self._file.close()
            raise
        self._reader = reader
        self._width = len(header)
        self._columns = {
            name: positions[_column_key(column)]
            for name, column in self.mapping.items()
            if _column_key(column) in positions
        }
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._file is not None:
            self._file.close()

    @property
    def provided_fields(self) -> frozenset[str]:
        """Our fields this file has columns for; the others are not its to change."""
        return frozenset(self._columns)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Each non-blank data record with the line it ends on; read errors become fatal."""
        assert self._file is not None, "open the file with `with` first"
        try:
            for record in self._reader:
                if record and any(value.strip() for value in record):
                    yield self._reader.line_num, record
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(self.path, self._reader.line_num, error) from error

    def uprns(self) -> Iterator[int]:
        """The well-formed UPRNs in the file, without checking anything else."""
        position = self._columns["uprn"]
        for _, record in self.records():
            if position < len(record):
                value = record[position].strip()
                if _DIGITS.match(value) and 0 < len(value.lstrip("0")) <= 12:
                    yield int(value)

    def __iter__(self) -> Iterator[tuple[int, AddressRow | str]]:
        labels = {name: self.mapping[name] for name in self._columns}
        first_seen: dict[int, int] = {}
        for line, record in self.records():
            if len(record) != self._width:
                yield line, f"expected {self._width} fields, found {len(record)}"
                continue
            values = {name: record[position] for name, position in self._columns.items()}
            try:
                row = parse_row(values, labels)
            except RowError as error:
                yield line, str(error)
                continue
            if row.uprn in first_seen:
                yield line, f"UPRN {row.uprn} appears again (first on line {first_seen[row.uprn]})"
                continue
            first_seen[row.uprn] = line
            yield line, row


def read_os_open_uprn(
    path: Path | str,
    *,
    wanted: set[int],
    on_error: Callable[[int, str], None],
    progress: Callable[[Iterator[str]], Iterator[str]] = iter,
    encoding: str = DEFAULT_ENCODING,
) -> dict[int, Coordinates]:
    """Stream OS Open UPRN, keeping the coordinates of the UPRNs in `wanted`.

    The national file is far larger than any borough, so only the borough's UPRNs are held;
    lines are split by hand (the file is plain numbers, never quoted) and only the wanted ones
    are checked, which keeps a 40-million-line scan to well under a minute. `progress` wraps the
    line iterator (e.g. with a progress bar).
    """
    path = Path(path)
    keys = {str(uprn): uprn for uprn in wanted}
    found: dict[int, Coordinates] = {}
    with _open(path, encoding) as file:
        header = _read_header(csv.reader([file.readline()]), path)
        if [column.strip().upper() for column in header] != list(OS_OPEN_UPRN_COLUMNS):
            raise ImportFileError(
                f"{path.name} is not OS Open UPRN: its header should be exactly "
                f"{','.join(OS_OPEN_UPRN_COLUMNS)}, not {','.join(header)}."
            )
        line = 1
        try:
            for line, text in enumerate(progress(file), start=2):
                uprn = keys.get(text[: text.find(",")])
                if uprn is None:
                    continue
                values = text.rstrip("\r\n").split(",")
                if len(values) != len(OS_OPEN_UPRN_COLUMNS):
                    on_error(line, f"expected 5 fields, found {len(values)}")
                    continue
                try:
                    found[uprn] = Coordinates(
                        *(
                            _decimal(value.strip(), column, _COORDINATE_LIMITS[name])
                            for value, column, name in zip(
                                values[1:],
                                OS_OPEN_UPRN_COLUMNS[1:],
                                ("easting", "northing", "latitude", "longitude"),
                                strict=True,
                            )
                        )
                    )
                except RowError as error:
                    on_error(line, str(error))
        except UnicodeDecodeError as error:
            raise _unreadable(path, line, error) from error
    return found


def _unreadable(path: Path, line: int, error: Exception) -> ImportFileError:
    """The error for a file that stops making sense part-way: nothing of it is imported.

    Text is decoded in blocks, so a bad byte is noticed up to a few hundred lines early.
    """
    where = f"after line {line}" if line else "at its start"
    hint = (
        " If it is not UTF-8, give its encoding (e.g. cp1252)."
        if isinstance(error, UnicodeDecodeError)
        else ""
    )
    return ImportFileError(f"{path.name} could not be read {where}: {error}.{hint}")


def _column_key(column: str) -> str:
    return column.strip().casefold()


def _open(path: Path, encoding: str) -> IO[str]:
    try:
        return path.open(newline="", encoding=encoding)
    except LookupError:
        raise ImportFileError(f"Unknown encoding {encoding!r}.") from None
    except OSError as error:
        raise ImportFileError(f"Cannot open {path}: {error.strerror or error}.") from error


def _read_header(reader: Iterator[list[str]], path: Path) -> list[str]:
    try:
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as error:
        raise _unreadable(path, 0, error) from error
    if not header or not any(column.strip() for column in header):
        raise ImportFileError(f"{path.name} is empty: the first line should be the header.")
    return header
