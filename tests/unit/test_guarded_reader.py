import io
import os
import sys
import time

import pytest
import xlsxwriter

from hotmart_common.spreadsheet.guarded import ReaderFailed, run_guarded

pytestmark = pytest.mark.unit


class NativePanic(BaseException):
    """What the native reader raises when it aborts (not an Exception)."""


def greedy(data: bytes) -> bytes:
    hoard = []
    while True:
        hoard.append(bytearray(16 * 1024 * 1024))
        time.sleep(0.005)


def panics(data: bytes) -> bytes:
    raise NativePanic("slice index starts at 8192 but ends at 8019")


def echoes(data: bytes) -> bytes:
    return data[::-1]


def test_the_answer_comes_back_from_the_child() -> None:
    assert run_guarded(echoes, b"abc") == b"cba"


def test_a_reader_that_eats_memory_is_stopped() -> None:
    with pytest.raises(ReaderFailed, match="more than 200 MB"):
        run_guarded(greedy, b"", memory_limit=200 * 1024**2)


def test_a_panic_in_the_reader_is_a_failure_not_a_crash() -> None:
    with pytest.raises(ReaderFailed, match="NativePanic: slice index"):
        run_guarded(panics, b"")


def dies_at_once(data: bytes) -> bytes:
    os._exit(3)


def test_a_reader_that_dies_before_it_is_watched_is_a_failure() -> None:
    for _ in range(5):  # the child often ends before the parent starts watching it
        with pytest.raises(ReaderFailed):
            run_guarded(dies_at_once, b"")


def reads_a_workbook(data: bytes) -> tuple[int, bool]:
    from hotmart_common.spreadsheet.excel_cells import load_sheets

    (sheet,) = load_sheets(data)
    return sheet.height, "polars" in sys.modules


def test_the_excel_reader_child_does_without_polars() -> None:
    # polars would cost every read about a second and 40 MB before the first cell.
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet().write_column(0, 0, ["Email", "a@example.com"])
    book.close()
    assert run_guarded(reads_a_workbook, buffer.getvalue()) == (2, False)
