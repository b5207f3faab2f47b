"""Rows that read fine but must still change nothing: repeated transactions, skipped clients."""

from collections.abc import Mapping, Sequence

from hotmart_common.events import RowIssue
from hotmart_common.logs import mask_email
from hotmart_common.spreadsheet import RowKey


def screen_keys(keys: Sequence[RowKey], columns: Mapping[str, str],
                existing_clients: set[str]) -> dict[int, RowIssue]:
    """Row number -> why a valid row is skipped, given each valid row's RowKey.

    With the 'skip' policy every row of a buyer who was a client before the import is
    skipped. A transaction code repeated in the file keeps its last row: an export lists a
    purchase again when its status changes, so the later row is the newer truth.
    """
    issues = {
        number: _existing_client(number, email, columns.get("email"))
        for number, email, _ in keys if email in existing_clients
    }
    kept = [key for key in keys if key[0] not in issues] if issues else keys
    last_row = {code: number for number, _, code in kept if code}
    for number, _, code in kept:
        if code and last_row[code] != number:
            issues[number] = _duplicate(number, code, last_row[code],
                                        columns.get("transaction_code"))
    return issues


def _existing_client(number: int, email: str, column: str | None) -> RowIssue:
    return RowIssue(row_number=number, status="skipped", code="existing_client_skipped",
                    column=column,
                    message=f"Row {number}: {mask_email(email)} was already a client and "
                            "this import leaves existing clients as they are", stage="parse")


def _duplicate(number: int, code: str, later: int, column: str | None) -> RowIssue:
    return RowIssue(row_number=number, status="skipped", code="duplicate_transaction",
                    column=column,
                    message=f"Row {number}, column '{column}': transaction "
                            f"{code} appears again in row {later}; row {later} is "
                            "imported", stage="parse")
