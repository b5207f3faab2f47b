from pathlib import Path

import pytest

from hotmart_common.spreadsheet import ROW_NUMBER_COLUMN, read_table
from hotmart_common.spreadsheet.table_rows import LoadedRows, ScannedCsvRows

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
CSV_FILES = sorted([*(ROOT / "tests/fixtures/corpus").glob("*.csv"),
                    *(ROOT / "samples").glob("*.csv")])


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda path: path.name)
def test_a_scanned_csv_has_the_headers_and_cells_read_table_reads(path: Path) -> None:
    data = path.read_bytes()
    table = read_table(data, path.name)
    expected = {row[-1]: row[:-1] for row in table.frame.iter_rows()}
    numbers = table.frame.get_column(ROW_NUMBER_COLUMN).to_list()
    scanned = ScannedCsvRows(data, path.name)
    assert scanned.headers == table.headers
    assert scanned.cells(numbers) == expected
    some = numbers[len(numbers) // 3: len(numbers) // 2 + 1]
    assert scanned.cells(some) == {number: expected[number] for number in some}
    assert LoadedRows(table).cells(some) == scanned.cells(some)


def test_rows_that_are_not_rows_of_the_table_have_no_cells() -> None:
    data = "Título\n\nNome;Email;\nAna;ana@example.com;\n\nBia;;\n".encode()
    scanned = ScannedCsvRows(data, "vendas.csv")
    assert scanned.headers == ["Nome", "Email"]  # the trailing separator's column is dropped
    assert scanned.cells([1, 3, 4, 5, 6, 99]) == {4: ("Ana", "ana@example.com"),
                                                  6: ("Bia", None)}
    assert scanned.cells([]) == {}


def test_an_unnamed_column_with_data_is_kept_and_a_quoted_line_break_counts_once() -> None:
    data = b'Nome;Email;\n"Ana\nMaria";ana@example.com;x;y\nBia;bia@example.com\n'
    table = read_table(data, "vendas.csv")
    scanned = ScannedCsvRows(data, "vendas.csv")
    assert scanned.headers == table.headers == ["Nome", "Email", "Column 3", "Column 4"]
    assert scanned.cells([2, 3]) == {2: ("Ana\nMaria", "ana@example.com", "x", "y"),
                                     3: ("Bia", "bia@example.com", None, None)}
