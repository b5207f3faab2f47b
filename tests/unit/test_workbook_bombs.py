"""Workbooks that inflate, or claim to hold, far more than their bytes: refused or read as
what they hold, quickly and in little memory, whatever their headers say."""

import io
import struct
import time
import tracemalloc
import zipfile

import pytest
import xlsxwriter
import xlwt

from hotmart_common.spreadsheet import FileProblem, read_table
from hotmart_common.spreadsheet.inflation import MAX_INFLATED_BYTES, refuse_zip_bomb
from tests.support.bombs import xlsx_bomb

pytestmark = pytest.mark.unit

LIMIT_MB = MAX_INFLATED_BYTES // (1024 * 1024)
GENEROUS_S = 10.0  # about 0.1 s here; the machine is shared


def _refusal(data: bytes, file_name: str = "vendas.xlsx") -> tuple[FileProblem, float]:
    started = time.monotonic()
    with pytest.raises(FileProblem) as raised:
        read_table(data, file_name)
    return raised.value, time.monotonic() - started


def test_a_bomb_whose_headers_claim_4_kb_is_refused_before_it_is_read() -> None:
    bomb = xlsx_bomb(1200, declared_bytes=4096)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert sum(member.file_size for member in archive.infolist()) < 10_000

    problem, seconds = _refusal(bomb, "bomba.xlsx")

    assert (problem.code, problem.http_status) == ("decompressed_too_large", 422)
    assert "'bomba.xlsx'" in problem.message and f"{LIMIT_MB} MB" in problem.message
    assert seconds < GENEROUS_S


def test_a_bomb_with_honest_headers_is_refused() -> None:
    problem, _ = _refusal(xlsx_bomb(LIMIT_MB + 1))
    assert problem.code == "decompressed_too_large"


def test_the_limit_counts_every_part_together() -> None:
    problem, _ = _refusal(xlsx_bomb(LIMIT_MB // 4, declared_bytes=100, copies=5))
    assert problem.code == "decompressed_too_large"


def test_a_workbook_just_under_the_limit_passes_the_check() -> None:
    refuse_zip_bomb(xlsx_bomb(LIMIT_MB - 1), "vendas.xlsx")


def test_the_check_holds_a_block_at_a_time_not_what_it_inflates() -> None:
    bomb = xlsx_bomb(LIMIT_MB - 1, declared_bytes=4096)
    tracemalloc.start()
    try:
        refuse_zip_bomb(bomb, "vendas.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_an_ordinary_workbook_is_read() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Email", "Valor"])
    for row in range(1, 2001):
        sheet.write_row(row, 0, [f"buyer{row}@example.com", row * 1.5])
    book.close()

    table = read_table(buffer.getvalue(), "vendas.xlsx")

    assert table.headers == ["Email", "Valor"] and table.frame.height == 2000


def test_a_part_compressed_as_excel_never_does_is_corrupt() -> None:
    bomb = bytearray(xlsx_bomb(1))
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):  # the method, in both headers
        offset = bomb.rfind(signature)
        method_at = offset + (8 if signature == b"PK\x03\x04" else 10)
        struct.pack_into("<H", bomb, method_at, 12)  # bzip2

    problem, _ = _refusal(bytes(bomb))

    assert problem.code == "corrupt_file"


def _xls_declaring(record: bytes, value_offset: int, value: bytes) -> bytes:
    """A small XLS whose first ``record`` (id and length bytes) gets ``value`` at
    ``value_offset`` from the record's start."""
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Vendas")
    sheet.write(0, 0, "Email")
    sheet.write(1, 0, "maria@example.com")
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    start = data.index(record)
    data[start + value_offset:start + value_offset + len(value)] = value
    return bytes(data)


@pytest.mark.parametrize(("record", "value_offset", "value"), [
    # the shared strings' counts: two thousand million strings
    (b"\xfc\x00", 4, struct.pack("<LL", 0x7FFFFFFF, 0x7FFFFFFF)),
    # the sheet's dimensions: every row and column BIFF8 has
    (b"\x00\x02\x0e\x00", 4, struct.pack("<LLHH", 0, 65536, 0, 256)),
    # the size of the OLE2 stream that holds the workbook: 4 GB
    ("Workbook".encode("utf-16-le"), 120, struct.pack("<L", 0xFFFFFFF0)),
])
def test_a_legacy_xls_is_read_as_what_it_holds_not_what_it_declares(
        record: bytes, value_offset: int, value: bytes) -> None:
    # XLS is not compressed: a forged count or size cannot inflate anything. These are
    # read in a fraction of a second, in the child's usual 60 MB.
    table = read_table(_xls_declaring(record, value_offset, value), "vendas.xls")
    assert table.headers == ["Email"] and table.frame.height == 1
