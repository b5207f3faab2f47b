"""Synthetic Hotmart exports for tests, with their expected summary worked out here.

Expectations are computed from the generated purchases directly, never through the
product's own parsing code, so a test fails when the product and this agree on a mistake
only by coincidence of sharing code.
"""

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import xlsxwriter

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
ACTIVE = {"Aprovado", "Completo", "approved", "complete", "APPROVED"}
LOST = {"Reembolsado", "Cancelado", "Expirado", "Chargeback", "refunded", "canceled",
        "expired", "chargeback"}


@dataclass(frozen=True)
class Purchase:
    email: str | None        # as written in the file (may be messy or invalid)
    name: str
    product: str
    amount: Decimal | None   # None = blank cell
    status: str
    when: datetime           # naive, Sao Paulo wall time
    code: str
    bad_cell: str | None = None   # "amount" / "date": that cell holds junk
    clean_email: str | None = None  # the address after trimming / lower-casing (None if invalid)

    @property
    def category(self) -> str:
        return "active" if self.status in ACTIVE else "lost" if self.status in LOST else "pending"


@dataclass
class Expected:
    total_rows: int = 0
    rows_skipped: int = 0
    skipped_rows: dict[int, str] = field(default_factory=dict)   # row number -> reason code
    emails: set[str] = field(default_factory=set)                 # buyers of valid rows
    valid_rows: int = 0
    total_revenue: Decimal = Decimal(0)
    lost_revenue: Decimal = Decimal(0)
    pending_revenue: Decimal = Decimal(0)


def purchases(seed: int, count: int, buyers: list[str], statuses: list[str],
              code_prefix: str) -> list[Purchase]:
    rng = random.Random(seed)
    start = datetime(2025, 2, 1, 8, 0, 0)
    out = []
    for n in range(count):
        email = rng.choice(buyers)
        cents = rng.randrange(100, 250_000)
        out.append(Purchase(
            email=email, name=f"Comprador {email.split('@')[0]}",
            product=rng.choice(["Curso A", "Curso B", "Mentoria", "Ebook"]),
            amount=Decimal(cents) / 100, status=rng.choice(statuses),
            when=start + timedelta(minutes=rng.randrange(0, 500_000)),
            code=f"{code_prefix}{n:010d}", clean_email=email,
        ))
    return out


def expected(rows: list[Purchase], first_row_number: int = 2) -> Expected:
    result = Expected(total_rows=len(rows))
    for offset, row in enumerate(rows):
        number = first_row_number + offset
        reason = _skip_reason(row)
        if reason:
            result.rows_skipped += 1
            result.skipped_rows[number] = reason
            continue
        assert row.clean_email is not None
        result.valid_rows += 1
        result.emails.add(row.clean_email)
        amount = row.amount or Decimal(0)
        if row.category == "active":
            result.total_revenue += amount
        elif row.category == "lost":
            result.lost_revenue += amount
        else:
            result.pending_revenue += amount
    return result


def _skip_reason(row: Purchase) -> str | None:
    if row.email is None or not row.email.strip():
        return "missing_email"
    if row.clean_email is None:
        return "invalid_email"
    if row.bad_cell == "amount":
        return "invalid_amount"
    if row.bad_cell == "date":
        return "invalid_date"
    return None


def br_amount(value: Decimal) -> str:
    whole, cents = f"{value:.2f}".split(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ".".join([whole, *groups]) + "," + cents


def portuguese_csv(rows: list[Purchase]) -> bytes:
    """The current detailed model: ';', BOM, '1.234,56', 'dd/mm/yyyy hh:mm:ss' (or date only)."""
    header = ["Código da transação", "Status da transação", "Data da transação", "Produto",
              "Moeda de compra", "Valor de compra com impostos", "Comprador(a)",
              "Email do(a) Comprador(a)", "Telefone"]
    lines = [";".join(header)]
    for n, row in enumerate(rows):
        amount = "" if row.amount is None else br_amount(row.amount)
        date = row.when.strftime("%d/%m/%Y") if n % 5 == 0 else row.when.strftime(
            "%d/%m/%Y %H:%M:%S")
        if row.bad_cell == "amount":
            amount = "1,2,3"
        if row.bad_cell == "date":
            date = "31/02/2025"
        lines.append(";".join([row.code, row.status, date, row.product, "BRL", amount,
                               row.name, row.email or "", "11999990000"]))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def english_xlsx(rows: list[Purchase]) -> bytes:
    """Simple English headers, real date and number cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Sales")
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    header = ["Transaction", "Status", "Purchase Date", "Buyer Name", "Buyer Email",
              "Product", "Sale Amount", "Currency"]
    sheet.write_row(0, 0, header)
    for n, row in enumerate(rows, start=1):
        sheet.write_string(n, 0, row.code)
        sheet.write_string(n, 1, row.status)
        if row.bad_cell == "date":
            sheet.write_string(n, 2, "not a date")
        else:
            sheet.write_datetime(n, 2, row.when, dates)
        sheet.write_string(n, 3, row.name)
        sheet.write_string(n, 4, row.email or "")
        sheet.write_string(n, 5, row.product)
        if row.bad_cell == "amount":
            sheet.write_string(n, 6, "twelve")
        elif row.amount is not None:
            sheet.write_number(n, 6, float(row.amount))
        sheet.write_string(n, 7, "BRL")
    book.close()
    return buffer.getvalue()
