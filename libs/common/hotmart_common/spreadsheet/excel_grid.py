import zipfile

import polars as pl

from hotmart_common.spreadsheet.excel_cells import load_sheets
from hotmart_common.spreadsheet.guarded import ReaderFailed, run_guarded
from hotmart_common.spreadsheet.inflation import refuse_zip_bomb
from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.table import FileFormat
from hotmart_common.spreadsheet.text_columns import TextSheet, lend_sheet
from hotmart_common.spreadsheet.width import check_width


def read_excel_grids(
    data: bytes, file_name: str, file_format: FileFormat
) -> list[pl.DataFrame]:
    if file_format == "xlsx":
        try:
            refuse_zip_bomb(data, file_name)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise _unreadable(file_name, file_format) from error
    try:
        sheets: list[TextSheet] = run_guarded(load_sheets, data)
    except ReaderFailed as error:
        raise _unreadable(file_name, file_format) from error
    for sheet in sheets:  # before polars makes a column of each
        check_width(len(sheet.columns), file_name)
    return [_grid(sheet) for sheet in sheets]


def _grid(sheet: TextSheet) -> pl.DataFrame:
    # Polars reads the cells where the child's answer put them, without a copy.
    names = [f"column_{position}" for position in range(len(sheet.columns))]
    grid: pl.DataFrame = lend_sheet(sheet, names, pl.DataFrame)
    return grid


def _unreadable(file_name: str, file_format: FileFormat) -> FileProblem:
    return FileProblem(
        "corrupt_file",
        f"'{file_name}' looks like an {file_format.upper()} workbook but could not be read; "
        "it may be damaged, password-protected or incomplete. "
        "Open it in Excel and save it again, or export it from Hotmart again.",
    )
