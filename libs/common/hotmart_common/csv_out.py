"""The one writer of every table the product hands people as a file.

What it writes comes from uploaded files, so it is hostile until proven otherwise. Excel and
LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and one
starting with a tab or a carriage return once they strip it): ``=HYPERLINK(...)`` or
``+cmd|' /C calc'!A0`` would be live in the producer's spreadsheet. OWASP's rule, applied to
every cell, header included: such a cell gets a leading single quote, which the spreadsheet
shows and does not evaluate. Cells are quoted whenever CSV needs it (a separator, a quote
or a line break inside).

Rows are encoded a batch at a time, so a route streams a table of any length in the memory
of one batch; the BOM leads the first chunk only (Excel reads UTF-8 correctly only with it).
"""

import asyncio
import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from typing import Final
from urllib.parse import quote

BOM: Final = "\ufeff"
SEPARATOR: Final = ";"  # what Excel expects where a comma is the decimal mark, as in Brazil
FORMULA_LEADS: Final = ("=", "+", "-", "@", "\t", "\r")
# RFC 5987's attr-char: what a filename* parameter may carry without percent-encoding.
_ATTR_CHARS: Final = "!#$&+-.^_`|~"

Cell = str | int | None
Rows = Iterable[Sequence[Cell]]


def neutralised(cell: Cell) -> Cell:
    """The cell as a spreadsheet will show it, never as a formula it would run."""
    if isinstance(cell, str) and cell.startswith(FORMULA_LEADS):
        return "'" + cell
    return cell


class CsvEncoder:
    """Turns rows into CSV bytes a batch at a time; the first batch starts with the BOM."""

    def __init__(self, separator: str = SEPARATOR) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=separator, lineterminator="\r\n")
        self._started = False

    def encode(self, rows: Rows) -> bytes:
        if not self._started:
            self._buffer.write(BOM)
            self._started = True
        self._writer.writerows(map(_neutralised_row, rows))
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")


async def csv_stream(header: Sequence[str], batches: AsyncIterable[Rows]) -> AsyncIterator[bytes]:
    """The header's chunk, then one chunk per batch of rows. Each batch is encoded in a
    worker thread, so a long download keeps the event loop free for other requests."""
    encoder = CsvEncoder()
    yield encoder.encode([header])
    async for rows in batches:
        yield await asyncio.to_thread(encoder.encode, rows)


def attachment(file_name: str) -> str:
    """A Content-Disposition for a download named ``file_name`` (RFC 6266): an ASCII
    ``filename`` for old clients and the exact name, UTF-8, in ``filename*`` (RFC 5987).
    HTTP headers are Latin-1, so a name in any other script must be encoded, not sent."""
    fallback = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\' else "_"
        for char in file_name
    )
    return (f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(file_name, safe=_ATTR_CHARS)}")


def _neutralised_row(row: Sequence[Cell]) -> list[Cell]:
    return [neutralised(cell) for cell in row]
