"""Journey's milestone rules: which milestone a purchase row makes."""

import pytest

from journey_service.milestones import Status, milestone_kind, same_status

pytestmark = pytest.mark.unit

APPROVED_FILE = Status("Aprovado", "APPROVED")
APPROVED_API = Status("APPROVED", "APPROVED")
REFUNDED = Status("Reembolsado", "REFUNDED")


def test_a_purchase_seen_first_is_a_purchase_and_one_seen_unchanged_is_nothing() -> None:
    assert milestone_kind("new", None, APPROVED_FILE) == "purchase"
    assert milestone_kind("unchanged", APPROVED_FILE, APPROVED_FILE) is None


def test_a_known_purchase_whose_status_moved_is_a_status_change() -> None:
    assert milestone_kind("changed", APPROVED_FILE, REFUNDED) == "status_change"


def test_a_known_purchase_changed_in_its_amount_only_is_a_purchase_change() -> None:
    assert milestone_kind("changed", APPROVED_FILE, APPROVED_API) == "purchase_changed"


def test_statuses_compare_by_code_when_known_else_by_folded_text() -> None:
    assert same_status(APPROVED_FILE, APPROVED_API)
    assert same_status(Status("Em Revisão", None), Status("em revisao", None))
    assert not same_status(Status("Em Revisão", None), Status("Outra", None))
    assert not same_status(Status("Aprovado", None), APPROVED_API)  # a code is a new fact
    assert not same_status(Status(None, "WAITING_PAYMENT"), APPROVED_FILE)
