"""Turns screened rows into the row topic's messages: row events and chunk markers."""

import heapq
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Final, TypeVar
from uuid import UUID

from pydantic_core import to_json

from hotmart_common.events import ChunkEnded, chunk_key, event_json, stable_event_id
from hotmart_common.purchase_identity import fingerprint, purchase_key
from hotmart_common.spreadsheet import NormalisedRow, RowProblem
from hotmart_common.store.imports import RowIssue

Result = NormalisedRow | RowProblem
Item = TypeVar("Item")
# Issues are built and stored this many at a time: a file of a million rejected rows then
# holds a batch of them in memory, not a million issues and one statement carrying them all.
ISSUES_AT_A_TIME: Final = 10_000


@dataclass(frozen=True)
class ParsedImport:
    issue_count: int
    issues: Iterator[list[RowIssue]]  # in row order, ISSUES_AT_A_TIME at a time
    total_rows: int
    chunks_total: int
    chunks: Iterator[list[tuple[bytes, bytes]]]  # (key, value) per message, chunk by chunk


def split_into_chunks(import_id: UUID, tenant_id: str, results: Sequence[Result],
                      chunk_size: int, screened: Mapping[int, RowIssue] | None = None, *,
                      file_name: str,
                      problems: Collection[RowProblem] | None = None) -> ParsedImport:
    """Chunk ``n`` holds data rows ``n*size .. (n+1)*size - 1`` (skipped ones included).

    Each chunk's row events are followed by its marker under the same key, so a consumer
    sees every row of a chunk before the chunk's end. The last marker carries the totals.
    The totals are known at once; the issues and the messages are built lazily, a batch or
    a chunk at a time, so the first chunk can be on its way while the rest are still being
    built. Results in row-number order may come with their ``problems`` already picked out:
    a lazy sequence (NormalisedRows) then builds each row once, for its chunk, and each
    problem once, for its batch of issues. Every row is a fact of source ``file``, read at
    its row of ``file_name``.
    """
    screened = screened or {}
    issues: Iterable[RowIssue]
    if problems is None:
        walked = [issue for result in results if (issue := _issue(result, screened)) is not None]
        issue_count, issues = len(walked), walked
    else:
        issue_count = len(problems) + len(screened)  # screening sees only usable rows
        issues = heapq.merge(map(_problem_issue, problems),
                             sorted(screened.values(), key=_row_number), key=_row_number)
    chunks_total = max(1, -(-len(results) // chunk_size))
    return ParsedImport(issue_count, _in_batches(issues, ISSUES_AT_A_TIME), len(results),
                        chunks_total, _messages(
        import_id, tenant_id, file_name, results, chunk_size, screened, chunks_total))


def _messages(import_id: UUID, tenant_id: str, file_name: str, results: Sequence[Result],
              chunk_size: int, screened: Mapping[int, RowIssue], chunks_total: int
              ) -> Iterator[list[tuple[bytes, bytes]]]:
    keys = _PurchaseKeys()
    seen_buyers: set[str] = set()
    import_text = str(import_id)  # as the event ids and the JSON spell it, once
    for chunk_no, chunk in enumerate(_batched(results, chunk_size)):
        key = chunk_key(import_id, chunk_no)
        messages: list[tuple[bytes, bytes]] = []
        for result in chunk:
            if not isinstance(result, NormalisedRow) or result.row_number in screened:
                continue
            first = result.email not in seen_buyers
            seen_buyers.add(result.email)
            messages.append((key, _row_event(import_text, tenant_id, file_name, chunk_no,
                                             result, keys.of(result), first)))
        last = chunk_no == chunks_total - 1
        messages.append((key, event_json(ChunkEnded(
            event_id=stable_event_id(import_id, "chunk", chunk_no),
            tenant_id=tenant_id,
            import_id=import_id,
            chunk_no=chunk_no,
            rows_published=len(messages),
            last=last,
            chunks_total=chunks_total if last else None,
            total_rows=len(results) if last else None,
            first_row_number=chunk[0].row_number if chunk else None,
            last_row_number=chunk[-1].row_number if chunk else None,
        ))))
        yield messages


def _issue(result: Result, screened: Mapping[int, RowIssue]) -> RowIssue | None:
    if isinstance(result, RowProblem):
        return _problem_issue(result)
    return screened.get(result.row_number)


def _row_number(issue: RowIssue) -> int:
    return issue.row_number


def _in_batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    remaining = iter(items)
    while batch := list(islice(remaining, size)):
        yield batch


def _problem_issue(problem: RowProblem) -> RowIssue:
    return RowIssue(problem.row_number, "skipped", problem.code, problem.column,
                    problem.message, "parse")


class _PurchaseKeys:
    """Rows without a transaction code are told apart by content and repeat count."""

    def __init__(self) -> None:
        self.occurrences: Counter[tuple[object, ...]] = Counter()

    def of(self, row: NormalisedRow) -> str:
        content = (row.email, row.purchased_at, row.product, row.amount, row.currency)
        occurrence = 0
        if not row.transaction_code:
            self.occurrences[content] += 1
            occurrence = self.occurrences[content]
        return purchase_key(row.transaction_code, email=row.email,
                            purchased_at=row.purchased_at, product=row.product,
                            amount=row.amount, currency=row.currency, occurrence=occurrence)


def _row_event(import_id: str, tenant_id: str, file_name: str, chunk_no: int,
               row: NormalisedRow, key: str, first_of_buyer: bool) -> bytes:
    """``event_json(RowParsed(...))``, byte for byte, without building and validating a
    model per row: the normaliser's rows are typed already. The dict follows the model's
    field order; tests/unit/test_chunking.py holds the two to the same bytes."""
    return to_json({
        "event_id": stable_event_id(import_id, "row", row.row_number),
        "schema_version": 1,
        "tenant_id": tenant_id,
        "import_id": import_id,
        "kind": "row",
        "chunk_no": chunk_no,
        "row_number": row.row_number,
        "source": "file",
        "provenance": {"kind": "file", "file_name": file_name, "row_number": row.row_number},
        "email": row.email,
        "name": row.name,
        "phone": row.phone,
        "document": row.document,
        "product": row.product,
        "amount": row.amount,
        "currency": row.currency,
        "status": row.status,
        "status_code": row.status_code,
        "purchased_at": row.purchased_at,
        "transaction_code": row.transaction_code,
        "purchase_key": key,
        "fingerprint": fingerprint(row.status_code, row.status, row.amount, row.currency),
        "first_of_buyer": first_of_buyer,
    })


def _batched(items: Sequence[Result], size: int) -> Iterator[Sequence[Result]]:
    if not items:
        yield []
    for start in range(0, len(items), size):
        yield items[start:start + size]
