import asyncio
import csv
import io
from collections.abc import AsyncIterator, Sequence
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotmart_common.csv_out import BOM, Cell, CsvEncoder, attachment, csv_stream, neutralised

pytestmark = pytest.mark.unit


def csv_chunks(header: Sequence[str], batches: list[list[list[Cell]]]) -> list[bytes]:
    async def produced() -> AsyncIterator[list[list[Cell]]]:
        for rows in batches:
            yield rows

    async def streamed() -> list[bytes]:
        return [chunk async for chunk in csv_stream(header, produced())]

    return asyncio.run(streamed())


def read_back(chunks: list[bytes]) -> list[list[str]]:
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith(BOM) and not text[1:].count(BOM), "one BOM, leading"
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://evil.example","clique")', "+cmd|' /C calc'!A0",
     "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=1+1",
     "-10,00"],
)
def test_a_cell_a_spreadsheet_would_run_starts_with_a_quote(cell: str) -> None:
    assert neutralised(cell) == "'" + cell
    _, row = read_back(list(csv_chunks(["a", "b"], [[[cell, 1]]])))
    assert row == ["'" + cell, "1"]


@pytest.mark.parametrize("cell", ["maria@example.com", "Ana", "297,00", " =1+1", "", "'=1", "a=b"])
def test_other_cells_are_written_as_they_are(cell: str) -> None:
    assert neutralised(cell) == cell


def test_the_header_is_neutralised_too() -> None:
    header, = read_back(list(csv_chunks(["row_number", "=cmd"], [])))
    assert header == ["row_number", "'=cmd"]


def test_separators_quotes_and_line_breaks_are_quoted() -> None:
    cells = ['a;b', 'say "hi"', "two\nlines", "cr\r\nlf", None, 7]
    _, row = read_back(list(csv_chunks([str(n) for n in range(6)], [[cells]])))
    assert row == ['a;b', 'say "hi"', "two\nlines", "cr\r\nlf", "", "7"]


def test_rows_come_a_batch_per_chunk_with_the_bom_once() -> None:
    chunks = list(csv_chunks(["x"], [[["1"], ["2"]], [], [["3"]]]))
    assert len(chunks) == 4
    assert chunks[0] == f"{BOM}x\r\n".encode()
    assert chunks[1:] == [b"1\r\n2\r\n", b"", b"3\r\n"]
    encoder = CsvEncoder()
    assert encoder.encode([["a"]]).startswith(BOM.encode())
    assert not encoder.encode([["b"]]).startswith(BOM.encode())


@given(st.lists(st.lists(st.one_of(st.none(), st.text()), min_size=2, max_size=2), max_size=20))
def test_every_cell_reads_back_and_none_starts_as_a_formula(rows: list[list[Cell]]) -> None:
    text = b"".join(csv_chunks(["a", "b"], [rows])).decode("utf-8")[1:]
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]
    assert back == [[neutralised(cell) or "" for cell in row] for row in rows]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in back
                   for cell in row)


@pytest.mark.parametrize(
    ("name", "fallback"),
    [("vendas.csv", "vendas.csv"), ("relatório-ção.csv", "relat_rio-__o.csv"),
     ("продажи 日本.csv", "_______ __.csv"), ('a"b\\c.csv', "a_b_c.csv")],
)
def test_the_download_name_is_latin_1_safe_and_exact_in_filename_star(name: str,
                                                                     fallback: str) -> None:
    header = attachment(name)
    header.encode("latin-1")  # what an HTTP header must be
    assert header.startswith(f'attachment; filename="{fallback}"; filename*=UTF-8\'\'')
    assert unquote(header.split("UTF-8''", 1)[1]) == name
    assert " " not in header.split("UTF-8''", 1)[1]
