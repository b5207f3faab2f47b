"""Hotmart's transaction statuses: the one vocabulary every door shares (a contract).

A file, a webhook and an API page each name a purchase's status in their own words: the
export writes Portuguese (``Aprovado``), a Spanish or English dashboard its own language,
the REST API its ``transaction_status`` enum (``CANCELLED``) and the webhook a spelling of
its own (``CANCELED``, ``DISPUTE``). A row carries the text as the source wrote it and the
canonical code it stands for: the API's enum, or None when the text is not a known status.
What a status *means* (active, lost, pending revenue; a journey milestone) is decided by
the service that owns that rule, from the code.

Texts are compared after ``fold()``: case, accents, spaces, "_" and "-" do not matter.
"""

from typing import Final, Literal, get_args

from .spreadsheet.text import fold

StatusCode = Literal[
    "APPROVED", "BLOCKED", "CANCELLED", "CHARGEBACK", "COMPLETE", "EXPIRED", "NO_FUNDS",
    "OVERDUE", "PARTIALLY_REFUNDED", "PRE_ORDER", "PRINTED_BILLET", "PROCESSING_TRANSACTION",
    "PROTESTED", "REFUNDED", "STARTED", "UNDER_ANALISYS", "WAITING_PAYMENT",
]  # fmt: skip
STATUS_CODES: Final[tuple[StatusCode, ...]] = get_args(StatusCode)

# What a purchase is recorded as when its source says nothing of its status (a file
# without a status column), unless the producer chooses otherwise.
STATUS_WHEN_MISSING: Final[StatusCode] = "WAITING_PAYMENT"

# Each code's texts besides the code itself (which every code also answers to).
_TEXTS: Final[dict[StatusCode, tuple[str, ...]]] = {
    "APPROVED": ("aprovado", "aprovada", "aprobado", "aprobada"),
    "COMPLETE": ("completed", "completo", "completa", "completado", "completada"),
    "CANCELLED": ("canceled", "cancelado", "cancelada"),
    "REFUNDED": ("reembolsado", "reembolsada"),
    "PARTIALLY_REFUNDED": ("partially refunded", "parcialmente reembolsado",
                           "parcialmente reembolsada"),
    "CHARGEBACK": (),
    "EXPIRED": ("expirado", "expirada", "vencido", "vencida"),
    "OVERDUE": ("delayed", "atrasado", "atrasada"),
    # Hotmart's export says "Recusado" for a card the bank refused (no funds and the like).
    "NO_FUNDS": ("no funds", "refused", "recusado", "recusada", "rechazado", "rechazada"),
    "BLOCKED": ("bloqueado", "bloqueada"),
    "WAITING_PAYMENT": ("waiting payment", "aguardando pagamento", "esperando pago",
                        "pending", "pendente", "pendiente"),
    "PRINTED_BILLET": ("printed billet", "billet printed", "boleto impresso", "boleto gerado"),
    "PROCESSING_TRANSACTION": ("processing", "processing transaction", "em processamento",
                               "procesando"),
    "UNDER_ANALISYS": ("under analysis", "under analisys", "em analise", "en analisis"),
    "STARTED": ("started", "iniciada", "iniciado"),
    # The webhook's DISPUTE is the API's PROTESTED.
    "PROTESTED": ("protested", "protestado", "protestada", "dispute", "disputa", "em disputa",
                  "en disputa"),
    "PRE_ORDER": ("pre order", "pre venda", "preventa"),
}

_BY_TEXT: Final[dict[str, StatusCode]] = {
    fold(text): code for code in STATUS_CODES for text in (code, *_TEXTS[code])
}


def status_code(text: str | None) -> StatusCode | None:
    """The canonical code of a status text; None when blank or not a known status."""
    if text is None:
        return None
    return _BY_TEXT.get(fold(text))


def is_status_code(value: str) -> bool:
    return value in STATUS_CODES
