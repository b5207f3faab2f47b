import gc
import io
import pickle
from datetime import datetime

import fastexcel
import polars as pl
import pytest
import xlsxwriter

from hotmart_common.spreadsheet import text_columns
from hotmart_common.spreadsheet.text_columns import TextSheet, copy_sheet, lend_sheet

pytestmark = pytest.mark.unit

ROWS: list[list[object]] = [
    ["Email", "Nome", "Valor", "Data", "Nota"],
    ["maria@example.com", "Maria Silva", 243.04, datetime(2024, 3, 15, 14, 32, 10), None],
    [None, "", 0, None, "ç" * 300],
    ["joão@example.com", "João 🎉", -1.5, datetime(1999, 12, 31), "(none)"],
]


def _workbook(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Vendas")
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(number, column, value,
                                     book.add_format({"num_format": "dd/mm/yyyy hh:mm"}))
            elif value is not None:
                sheet.write(number, column, value)
    book.close()
    return buffer.getvalue()


def _sheet(data: bytes, *, as_text: bool = True) -> fastexcel.ExcelSheet:
    return fastexcel.read_excel(data).load_sheet(0, header_row=None, skip_rows=0,
                                                 dtypes="string" if as_text else None)


def _lent(sheet: TextSheet) -> pl.DataFrame:
    names = [f"__UNNAMED__{position}" for position in range(len(sheet.columns))]
    frame: pl.DataFrame = lend_sheet(sheet, names, pl.DataFrame)
    return frame


def test_a_sheet_crosses_a_pickle_unchanged() -> None:
    data = _workbook(ROWS)
    expected = _sheet(data).to_polars()

    copied = pickle.loads(pickle.dumps(copy_sheet(_sheet(data)
                                                  .__arrow_c_array__())))

    assert _lent(copied).equals(expected)
    assert expected.null_count().row(0) != (0,) * expected.width  # blanks were in the test


def test_lent_buffers_are_kept_until_polars_drops_them() -> None:
    sheet = copy_sheet(_sheet(_workbook(ROWS)).__arrow_c_array__())
    frame = _lent(sheet)
    head = frame.head(2)
    del frame
    gc.collect()
    assert text_columns._LENT  # the head still reads them
    assert head.get_column("__UNNAMED__0").to_list() == ["Email", "maria@example.com"]
    del head
    gc.collect()
    assert not text_columns._LENT


def test_an_offer_not_taken_is_released() -> None:
    sheet = copy_sheet(_sheet(_workbook(ROWS)).__arrow_c_array__())
    lend_sheet(sheet, ["a", "b", "c", "d", "e"], lambda lent: lent.__arrow_c_array__())
    gc.collect()
    assert not text_columns._LENT


def test_an_empty_sheet() -> None:
    sheet = copy_sheet(_sheet(_workbook([])).__arrow_c_array__())
    assert _lent(sheet).shape == _sheet(_workbook([])).to_polars().shape


def test_only_text_cells_are_copied() -> None:
    numbers = _sheet(_workbook([[1.5, 2.5], [3.5, 4.5]]), as_text=False)
    with pytest.raises(ValueError, match="text cells"):
        copy_sheet(numbers.__arrow_c_array__())
