"""Synthetic Hotmart sales exports (current detailed Portuguese model), seeded, no real people.

Every buyer's e-mail and every transaction code carry a tag: two runs with different tags
share no buyer and no purchase (so neither re-imports what the other stored), and since the
tags have the same length, they produce files of exactly the same size.
"""

import csv
import io
import itertools
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import xlsxwriter

HEADER: Final = (
    "Código da transação", "Status da transação", "Data da transação", "Produto",
    "Moeda de compra", "Valor de compra com impostos", "Comprador(a)",
    "Email do(a) Comprador(a)", "Telefone", "Documento",
)  # fmt: skip
BOM: Final = "\ufeff"
LINE_END: Final = "\r\n"
TAG_LENGTH: Final = 4
RETURNING_SHARE: Final = 0.40
FIRST_NAMES: Final = ("Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Hugo",
                      "Iara", "João", "Karina", "Lucas", "Marina", "Otávio", "Paula", "Rafael")
LAST_NAMES: Final = ("Silva", "Souza", "Lima", "Costa", "Rocha", "Alves", "Dias", "Nunes",
                     "Araújo", "Melo", "Barros", "Freitas")
PRODUCTS: Final = (("Curso Horta", "297.00"), ("Ebook Pães", "29.90"), ("Mentoria", "1497.00"),
                   ("Checklist", "47.00"), ("Planilha", "97.00"))
# 75 % won, 15 % lost, 10 % still pending, as in a typical producer's export.
STATUSES: Final = (("Aprovado", 60), ("Completo", 15), ("Cancelado", 5), ("Reembolsado", 4),
                   ("Expirado", 3), ("Chargeback", 3), ("Aguardando pagamento", 7),
                   ("Boleto impresso", 3))
DATE_FORMAT: Final = "%d/%m/%Y %H:%M:%S"


@dataclass(frozen=True, slots=True)
class Buyer:
    name: str
    email: str
    phone: str
    document: str


@dataclass(frozen=True, slots=True)
class Sale:
    code: str
    status: str
    sold_at: datetime
    product: str
    currency: str
    amount: str
    buyer: Buyer

    def cells(self) -> tuple[str, ...]:
        return (self.code, self.status, self.sold_at.strftime(DATE_FORMAT), self.product,
                self.currency, self.amount, self.buyer.name, self.buyer.email,
                self.buyer.phone, self.buyer.document)


def sales(seed: int, tag: str) -> Iterator[Sale]:
    """An endless, reproducible stream of sales; ~40 % of them by a returning buyer."""
    if len(tag) != TAG_LENGTH or not tag.isalnum():
        raise ValueError(f"the buyer tag must be {TAG_LENGTH} letters or digits: {tag!r}")
    rng = random.Random(seed)
    run = f"{int(tag, 36):07d}"  # HP and 13 digits (6 for the sale's number), as Hotmart's
    statuses, weights = zip(*STATUSES, strict=True)
    buyers: list[Buyer] = []
    sold_at = datetime(2025, 1, 2, 8, 0, 0)
    for number in itertools.count():
        if buyers and rng.random() < RETURNING_SHARE:
            buyer = rng.choice(buyers)
        else:
            buyer = _new_buyer(rng, tag, len(buyers))
            buyers.append(buyer)
        product, price = rng.choice(PRODUCTS)
        sold_at += timedelta(seconds=rng.randrange(1, 240))
        yield Sale(f"HP{run}{number:06d}", rng.choices(statuses, weights)[0],
                   sold_at, product, "BRL", price, buyer)


def _new_buyer(rng: random.Random, tag: str, number: int) -> Buyer:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    document = "(none)" if rng.random() < 0.15 else f"{rng.randrange(10**10, 10**11)}"
    return Buyer(f"{first} {last}", f"{_ascii(first).lower()}{number}{tag}@example.com",
                 f"{rng.choice((11, 21, 31, 41, 51, 61, 71, 81))}9{rng.randrange(10**7, 10**8)}",
                 document)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def first_sales(count: int, seed: int, tag: str) -> list[Sale]:
    stream = sales(seed, tag)
    return [next(stream) for _ in range(count)]


def sales_within(max_bytes: int, seed: int, tag: str) -> list[Sale]:
    """As many sales as fit in a CSV export of at most ``max_bytes``."""
    size = len(_encoded_line(HEADER)) + len(BOM.encode())
    chosen: list[Sale] = []
    for sale in sales(seed, tag):
        size += len(_encoded_line(sale.cells()))
        if size > max_bytes:
            return chosen
        chosen.append(sale)
    raise AssertionError("unreachable: the stream is endless")


def _encoded_line(cells: tuple[str, ...]) -> bytes:
    return (";".join(cells) + LINE_END).encode()


def csv_bytes(rows: list[Sale]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator=LINE_END)
    writer.writerow(HEADER)
    writer.writerows(sale.cells() for sale in rows)
    return (BOM + buffer.getvalue()).encode()


def write_xlsx(rows: list[Sale], path: Path) -> bytes:
    """The same sales as an Excel export: dates and amounts as typed cells."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Vendas")
    date_format = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    amount_format = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, HEADER)
    for number, sale in enumerate(rows, start=1):
        cells = sale.cells()
        sheet.write_row(number, 0, cells[:2])
        sheet.write_datetime(number, 2, sale.sold_at, date_format)
        sheet.write_row(number, 3, cells[3:5])
        sheet.write_number(number, 5, float(sale.amount), amount_format)
        sheet.write_row(number, 6, cells[6:])
    book.close()
    return path.read_bytes()
