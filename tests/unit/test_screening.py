import pytest

from hotmart_common.spreadsheet import RowKey
from parse_service.screening import screen_keys

pytestmark = pytest.mark.unit
COLUMNS = {"email": "Email", "transaction_code": "Transação"}


def row(number: int, email: str, code: str | None) -> RowKey:
    return (number, email, code)


def test_a_repeated_transaction_keeps_its_last_row() -> None:
    rows = [row(2, "a@example.com", "HP1"), row(3, "b@example.com", "HP2"),
            row(4, "a@example.com", "HP1"), row(5, "c@example.com", None),
            row(6, "a@example.com", "HP1")]
    issues = screen_keys(rows, COLUMNS, existing_clients=set())
    assert {n: i.code for n, i in issues.items()} == {2: "duplicate_transaction",
                                                      4: "duplicate_transaction"}
    assert issues[2].column == "Transação"
    assert "row 6" in issues[2].message


def test_skip_policy_skips_every_row_of_an_existing_client_first() -> None:
    rows = [row(2, "old@example.com", "HP1"), row(3, "new@example.com", "HP2"),
            row(4, "old@example.com", "HP1")]
    issues = screen_keys(rows, COLUMNS, existing_clients={"old@example.com"})
    assert {n: i.code for n, i in issues.items()} == {2: "existing_client_skipped",
                                                      4: "existing_client_skipped"}
    assert "old@example.com" not in issues[2].message  # e-mails stay masked
