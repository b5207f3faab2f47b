"""The cells of a workbook, read in the guarded child process.

Only fastexcel and ctypes are imported here: the child is a fresh interpreter, and
polars would cost it about a second and 40 MB before it reads a single cell.
"""

import fastexcel

from hotmart_common.spreadsheet.text_columns import TextSheet, copy_sheet


def load_sheets(data: bytes) -> list[TextSheet]:
    """Every sheet of the workbook, every cell as text."""
    workbook = fastexcel.read_excel(data)
    del data  # the reader keeps its own copy
    return [_sheet(workbook, index) for index in range(len(workbook.sheet_names))]


def _sheet(workbook: fastexcel.ExcelReader, index: int) -> TextSheet:
    # No header row and no skipped rows, so grid row i is spreadsheet row i + 1 even when
    # the sheet starts with blank or title rows. Forcing strings makes calamine render dates
    # as ISO text ("2024-03-15 14:32:10") and numbers as their shortest decimal ("243.04").
    sheet = workbook.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
    exported = sheet.__arrow_c_array__()
    del sheet  # the export owns its buffers: calamine's cells can go before they are copied
    return copy_sheet(exported)
