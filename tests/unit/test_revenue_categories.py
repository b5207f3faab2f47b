"""Revenue's rule, status code -> active / lost / pending, and with the shared vocabulary
(text -> code) the outcome of every status text the exports and the corpus use."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotmart_common.hotmart_statuses import STATUS_CODES, status_code
from revenue_service.categories import ACTIVE, LOST, category

pytestmark = pytest.mark.unit


def category_of_text(text: str | None) -> str:
    return category(status_code(text))


def test_every_code_has_a_category_and_an_unknown_status_is_pending() -> None:
    assert {code: category(code) for code in STATUS_CODES} == {
        code: "active" if code in ACTIVE else "lost" if code in LOST else "pending"
        for code in STATUS_CODES}
    assert {"APPROVED", "COMPLETE"} == ACTIVE
    assert category(None) == "pending"


@pytest.mark.parametrize(
    "text",
    [
        "approved", "Aprovado", "aprovada", "APPROVED", "COMPLETE", "complete", "Completed",
        "Completo", "completa", "aprobado", "Completado",
    ],
)  # fmt: skip
def test_paid_statuses_are_active(text: str) -> None:
    assert category_of_text(text) == "active"


@pytest.mark.parametrize(
    "text",
    [
        "cancelled", "canceled", "CANCELLED", "Cancelado", "cancelada", "refunded", "Reembolsado",
        "reembolsada", "partially refunded", "Parcialmente reembolsado", "PARTIALLY_REFUNDED",
        "partially-refunded", "chargeback", "CHARGEBACK", "expired", "Expirado", "expirada",
        "overdue", "delayed", "Atrasado", "atrasada", "refused", "Recusado", "recusada",
        "rechazado", "NO_FUNDS", "no funds", "blocked", "Bloqueado", "BLOCKED", "vencido",
    ],
)  # fmt: skip
def test_failed_and_reversed_statuses_are_lost(text: str) -> None:
    assert category_of_text(text) == "lost"


@pytest.mark.parametrize(
    "text",
    [
        "waiting payment", "WAITING_PAYMENT", "Aguardando pagamento", "printed billet",
        "PRINTED_BILLET", "Boleto impresso", "processing", "Em processamento",
        "PROCESSING_TRANSACTION", "under analysis", "UNDER_ANALISYS", "Em análise", "started",
        "STARTED", "Iniciada", "dispute", "Em disputa", "Disputa", "protested", "PROTESTED",
        "Protestado", "pre-order", "PRE_ORDER", "Pré-venda", "pending", "something new", "",
        None,
    ],
)  # fmt: skip
def test_everything_else_is_pending(text: str | None) -> None:
    assert category_of_text(text) == "pending"


@given(st.sampled_from(["Aprovado", "Reembolsado", "Aguardando pagamento"]), st.data())
def test_status_ignores_case_accents_and_separators(status: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(status), max_size=len(status)))
    variant = "".join(
        char.upper() if flip else char for char, flip in zip(status, flips, strict=True)
    )
    variant = variant.replace(" ", data.draw(st.sampled_from([" ", "_", "-", "  "])))
    assert category_of_text(variant) == category_of_text(status)
