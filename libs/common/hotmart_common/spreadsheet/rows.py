from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from typing import Final

from hotmart_common.spreadsheet.caching import parse_all
from hotmart_common.spreadsheet.columns import FIELDS, Field
from hotmart_common.spreadsheet.date_column import parse_datetime_column
from hotmart_common.spreadsheet.normalize import (
    StatusCategory,
    normalise_currency,
    normalise_email,
    parse_amount,
    status_category,
)
from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.table import ROW_NUMBER_COLUMN, Table
from hotmart_common.spreadsheet.text import mask_email, shorten

ZERO: Final = Decimal("0")
# Longer than any real name, product or code; a row carrying more is damaged, and an event
# that large would not fit on the bus.
MAX_CELL_CHARS: Final = 1000


@dataclass(frozen=True, slots=True)
class NormalisedRow:
    row_number: int
    email: str
    name: str | None
    phone: str | None
    document: str | None
    product: str | None
    amount: Decimal
    currency: str
    status: str | None
    status_category: StatusCategory
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
) -> Iterator[NormalisedRow | RowProblem]:
    _check_mapping(table, mapping)
    if default_purchased_at.tzinfo is None:
        raise ValueError("default_purchased_at must be timezone-aware")
    columns = _ParsedColumns(
        table, mapping, default_purchased_at.astimezone(UTC), normalise_currency(default_currency)
    )
    return columns.results()


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


class _ParsedColumns:
    # Whole columns are parsed before rows are assembled: comprehensions over cached parses
    # are several times faster than parsing cell by cell inside the row loop.
    def __init__(
        self,
        table: Table,
        mapping: Mapping[Field, str],
        default_purchased_at: datetime,
        default_currency: str,
    ) -> None:
        self._table = table
        self._sources = mapping
        self._row_numbers: list[int] = table.frame.get_column(ROW_NUMBER_COLUMN).to_list()
        self._text = {field: self._texts(field) for field in FIELDS if field != "purchased_at"}
        self._emails = [None if text is None else _email(text) for text in self._text["email"]]
        self._amounts = parse_all(self._text["amount"], parse_amount, ZERO)
        self._purchased_at = self._dates(default_purchased_at)
        self._currencies = self._currency_codes(default_currency)
        self._status_categories = self._categories()
        self._too_long = self._overlong_fields()

    def results(self) -> Iterator[NormalisedRow | RowProblem]:
        text = self._text
        cells = zip(
            self._row_numbers, self._emails, text["name"], text["phone"], text["document"],
            text["product"], self._amounts, self._currencies, text["status"],
            self._status_categories, self._purchased_at, text["transaction_code"],
            strict=True,
        )  # fmt: skip
        for index, (
            row_number, email, name, phone, document, product, amount, currency, status,
            category, purchased_at, transaction_code,
        ) in enumerate(cells):  # fmt: skip
            if (
                isinstance(email, str)
                and isinstance(amount, Decimal)
                and isinstance(purchased_at, datetime)
                and self._too_long[index] is None
            ):
                yield NormalisedRow(
                    row_number, email, name, phone, document, product, amount, currency,
                    status, category, purchased_at, transaction_code,
                )  # fmt: skip
            else:
                yield self._problem_at(index, row_number)

    def _texts(self, field: Field) -> list[str | None]:
        source = self._sources.get(field)
        if source is None:
            return [None] * len(self._row_numbers)
        values: list[str | None] = self._table.frame.get_column(source).to_list()
        return values

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

    def _dates(self, blank: datetime) -> list[datetime | ValueError]:
        source = self._sources.get("purchased_at")
        if source is None:
            return [blank] * len(self._row_numbers)
        return parse_datetime_column(self._table.frame.get_column(source), blank=blank)

    def _currency_codes(self, default: str) -> list[str]:
        # An unreadable currency cell falls back to the default instead of rejecting a sale
        # whose buyer and amount are fine.
        codes = parse_all(self._text["currency"], normalise_currency, default)
        return [default if isinstance(code, ValueError) else code for code in codes]

    def _categories(self) -> list[StatusCategory]:
        # Without a status column every sale counts; a blank cell in a status column does not.
        if "status" not in self._sources:
            return ["active"] * len(self._row_numbers)
        statuses = self._text["status"]
        categories = {status: status_category(status) for status in set(statuses)}
        return [categories[status] for status in statuses]

    def _problem_at(self, index: int, row_number: int) -> RowProblem:
        email = self._emails[index]
        if email is None:
            return self._problem(row_number, "missing_email", "email", "the e-mail is missing")
        if isinstance(email, ValueError):
            masked = shorten(mask_email(self._text["email"][index] or ""))
            return self._problem(
                row_number, "invalid_email", "email", f"'{masked}' is not a valid e-mail address"
            )
        too_long = self._too_long[index]
        if too_long is not None:
            size = len(self._table.frame.get_column(self._sources[too_long])[index])
            return self._problem(row_number, "value_too_long", too_long,
                                 f"{size:,} characters, more than the {MAX_CELL_CHARS:,} "
                                 "a field can hold")
        amount = self._amounts[index]
        if isinstance(amount, ValueError):
            shown = shorten(self._text["amount"][index] or "")
            return self._problem(
                row_number, "invalid_amount", "amount", f"'{shown}' is not an amount ({amount})"
            )
        shown = shorten(self._date_texts[index] or "")
        reason = self._purchased_at[index]
        return self._problem(
            row_number, "invalid_date", "purchased_at", f"'{shown}' is not a date ({reason})"
        )

    @cached_property
    def _date_texts(self) -> list[str | None]:
        return self._texts("purchased_at")

    def _problem(self, row_number: int, code: str, field: Field, reason: str) -> RowProblem:
        column = self._sources.get(field)
        return RowProblem(
            row_number, code, column, f"Row {row_number}, column '{column}': {reason}"
        )


def _email(text: str) -> str | ValueError:
    try:
        return normalise_email(text)
    except ValueError as error:
        return error
