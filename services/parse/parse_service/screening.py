"""Rows that read fine but must still change nothing: repeated transactions, skipped clients."""

from collections.abc import Mapping, Sequence

from hotmart_common.logs import mask_email
from hotmart_common.spreadsheet import NormalisedRow
from hotmart_common.store.imports import RowIssue


def screen_rows(rows: Sequence[NormalisedRow], columns: Mapping[str, str],
                existing_clients: set[str]) -> dict[int, RowIssue]:
    """Row number -> why a valid row is skipped.

    With the 'skip' policy every row of a buyer who was a client before the import is
    skipped. A transaction code repeated in the file keeps its last row: an export lists a
    purchase again when its status changes, so the later row is the newer truth.
    """
    issues = {
        row.row_number: _existing_client(row, columns.get("email"))
        for row in rows if row.email in existing_clients
    }
    kept = [row for row in rows if row.row_number not in issues]
    last_row = {row.transaction_code: row.row_number for row in kept if row.transaction_code}
    for row in kept:
        if row.transaction_code and last_row[row.transaction_code] != row.row_number:
            issues[row.row_number] = _duplicate(row, last_row[row.transaction_code],
                                                columns.get("transaction_code"))
    return issues


def _existing_client(row: NormalisedRow, column: str | None) -> RowIssue:
    return RowIssue(row.row_number, "skipped", "existing_client_skipped", column,
                    f"Row {row.row_number}: {mask_email(row.email)} was already a client and "
                    "this import leaves existing clients as they are", "parse")


def _duplicate(row: NormalisedRow, later: int, column: str | None) -> RowIssue:
    return RowIssue(row.row_number, "skipped", "duplicate_transaction", column,
                    f"Row {row.row_number}, column '{column}': transaction "
                    f"{row.transaction_code} appears again in row {later}; row {later} is "
                    "imported", "parse")
