"""The shared status vocabulary: every door's words for a status -> Hotmart's code."""

import pytest

from hotmart_common.hotmart_statuses import (
    _TEXTS,
    STATUS_CODES,
    STATUS_WHEN_MISSING,
    is_status_code,
    status_code,
)
from hotmart_common.spreadsheet.text import fold

pytestmark = pytest.mark.unit


def test_the_codes_are_the_apis_transaction_status_enum() -> None:
    assert set(STATUS_CODES) == {
        "APPROVED", "BLOCKED", "CANCELLED", "CHARGEBACK", "COMPLETE", "EXPIRED", "NO_FUNDS",
        "OVERDUE", "PARTIALLY_REFUNDED", "PRE_ORDER", "PRINTED_BILLET",
        "PROCESSING_TRANSACTION", "PROTESTED", "REFUNDED", "STARTED", "UNDER_ANALISYS",
        "WAITING_PAYMENT",
    }  # fmt: skip
    assert STATUS_WHEN_MISSING == "WAITING_PAYMENT"
    assert is_status_code("APPROVED") and not is_status_code("Aprovado")


def test_each_code_names_itself() -> None:
    assert all(status_code(code) == code for code in STATUS_CODES)


def test_no_text_stands_for_two_codes() -> None:
    owner: dict[str, str] = {}
    for code in STATUS_CODES:
        for text in (code, *_TEXTS[code]):
            assert owner.setdefault(fold(text), code) == code, text


@pytest.mark.parametrize(("text", "code"), [
    # Hotmart's export (Portuguese), as documented
    ("Aprovado", "APPROVED"), ("Completo", "COMPLETE"), ("Cancelado", "CANCELLED"),
    ("Reembolsado", "REFUNDED"), ("Aguardando pagamento", "WAITING_PAYMENT"),
    ("Expirado", "EXPIRED"), ("Recusado", "NO_FUNDS"), ("Em processamento",
                                                         "PROCESSING_TRANSACTION"),
    ("Bloqueado", "BLOCKED"), ("Atrasado", "OVERDUE"), ("Chargeback", "CHARGEBACK"),
    ("Em disputa", "PROTESTED"), ("Boleto impresso", "PRINTED_BILLET"),
    ("Protestado", "PROTESTED"), ("Parcialmente reembolsado", "PARTIALLY_REFUNDED"),
    ("Pré-venda", "PRE_ORDER"), ("Em análise", "UNDER_ANALISYS"), ("Iniciada", "STARTED"),
    # the webhook's spellings, English and Spanish dashboards
    ("CANCELED", "CANCELLED"), ("DISPUTE", "PROTESTED"), ("partially-refunded",
                                                          "PARTIALLY_REFUNDED"),
    ("Aprobado", "APPROVED"), ("Pendiente", "WAITING_PAYMENT"), ("rechazada", "NO_FUNDS"),
    ("under analysis", "UNDER_ANALISYS"), ("APROVADO", "APPROVED"), ("aprovada", "APPROVED"),
])
def test_a_known_text_stands_for_its_code(text: str, code: str) -> None:
    assert status_code(text) == code


@pytest.mark.parametrize("text", [None, "", "   ", "something new", "En proceso", "Pago"])
def test_an_unknown_or_blank_text_has_no_code(text: str | None) -> None:
    assert status_code(text) is None
