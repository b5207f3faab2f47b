"""A table's cells by row number, for an answer that streams rows without holding the table.

``read_table`` holds every row; a download of a million rejected rows must not. A CSV is
scanned lazily: its header and columns are found as ``read_table`` finds them (one pass,
aggregating), then each batch of row numbers reads the file only as far as the last of them
and keeps only those rows. That holds a batch, plus the scan's buffers, which grow with the
file and not with the rows asked for (measured: about 70 MB at the end of a 10 MB file of a
million rows, which read_table grows by 137 MB to hold).

A workbook's table is held as read (its Arrow IPC copy stored at upload is one compressed
record batch, no cheaper to read in parts): as large as the upload already held it, however
many rows a download asks for.
"""

from collections.abc import Sequence
from typing import Protocol

import polars as pl

from hotmart_common.spreadsheet.csv_grid import scan_csv_grid
from hotmart_common.spreadsheet.reader import (
    HEADER_SEARCH_ROWS,
    header_index,
    header_row,
    rows_below_header,
    table_columns,
    table_selection,
)
from hotmart_common.spreadsheet.table import ROW_NUMBER_COLUMN, Table

Cells = tuple[str | None, ...]


class TableRows(Protocol):
    @property
    def headers(self) -> list[str]: ...

    def cells(self, row_numbers: Sequence[int]) -> dict[int, Cells]:
        """The cells of each of these rows (in ascending order) the table has."""
        ...


class ScannedCsvRows:
    def __init__(self, data: bytes, file_name: str) -> None:
        self._grid = scan_csv_grid(data, file_name)
        self._grid_columns = self._grid.collect_schema().names()
        head = self._grid.head(HEADER_SEARCH_ROWS).collect()
        self._header_index = header_index(head, file_name)
        cells = header_row(head, self._header_index)
        filled = self._unnamed_with_data(
            [column for column, cell in zip(head.columns, cells, strict=True) if cell is None])
        self._columns = table_columns(head.columns, cells, filled.__contains__)

    @property
    def headers(self) -> list[str]:
        return [header for _, header in self._columns]

    def cells(self, row_numbers: Sequence[int]) -> dict[int, Cells]:
        if not row_numbers:
            return {}
        # Row n is the grid's n-th line: the scan stops at the last row asked for.
        rows = rows_below_header(self._grid.slice(0, row_numbers[-1]), self._grid_columns,
                                 self._header_index)
        frame = (rows.filter(pl.col(ROW_NUMBER_COLUMN).is_in(row_numbers))
                 .select(table_selection(self._columns)).collect(engine="streaming"))
        return _by_row_number(frame)

    def _unnamed_with_data(self, unnamed: list[str]) -> set[str]:
        if not unnamed:
            return set()
        rows = rows_below_header(self._grid, self._grid_columns, self._header_index)
        found = rows.select(pl.col(unnamed).is_not_null().any()).collect(engine="streaming")
        return {column for column, has_data in zip(unnamed, found.row(0), strict=True)
                if has_data}


class LoadedRows:
    def __init__(self, table: Table) -> None:
        self._table = table

    @property
    def headers(self) -> list[str]:
        return self._table.headers

    def cells(self, row_numbers: Sequence[int]) -> dict[int, Cells]:
        return _by_row_number(
            self._table.frame.filter(pl.col(ROW_NUMBER_COLUMN).is_in(row_numbers)))


def _by_row_number(frame: pl.DataFrame) -> dict[int, Cells]:
    # The row number is the frame's last column.
    return {row[-1]: row[:-1] for row in frame.iter_rows()}
