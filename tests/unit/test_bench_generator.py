"""The bench's synthetic exports: reproducible, the size asked for, within the upload limit."""

import pytest

from bench.exports import csv_bytes, first_sales, sales_within
from bench.plan import UPLOAD_LIMIT_BYTES

pytestmark = pytest.mark.unit


def test_same_seed_gives_the_same_file() -> None:
    assert csv_bytes(first_sales(500, seed=7, tag="t001")) == csv_bytes(
        first_sales(500, seed=7, tag="t001"))


def test_another_seed_gives_another_file() -> None:
    assert csv_bytes(first_sales(500, seed=7, tag="t001")) != csv_bytes(
        first_sales(500, seed=8, tag="t001"))


@pytest.mark.parametrize("rows", [1, 1000])
def test_requested_number_of_rows(rows: int) -> None:
    lines = csv_bytes(first_sales(rows, seed=3, tag="t001")).decode("utf-8-sig").splitlines()
    assert len(lines) == rows + 1  # the header, then one line per sale


def test_another_tag_changes_buyers_and_purchases_not_size() -> None:
    first = first_sales(300, seed=5, tag="aaaa")
    second = first_sales(300, seed=5, tag="bbbb")
    assert not {s.buyer.email for s in first} & {s.buyer.email for s in second}
    # The 10 MB CSV and its XLSX share a seed: a shared code would make the second a
    # re-import of the first's purchases, which records no milestone and moves no revenue.
    assert not {s.code for s in first} & {s.code for s in second}
    assert len(csv_bytes(first)) == len(csv_bytes(second))


def test_transaction_codes_are_shaped_as_hotmart_writes_them() -> None:
    codes = [s.code for s in first_sales(1000, seed=5, tag="r003")]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 15 and code.startswith("HP") and code[2:].isdigit()
               for code in codes)


def test_ten_megabyte_target_fills_the_upload_limit_without_passing_it() -> None:
    size = len(csv_bytes(sales_within(UPLOAD_LIMIT_BYTES, seed=11, tag="t001")))
    assert UPLOAD_LIMIT_BYTES * 0.95 <= size <= UPLOAD_LIMIT_BYTES
