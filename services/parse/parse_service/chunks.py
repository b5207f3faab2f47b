"""Turns screened rows into the row topic's messages: row events and chunk markers."""

from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from pydantic_core import to_json

from hotmart_common.events import ChunkEnded, RowIssue, chunk_key, event_json, stable_event_id
from hotmart_common.purchase_identity import fingerprint, purchase_key
from hotmart_common.spreadsheet import NormalisedRow, RowProblem

Result = NormalisedRow | RowProblem


@dataclass(frozen=True)
class Chunk:
    """One chunk's messages (row events, then its marker, under one key) and the rows of
    it that were skipped, which parse reports for the chunk once the messages are out."""

    chunk_no: int
    messages: list[tuple[bytes, bytes]]  # (key, value) per message
    rows_published: int
    issues: list[RowIssue]  # in row order


@dataclass(frozen=True)
class ParsedImport:
    issue_count: int
    total_rows: int
    chunks_total: int
    chunks: Iterator[Chunk]  # built lazily, chunk by chunk


def split_into_chunks(import_id: UUID, tenant_id: str, results: Sequence[Result],
                      chunk_size: int, screened: Mapping[int, RowIssue] | None = None, *,
                      file_name: str,
                      problems: Collection[RowProblem] | None = None) -> ParsedImport:
    """Chunk ``n`` holds data rows ``n*size .. (n+1)*size - 1`` (skipped ones included).

    Each chunk's row events are followed by its marker under the same key, so a consumer
    sees every row of a chunk before the chunk's end. The last marker carries the totals.
    The totals are known at once; the chunks are built lazily, one at a time, so the first
    chunk can be on its way while the rest are still being built. Results may come with
    their ``problems`` already picked out (NormalisedRows does), which spares counting them
    by walking every row first. Every row is a fact of source ``file``, read at its row of
    ``file_name``.
    """
    screened = screened or {}
    if problems is None:
        problem_count = sum(1 for result in results if isinstance(result, RowProblem))
    else:
        problem_count = len(problems)
    chunks_total = max(1, -(-len(results) // chunk_size))
    return ParsedImport(problem_count + len(screened), len(results), chunks_total, _chunks(
        import_id, tenant_id, file_name, results, chunk_size, screened, chunks_total))


def _chunks(import_id: UUID, tenant_id: str, file_name: str, results: Sequence[Result],
            chunk_size: int, screened: Mapping[int, RowIssue], chunks_total: int
            ) -> Iterator[Chunk]:
    keys = _PurchaseKeys()
    seen_buyers: set[str] = set()
    import_text = str(import_id)  # as the event ids and the JSON spell it, once
    for chunk_no, chunk in enumerate(_batched(results, chunk_size)):
        key = chunk_key(import_id, chunk_no)
        messages: list[tuple[bytes, bytes]] = []
        issues: list[RowIssue] = []
        for result in chunk:
            if not isinstance(result, NormalisedRow):
                issues.append(_problem_issue(result))
                continue
            if result.row_number in screened:
                issues.append(screened[result.row_number])
                continue
            first = result.email not in seen_buyers
            seen_buyers.add(result.email)
            messages.append((key, _row_event(import_text, tenant_id, file_name, chunk_no,
                                             result, keys.of(result), first)))
        last = chunk_no == chunks_total - 1
        rows_published = len(messages)
        messages.append((key, event_json(ChunkEnded(
            event_id=stable_event_id(import_id, "chunk", chunk_no),
            tenant_id=tenant_id,
            import_id=import_id,
            chunk_no=chunk_no,
            rows_published=rows_published,
            last=last,
            chunks_total=chunks_total if last else None,
            total_rows=len(results) if last else None,
            first_row_number=chunk[0].row_number if chunk else None,
            last_row_number=chunk[-1].row_number if chunk else None,
        ))))
        yield Chunk(chunk_no, messages, rows_published, issues)


def _problem_issue(problem: RowProblem) -> RowIssue:
    return RowIssue(row_number=problem.row_number, status="skipped", code=problem.code,
                    column=problem.column, message=problem.message, stage="parse")


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
