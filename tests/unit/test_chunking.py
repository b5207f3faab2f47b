import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotmart_common.events import (
    ROW_TOPIC_ADAPTER,
    ChunkEnded,
    FileRow,
    RowIssue,
    RowParsed,
    event_json,
)
from hotmart_common.hotmart_statuses import STATUS_CODES
from hotmart_common.spreadsheet import NormalisedRow, RowProblem
from hotmart_common.store.keyed import chunk_rows
from parse_service.chunks import Chunk, split_into_chunks

pytestmark = pytest.mark.unit
IMPORT = uuid.UUID("00000000-0000-4000-8000-000000000001")


def row(number: int, email: str) -> NormalisedRow:
    return NormalisedRow(row_number=number, email=email, name=None, phone=None, document=None,
                         product="Curso", amount=Decimal("10.00"), currency="BRL",
                         status="Aprovado", status_code="APPROVED",
                         purchased_at=datetime(2025, 1, 1, tzinfo=UTC), transaction_code=None)


def issues_of(chunks: list[Chunk]) -> list[RowIssue]:
    return [issue for chunk in chunks for issue in chunk.issues]


def skipped(number: int, code: str = "duplicate_transaction") -> RowIssue:
    return RowIssue(row_number=number, status="skipped", code=code, column="Código",
                    message=f"Row {number}", stage="parse")


def test_chunks_keep_their_rows_before_their_marker_under_one_key() -> None:
    results: list[NormalisedRow | RowProblem] = [row(n, f"b{n % 3}@example.com")
                                                 for n in range(2, 9)]
    results[1] = RowProblem(3, "invalid_email", "Email", "Row 3: not an e-mail")
    parsed = split_into_chunks(IMPORT, "default", results, chunk_size=3, file_name="vendas.csv")

    assert (parsed.total_rows, parsed.chunks_total) == (7, 3)
    chunks = list(parsed.chunks)
    assert [i.row_number for i in issues_of(chunks)] == [3] and parsed.issue_count == 1
    assert [[i.row_number for i in c.issues] for c in chunks] == [[3], [], []]
    messages = [(key.decode(), ROW_TOPIC_ADAPTER.validate_json(value))
                for chunk in chunks for key, value in chunk.messages]
    assert [type(m).__name__ for _, m in messages] == (
        ["RowParsed"] * 2 + ["ChunkEnded"] + ["RowParsed"] * 3 + ["ChunkEnded"]
        + ["RowParsed"] + ["ChunkEnded"])
    for key, message in messages:
        assert key == f"{IMPORT}:{message.chunk_no}"
    ends = [m for _, m in messages if isinstance(m, ChunkEnded)]
    assert [e.rows_published for e in ends] == [2, 3, 1]
    assert [e.last for e in ends] == [False, False, True]
    assert (ends[-1].chunks_total, ends[-1].total_rows) == (3, 7)
    assert ends[0].chunks_total is None
    # Each marker gives the row range its chunk's rows lie in, problem rows included.
    assert [(e.first_row_number, e.last_row_number) for e in ends] == [(2, 4), (5, 7), (8, 8)]
    for _, m in messages:
        if isinstance(m, RowParsed):
            end = ends[m.chunk_no]
            assert end.first_row_number is not None and end.last_row_number is not None
            assert end.first_row_number <= m.row_number <= end.last_row_number
            assert (m.source, m.provenance) == ("file", FileRow(file_name="vendas.csv",
                                                                row_number=m.row_number))
            assert (m.status_code, m.fingerprint) == ("APPROVED", "APPROVED|10|BRL")


def test_only_the_first_valid_row_of_a_buyer_is_flagged() -> None:
    results: list[NormalisedRow | RowProblem] = [
        row(2, "a@example.com"), row(3, "b@example.com"), row(4, "a@example.com")]
    parsed = split_into_chunks(IMPORT, "default", results, chunk_size=2, file_name="vendas.csv")
    rows = [m for chunk in parsed.chunks
            for m in (ROW_TOPIC_ADAPTER.validate_json(v) for _, v in chunk.messages)
            if isinstance(m, RowParsed)]
    assert [(r.row_number, r.first_of_buyer) for r in rows] == [(2, True), (3, True), (4, False)]


def test_event_ids_are_stable_across_parses() -> None:
    results: list[NormalisedRow | RowProblem] = [row(2, "a@example.com")]
    first = split_into_chunks(IMPORT, "default", results, chunk_size=300, file_name="vendas.csv")
    again = split_into_chunks(IMPORT, "default", results, chunk_size=300, file_name="vendas.csv")
    assert list(first.chunks) == list(again.chunks)


def test_problems_picked_out_beforehand_give_the_same_import() -> None:
    results: list[NormalisedRow | RowProblem] = [row(n, f"b{n % 3}@example.com")
                                                 for n in range(2, 12)]
    results[1] = RowProblem(3, "invalid_email", "Email", "Row 3: not an e-mail")
    results[6] = RowProblem(8, "invalid_amount", "Valor", "Row 8: not an amount")
    screened = {n: skipped(n) for n in (2, 9)}
    problems = [r for r in results if isinstance(r, RowProblem)]

    walked = split_into_chunks(IMPORT, "default", results, 4, screened, file_name="vendas.csv")
    picked = split_into_chunks(IMPORT, "default", results, 4, screened, file_name="vendas.csv",
                               problems=problems)

    picked_chunks, walked_chunks = list(picked.chunks), list(walked.chunks)
    issues = issues_of(picked_chunks)
    assert [i.row_number for i in issues] == [2, 3, 8, 9]
    assert picked.issue_count == walked.issue_count == 4
    assert (picked.total_rows, picked.chunks_total) == (walked.total_rows, walked.chunks_total)
    assert picked_chunks == walked_chunks


def test_each_chunk_carries_its_own_skipped_rows_in_row_order() -> None:
    results: list[NormalisedRow | RowProblem] = [row(n, f"b{n}@example.com")
                                                 for n in range(2, 12)]
    results[4] = RowProblem(6, "invalid_email", "Email", "Row 6: not an e-mail")
    screened = {n: skipped(n) for n in (3, 5, 11)}
    chunks = list(split_into_chunks(IMPORT, "default", results, 4, screened,
                                    file_name="vendas.csv").chunks)
    assert [[(i.row_number, i.code) for i in c.issues] for c in chunks] == [
        [(3, "duplicate_transaction"), (5, "duplicate_transaction")],
        [(6, "invalid_email")],
        [(11, "duplicate_transaction")]]
    assert [c.rows_published for c in chunks] == [2, 3, 1]


def test_a_marker_without_a_row_range_looks_over_the_whole_import() -> None:
    end = ChunkEnded(event_id=IMPORT, tenant_id="default", import_id=IMPORT, chunk_no=4,
                     rows_published=3, last=False, first_row_number=1202,
                     last_row_number=1501)
    assert chunk_rows(end) == (IMPORT, 1202, 1501, 4)
    older = end.model_copy(update={"first_row_number": None, "last_row_number": None})
    assert chunk_rows(older) == (IMPORT, 0, 2**31 - 1, 4)


optional_text = st.none() | st.text(max_size=12)  # quotes, backslashes, controls, emoji …
normalised_rows = st.builds(
    NormalisedRow, row_number=st.just(0), email=st.text(min_size=1, max_size=12),
    name=optional_text, phone=optional_text, document=optional_text, product=optional_text,
    amount=st.none() | st.decimals(allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(["BRL", "USD", "EUR"]), status=optional_text,
    status_code=st.none() | st.sampled_from(STATUS_CODES),
    purchased_at=st.datetimes(timezones=st.just(UTC)), transaction_code=optional_text)


@given(st.lists(normalised_rows, min_size=1, max_size=6), st.text(min_size=1, max_size=8))
def test_row_events_are_the_models_json_byte_for_byte(rows: list[NormalisedRow],
                                                      tenant: str) -> None:
    numbered: list[NormalisedRow | RowProblem] = [
        r._replace(row_number=n) for n, r in enumerate(rows, start=2)]
    parsed = split_into_chunks(IMPORT, tenant, numbered, chunk_size=4, file_name="vendas.csv")
    for value in (v for chunk in parsed.chunks for _, v in chunk.messages):
        event = ROW_TOPIC_ADAPTER.validate_json(value)
        assert event_json(event) == value  # every field of the model, in its order and form
