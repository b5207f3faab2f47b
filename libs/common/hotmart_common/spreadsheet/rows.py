from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import compress, count
from operator import not_
from typing import Final, NamedTuple, cast, overload

import polars as pl

from hotmart_common.hotmart_statuses import STATUS_WHEN_MISSING, StatusCode, status_code
from hotmart_common.spreadsheet.caching import parse_all
from hotmart_common.spreadsheet.columns import Field
from hotmart_common.spreadsheet.date_column import parse_datetime_column
from hotmart_common.spreadsheet.email_column import normalise_email_column
from hotmart_common.spreadsheet.normalize import normalise_currency, parse_amount
from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.table import ROW_NUMBER_COLUMN, Table
from hotmart_common.spreadsheet.text import mask_email, shorten

ZERO: Final = Decimal("0")
# Longer than any real name, product or code; a row carrying more is damaged, and an event
# that large would not fit on the bus.
MAX_CELL_CHARS: Final = 1000
_ROWS_AT_A_TIME: Final = 1024
# Texts that go into a row as they are written, read from the frame a slice at a time.
_AS_WRITTEN: Final[tuple[Field, ...]] = (
    "name", "phone", "document", "product", "status", "transaction_code",
)  # fmt: skip


class NormalisedRow(NamedTuple):
    # A named tuple, as every type made once per row is: a frozen dataclass, setting each
    # field through object.__setattr__, costs several times as much to build.
    row_number: int
    email: str
    name: str | None
    phone: str | None
    document: str | None
    product: str | None
    amount: Decimal | None  # None: the file has no amount column
    currency: str
    status: str | None
    status_code: StatusCode | None
    purchased_at: datetime
    transaction_code: str | None


@dataclass(frozen=True, slots=True)
class RowProblem:
    row_number: int
    code: str
    column: str | None
    message: str


def normalise_rows(
    table: Table,
    mapping: Mapping[Field, str],
    *,
    default_purchased_at: datetime,
    default_currency: str = "BRL",
    status_when_missing: StatusCode = STATUS_WHEN_MISSING,
) -> Iterator[NormalisedRow | RowProblem]:
    return iter(normalise_table(table, mapping, default_purchased_at=default_purchased_at,
                                default_currency=default_currency,
                                status_when_missing=status_when_missing))


def normalise_table(
    table: Table,
    mapping: Mapping[Field, str],
    *,
    default_purchased_at: datetime,
    default_currency: str = "BRL",
    status_when_missing: StatusCode = STATUS_WHEN_MISSING,
) -> "NormalisedRows":
    """``status_when_missing``: the status code of every row of a table without a status
    column (a blank cell of a status column is no status: None)."""
    _check_mapping(table, mapping)
    if default_purchased_at.tzinfo is None:
        raise ValueError("default_purchased_at must be timezone-aware")
    return NormalisedRows(
        table, mapping, default_purchased_at.astimezone(UTC), normalise_currency(default_currency),
        status_when_missing,
    )


def _check_mapping(table: Table, mapping: Mapping[Field, str]) -> None:
    unknown = {field: source for field, source in mapping.items() if source not in table.headers}
    if unknown:
        raise ValueError(f"columns not in '{table.file_name}': {unknown}")
    if "email" not in mapping:
        raise FileProblem(
            "no_email_column",
            f"No column of '{table.file_name}' was chosen as the buyer e-mail, "
            "so its sales cannot be matched to clients.",
        )


class RowProblems(Collection[RowProblem]):
    """The problems of a table's unusable rows, in row order, each built as it is reached: a
    file of a million rejected rows would otherwise hold a million problems, and their
    messages, at once."""

    def __init__(self, usable: list[bool], problem_at: Callable[[int], RowProblem]) -> None:
        self._usable = usable
        self._problem_at = problem_at

    def __len__(self) -> int:
        return self._usable.count(False)

    def __iter__(self) -> Iterator[RowProblem]:
        return map(self._problem_at, compress(count(), map(not_, self._usable)))

    def __contains__(self, item: object) -> bool:
        return any(problem == item for problem in self)


# Row number, e-mail and transaction code of a usable row: what screening needs to know.
RowKey = tuple[int, str, str | None]


class NormalisedRows(Sequence[NormalisedRow | RowProblem]):
    """The data rows of a table, normalised, in row order; built when they are asked for.

    The cells that decide whether a row is usable (e-mail, amount, date, sizes) are parsed
    for the whole table up front: comprehensions over cached parses are several times faster
    than parsing cell by cell. The other texts stay in the frame until a slice of rows is
    built, so a caller that walks the rows chunk by chunk never holds them all as objects.
    """

    def __init__(
        self,
        table: Table,
        mapping: Mapping[Field, str],
        default_purchased_at: datetime,
        default_currency: str,
        status_when_missing: StatusCode = STATUS_WHEN_MISSING,
    ) -> None:
        self._table = table
        self._sources = mapping
        self._row_numbers: list[int] = table.frame.get_column(ROW_NUMBER_COLUMN).to_list()
        self._emails = self._email_addresses()
        self._amounts = self._amount_values()
        self._purchased_at = self._dates(default_purchased_at)
        self._currencies = self._currency_codes(default_currency)
        self._too_long = self._overlong_fields()
        self._usable = [
            isinstance(email, str) and not isinstance(amount, ValueError)
            and isinstance(purchased_at, datetime) and too_long is None
            for email, amount, purchased_at, too_long in zip(
                self._emails, self._amounts, self._purchased_at, self._too_long, strict=True)
        ]  # fmt: skip
        self._status_when_missing = status_when_missing
        self._codes: dict[str | None, StatusCode | None] = {}

    def __len__(self) -> int:
        return len(self._row_numbers)

    @overload
    def __getitem__(self, index: int) -> NormalisedRow | RowProblem: ...

    @overload
    def __getitem__(self, index: slice) -> list[NormalisedRow | RowProblem]: ...

    def __getitem__(
        self, index: int | slice
    ) -> NormalisedRow | RowProblem | list[NormalisedRow | RowProblem]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:
                return self._rows(start, stop)
            return [self._rows(position, position + 1)[0]
                    for position in range(start, stop, step)]
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError("row index out of range")
        return self._rows(position, position + 1)[0]

    def __iter__(self) -> Iterator[NormalisedRow | RowProblem]:
        for start in range(0, len(self), _ROWS_AT_A_TIME):
            yield from self._rows(start, start + _ROWS_AT_A_TIME)

    def problems(self) -> "RowProblems":
        return RowProblems(self._usable, self._problem_at)

    def keys(self) -> list[RowKey]:
        codes = self._texts("transaction_code")
        keys = compress(zip(self._row_numbers, self._emails, codes, strict=True), self._usable)
        return cast(list[RowKey], list(keys))  # a usable row's e-mail is a str

    def _rows(self, start: int, stop: int) -> list[NormalisedRow | RowProblem]:
        stop = min(stop, len(self))
        if start >= stop:
            return []
        frame = self._table.frame.slice(start, stop - start)
        text = {field: self._texts(field, frame) for field in _AS_WRITTEN}
        cells = zip(
            range(start, stop), self._emails[start:stop], text["name"], text["phone"],
            text["document"], text["product"], self._amounts[start:stop],
            self._currencies[start:stop], text["status"], self._status_codes(text["status"]),
            self._purchased_at[start:stop], text["transaction_code"],
            strict=True,
        )  # fmt: skip
        rows: list[NormalisedRow | RowProblem] = []
        for (
            index, email, name, phone, document, product, amount, currency, status,
            code, purchased_at, transaction_code,
        ) in cells:  # fmt: skip
            if (
                isinstance(email, str)
                and not isinstance(amount, ValueError)
                and isinstance(purchased_at, datetime)
                and self._too_long[index] is None
            ):
                rows.append(NormalisedRow(
                    self._row_numbers[index], email, name, phone, document, product, amount,
                    currency, status, code, purchased_at, transaction_code,
                ))  # fmt: skip
            else:
                rows.append(self._problem_at(index))
        return rows

    def _texts(self, field: Field, frame: pl.DataFrame | None = None) -> list[str | None]:
        rows = self._table.frame if frame is None else frame
        source = self._sources.get(field)
        if source is None:
            return [None] * rows.height
        values: list[str | None] = rows.get_column(source).to_list()
        return values

    def _cell(self, field: Field, index: int) -> str | None:
        source = self._sources.get(field)
        if source is None:
            return None
        value: str | None = self._table.frame.get_column(source)[index]
        return value

    def _overlong_fields(self) -> list[Field | None]:
        """Per row, the first mapped text field whose cell is over MAX_CELL_CHARS."""
        found: list[Field | None] = [None] * len(self._row_numbers)
        for field, source in self._sources.items():
            if field == "email":
                continue  # the e-mail rule has its own, tighter limit
            lengths = self._table.frame.get_column(source).str.len_chars().fill_null(0)
            for index in (lengths > MAX_CELL_CHARS).arg_true().to_list():
                found[index] = found[index] or field
        return found

    def _email_addresses(self) -> list[str | ValueError | None]:
        source = self._sources.get("email")
        if source is None:
            return [None] * len(self._row_numbers)
        return normalise_email_column(self._table.frame.get_column(source))

    def _dates(self, blank: datetime) -> list[datetime | ValueError]:
        source = self._sources.get("purchased_at")
        if source is None:
            return [blank] * len(self._row_numbers)
        return parse_datetime_column(self._table.frame.get_column(source), blank=blank)

    def _currency_codes(self, default: str) -> list[str]:
        # An unreadable currency cell falls back to the default instead of rejecting a sale
        # whose buyer and amount are fine.
        codes = parse_all(self._texts("currency"), normalise_currency, default)
        return [default if isinstance(code, ValueError) else code for code in codes]

    def _amount_values(self) -> list[Decimal | ValueError | None]:
        # Without an amount column no amount is known: None, never an invented 0. A blank
        # cell of an amount column reads as 0, as Hotmart writes a free item.
        if "amount" not in self._sources:
            return [None] * len(self._row_numbers)
        amounts: list[Decimal | ValueError | None] = []
        amounts.extend(parse_all(self._texts("amount"), parse_amount, ZERO))
        return amounts

    def _status_codes(self, statuses: list[str | None]) -> list[StatusCode | None]:
        # Without a status column every row gets the status chosen at confirm; a blank cell
        # in a status column is no known status.
        if "status" not in self._sources:
            return [self._status_when_missing] * len(statuses)
        known = self._codes
        for status in statuses:
            if status not in known:
                known[status] = status_code(status)
        return [known[status] for status in statuses]

    def _problem_at(self, index: int) -> RowProblem:
        row_number = self._row_numbers[index]
        email = self._emails[index]
        if email is None:
            return self._problem(row_number, "missing_email", "email", "the e-mail is missing")
        if isinstance(email, ValueError):
            masked = shorten(mask_email(self._cell("email", index) or ""))
            return self._problem(
                row_number, "invalid_email", "email", f"'{masked}' is not a valid e-mail address"
            )
        too_long = self._too_long[index]
        if too_long is not None:
            size = len(self._cell(too_long, index) or "")
            return self._problem(row_number, "value_too_long", too_long,
                                 f"{size:,} characters, more than the {MAX_CELL_CHARS:,} "
                                 "a field can hold")
        amount = self._amounts[index]
        if isinstance(amount, ValueError):
            shown = shorten(self._cell("amount", index) or "")
            return self._problem(
                row_number, "invalid_amount", "amount", f"'{shown}' is not an amount ({amount})"
            )
        shown = shorten(self._cell("purchased_at", index) or "")
        reason = self._purchased_at[index]
        return self._problem(
            row_number, "invalid_date", "purchased_at", f"'{shown}' is not a date ({reason})"
        )

    def _problem(self, row_number: int, code: str, field: Field, reason: str) -> RowProblem:
        column = self._sources.get(field)
        return RowProblem(
            row_number, code, column, f"Row {row_number}, column '{column}': {reason}"
        )
