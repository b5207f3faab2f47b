from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Final

import polars as pl

from hotmart_common.spreadsheet.columns import detect_columns
from hotmart_common.spreadsheet.csv_grid import read_csv_grid
from hotmart_common.spreadsheet.excel_grid import read_excel_grids
from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.sniff import MAX_FILE_BYTES, sniff_format
from hotmart_common.spreadsheet.table import ROW_NUMBER_COLUMN, FileFormat, Table

__all__ = ["MAX_DATA_ROWS", "MAX_FILE_BYTES", "ROW_NUMBER_COLUMN", "Table", "read_table"]

MAX_DATA_ROWS: Final = 1_000_000
HEADER_SEARCH_ROWS: Final = 20
EMPTY_PLACEHOLDER: Final = "(none)"  # Hotmart writes it for "no value"
_FILLED_ELSEWHERE: Final = "__filled_elsewhere"
# Names the headers whose cells a table carries, given every header of the file.
ColumnChoice = Callable[[list[str]], Collection[str]]


def _cleaned(cells: pl.Expr) -> pl.Expr:
    # Every cell is stripped, and a blank one or Hotmart's placeholder is no value at all.
    stripped = cells.str.strip_chars()
    return pl.when(stripped.is_in(["", EMPTY_PLACEHOLDER])).then(None).otherwise(stripped)


_CLEANED = _cleaned(pl.col(pl.String)).name.keep()


def read_table(data: bytes, file_name: str, columns: ColumnChoice | None = None) -> Table:
    """The file's data rows below its header. ``headers`` always names every column; the
    frame carries the cells of the ``columns`` chosen (all without a choice). A reader that
    needs a few columns of a wide file then cleans and copies only those."""
    file_format = sniff_format(data, file_name)
    grid, header_index = _choose_grid(_raw_grids(data, file_name, file_format), file_name)
    headers, frame = _data_below_header(grid, header_index, columns)
    if frame.height == 0:
        raise FileProblem(
            "header_only",
            f"'{file_name}' has a header row ({_preview(headers)}) but no sales below it.",
        )
    if frame.height > MAX_DATA_ROWS:
        raise FileProblem(
            "too_many_rows",
            f"'{file_name}' has {frame.height:,} rows; up to {MAX_DATA_ROWS:,} can be imported "
            "at once. Split the export by date range.",
        )
    return Table(file_name, file_format, headers, frame)


def _raw_grids(data: bytes, file_name: str, file_format: FileFormat) -> Iterable[pl.DataFrame]:
    if file_format == "csv":
        return [read_csv_grid(data, file_name)]
    return read_excel_grids(data, file_name, file_format)


def _choose_grid(grids: Iterable[pl.DataFrame], file_name: str) -> tuple[pl.DataFrame, int]:
    # The first sheet whose header row names an e-mail column wins; failing that the first
    # sheet with anything in it, so require_email_column can list what was found. Only the
    # rows where a header can be are cleaned here; the rest once, below the chosen header.
    fallback: tuple[pl.DataFrame, int] | None = None
    for grid in grids:
        top = grid.head(HEADER_SEARCH_ROWS).with_columns(_CLEANED)
        header_index = _email_header_index(top)
        if header_index is not None:
            return grid, header_index
        first_filled = _first_filled_row(top)
        if fallback is None and first_filled is not None:
            fallback = grid, first_filled
    if fallback is None:
        raise FileProblem("empty_file", f"'{file_name}' is empty: it has no rows to import.")
    return fallback


def header_index(grid_head: pl.DataFrame, file_name: str) -> int:
    """Where ``read_table`` finds the header of a one-sheet grid, from its first rows."""
    return _choose_grid([grid_head.head(HEADER_SEARCH_ROWS)], file_name)[1]


def _email_header_index(grid: pl.DataFrame) -> int | None:
    for index, row in enumerate(grid.head(HEADER_SEARCH_ROWS).iter_rows()):
        mapping = detect_columns([cell for cell in row if cell is not None])
        if "email" in mapping.columns or "email" in mapping.ambiguous:
            return index
    return None


def _first_filled_row(grid: pl.DataFrame) -> int | None:
    for index, row in enumerate(grid.head(HEADER_SEARCH_ROWS).iter_rows()):
        if any(cell is not None for cell in row):
            return index
    return None


def _data_below_header(grid: pl.DataFrame, header_index: int,
                       choice: ColumnChoice | None) -> tuple[list[str], pl.DataFrame]:
    header_cells = header_row(grid, header_index)
    below = grid.slice(header_index + 1)  # a view: nothing is copied
    # A column with neither header nor data is an artefact of trailing separators.
    unnamed_with_data = _with_data(below, [column for column, cell
                                           in zip(grid.columns, header_cells, strict=True)
                                           if cell is None])
    kept = table_columns(grid.columns, header_cells, unnamed_with_data.__contains__)
    headers = [header for _, header in kept]
    chosen = set(headers if choice is None else choice(headers))
    carried = [(column, header) for column, header in kept if header in chosen]
    # A row is blank when every kept column is: the carried ones are cleaned (and copied),
    # the others only looked at. One lazy pass cleans, filters and selects, so the grid is
    # copied once, and only in the columns carried: 1 000 columns in 10 MB cost the parser
    # hundreds of MB when every one was.
    elsewhere = [_filled(column) for column, _ in kept if column not in dict(carried)]
    frame = (
        below.lazy()
        .with_row_index(ROW_NUMBER_COLUMN, offset=header_index + 2)
        .select(
            *(_cleaned(pl.col(column)).alias(header) for column, header in carried),
            pl.col(ROW_NUMBER_COLUMN).cast(pl.Int64),
            pl.any_horizontal(pl.lit(False), *elsewhere).alias(_FILLED_ELSEWHERE),
        )
        .filter(pl.any_horizontal(pl.col(_FILLED_ELSEWHERE),
                                  *(pl.col(header).is_not_null() for _, header in carried)))
        .drop(_FILLED_ELSEWHERE)
        .collect()
    )
    return headers, frame


def header_row(grid: pl.DataFrame, header_index: int) -> tuple[str | None, ...]:
    return grid.slice(header_index, 1).with_columns(_CLEANED).row(0)


def rows_below_header(grid: pl.LazyFrame, columns: Sequence[str],
                      header_index: int) -> pl.LazyFrame:
    """Every row below the header, numbered as in the file and cleaned; blank rows dropped.

    One lazy pass, so the grid is copied once rather than once per step."""
    return (
        grid.with_row_index(ROW_NUMBER_COLUMN, offset=1)
        .slice(header_index + 1)
        .with_columns(_CLEANED)
        .filter(pl.any_horizontal(pl.col(column).is_not_null() for column in columns))
    )


def table_columns(columns: Sequence[str], header_cells: Sequence[str | None],
                  has_data: Callable[[str], bool]) -> list[tuple[str, str]]:
    """The grid's columns the table keeps, each with its header.

    A column with neither header nor data is an artefact of trailing separators. Only blank
    rows are dropped below the header, so a column has data there exactly when it has data
    in the file."""
    kept = [
        (column, _header_text(cell, position))
        for position, (column, cell) in enumerate(zip(columns, header_cells, strict=True))
        if cell is not None or has_data(column)
    ]
    headers = unique_headers([header for _, header in kept])
    return [(column, header) for (column, _), header in zip(kept, headers, strict=True)]


def table_selection(columns: Sequence[tuple[str, str]]) -> list[pl.Expr]:
    """The table's columns under their headers, then the row number."""
    return [*(pl.col(column).alias(header) for column, header in columns),
            pl.col(ROW_NUMBER_COLUMN).cast(pl.Int64)]


def _filled(column: str) -> pl.Expr:
    return _cleaned(pl.col(column)).is_not_null().alias(column)


def _with_data(grid: pl.DataFrame, columns: list[str]) -> set[str]:
    if not columns:
        return set()
    filled = grid.select(_filled(column).any() for column in columns).row(0)
    return {column for column, has_data in zip(columns, filled, strict=True) if has_data}


def _header_text(cell: str | None, position: int) -> str:
    return cell if cell is not None else f"Column {position + 1}"


def unique_headers(names: Sequence[str], taken: Iterable[str] = (ROW_NUMBER_COLUMN,)) -> list[str]:
    # The legacy export repeats "Moeda" four times: "Moeda", "Moeda (2)", "Moeda (3)", ...
    seen = set(taken)
    unique: list[str] = []
    for name in names:
        candidate, copy = name, 1
        while candidate in seen:
            copy += 1
            candidate = f"{name} ({copy})"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _preview(headers: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(headers[:limit])
    return shown + (f" and {len(headers) - limit} more" if len(headers) > limit else "")
