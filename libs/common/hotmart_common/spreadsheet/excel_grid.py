import io
import zipfile
from typing import Final

import fastexcel
import polars as pl

from hotmart_common.spreadsheet.guarded import ReaderFailed, run_guarded
from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.table import FileFormat

MAX_DECOMPRESSED_BYTES: Final = 200 * 1024 * 1024


def read_excel_grids(
    data: bytes, file_name: str, file_format: FileFormat
) -> list[pl.DataFrame]:
    if file_format == "xlsx":
        _refuse_zip_bomb(data, file_name)
    try:
        grids: list[pl.DataFrame] = run_guarded(load_grids, data)
    except ReaderFailed as error:
        raise _unreadable(file_name, file_format) from error
    return grids


def load_grids(data: bytes) -> list[pl.DataFrame]:
    """Every sheet of the workbook (runs in the guarded child process)."""
    workbook = fastexcel.read_excel(data)
    return [_sheet_grid(workbook, index) for index in range(len(workbook.sheet_names))]


def _sheet_grid(workbook: fastexcel.ExcelReader, index: int) -> pl.DataFrame:
    # No header row and no skipped rows, so grid row i is spreadsheet row i + 1 even when
    # the sheet starts with blank or title rows. Forcing strings makes calamine render dates
    # as ISO text ("2024-03-15 14:32:10") and numbers as their shortest decimal ("243.04").
    sheet = workbook.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
    grid = sheet.to_polars()
    return grid.rename({name: f"column_{position}" for position, name in enumerate(grid.columns)})


def _refuse_zip_bomb(data: bytes, file_name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable(file_name, "xlsx") from error
    if declared > MAX_DECOMPRESSED_BYTES:
        raise FileProblem(
            "decompressed_too_large",
            f"'{file_name}' unpacks to {declared // (1024 * 1024)} MB, more than the "
            f"{MAX_DECOMPRESSED_BYTES // (1024 * 1024)} MB a sales export can reach; it was "
            "not opened. Export only the sales you need, or save it as CSV.",
        )


def _unreadable(file_name: str, file_format: FileFormat) -> FileProblem:
    return FileProblem(
        "corrupt_file",
        f"'{file_name}' looks like an {file_format.upper()} workbook but could not be read; "
        "it may be damaged, password-protected or incomplete. "
        "Open it in Excel and save it again, or export it from Hotmart again.",
    )
