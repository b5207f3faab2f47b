"""The rows an import could not use, as a CSV the producer can fix and upload again.

Streamed: the issues are read from the store a page at a time in row order, each page is
joined with the file's cells for its rows only and written out before the next is read. A
download never holds every issue or the whole answer: one page, the export's bytes (at most
10 MB) and, for a CSV, a lazy scan of them (``table_rows``); for a workbook, the table its
upload held.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from hotmart_common.blobstore import BlobStore
from hotmart_common.csv_out import Cell, csv_stream
from hotmart_common.events import IssueStatus, RowIssue
from hotmart_common.spreadsheet import read_table
from hotmart_common.spreadsheet.reader import unique_headers
from hotmart_common.spreadsheet.stored import StoredTableUnreadable, read_stored_table
from hotmart_common.spreadsheet.table_rows import LoadedRows, ScannedCsvRows, TableRows

from .outcomes import FinalizerClient
from .repository import ImportRecord

REASON_COLUMNS: Final = ("row_number", "problem", "message")
# A page's cells are read by scanning the CSV up to its last row: larger pages scan less
# often (a million rows: 3.9 s in pages of 5 000, 1.7 s in pages of 10 000), and a page of
# cells still weighs a few MB.
ISSUES_PER_PAGE: Final = 10_000


class ExportGone(LookupError):
    """The export's file is no longer kept (uploads expire), so its cells cannot be read."""


@dataclass(frozen=True)
class RowsToFix:
    """The issues one download covers: the first ``limit`` after row ``after_row``."""

    tenant_id: str
    import_id: UUID
    status: IssueStatus | None
    after_row: int
    limit: int


class RowsToFixDownload:
    """The header of a download, known before its first byte is sent, and its rows."""

    def __init__(self, finalizer: FinalizerClient, rows: RowsToFix, table: TableRows) -> None:
        self._finalizer = finalizer
        self._rows = rows
        self._table = table
        # A column of the file named like one the download adds is renamed ("problem (2)"),
        # as read_table names a repeated header.
        self.header = [*REASON_COLUMNS, *unique_headers(table.headers, taken=REASON_COLUMNS)]

    def chunks(self) -> AsyncIterator[bytes]:
        return csv_stream(self.header, self._batches())

    async def _batches(self) -> AsyncIterator[list[list[Cell]]]:
        async for issues in _issue_pages(self._finalizer, self._rows):
            yield await asyncio.to_thread(self._rows_of, issues)

    def _rows_of(self, issues: Sequence[RowIssue]) -> list[list[Cell]]:
        cells = self._table.cells([issue.row_number for issue in issues])
        blank = (None,) * len(self._table.headers)
        return [[issue.row_number, issue.code, issue.message,
                 *cells.get(issue.row_number, blank)] for issue in issues]


async def next_after_row(finalizer: FinalizerClient, rows: RowsToFix) -> int | None:
    """Where the download after this one starts, None when this one covers the rest."""
    following = await finalizer.issue_row_after(
        rows.tenant_id, rows.import_id, status=rows.status, after_row=rows.after_row,
        skipping=rows.limit)
    return None if following is None else following - 1


async def rows_to_fix_download(finalizer: FinalizerClient, blobs: BlobStore,
                               record: ImportRecord, rows: RowsToFix) -> RowsToFixDownload:
    table = await _table_rows(blobs, record)
    return RowsToFixDownload(finalizer, rows, table)


async def _table_rows(blobs: BlobStore, record: ImportRecord) -> TableRows:
    file_name, file_format = record.file_name or "", record.file_format or "csv"
    if file_format == "csv":
        return await asyncio.to_thread(ScannedCsvRows, await _export(blobs, record), file_name)
    if record.table_key is not None:  # the workbook's table, as the upload read it
        stored = await blobs.find(record.table_key)
        if stored is not None:
            try:
                return LoadedRows(await asyncio.to_thread(read_stored_table, stored, file_name,
                                                          file_format))
            except StoredTableUnreadable:
                pass  # read the workbook itself, as the parser does
    data = await _export(blobs, record)
    return LoadedRows(await asyncio.to_thread(read_table, data, file_name))


async def _export(blobs: BlobStore, record: ImportRecord) -> bytes:
    data = None if record.object_key is None else await blobs.find(record.object_key)
    if data is None:
        import_id = record.import_id
        raise ExportGone(f"the file of import {import_id} is no longer kept (uploads are kept "
                         f"for seven days); each row's reason is still at "
                         f"/v1/imports/{import_id}/rows")
    return data


async def _issue_pages(finalizer: FinalizerClient,
                       rows: RowsToFix) -> AsyncIterator[list[RowIssue]]:
    after_row, left = rows.after_row, rows.limit
    while left > 0:
        page = await finalizer.issues(rows.tenant_id, rows.import_id, status=rows.status,
                                      limit=min(ISSUES_PER_PAGE, left), after_row=after_row)
        if not page:
            return
        yield page
        after_row, left = page[-1].row_number, left - len(page)
