import re
from typing import Literal

from hotmart_common.spreadsheet.amounts import parse_amount
from hotmart_common.spreadsheet.currencies import normalise_currency
from hotmart_common.spreadsheet.dates import parse_datetime
from hotmart_common.spreadsheet.text import canonical_header, fold

__all__ = [
    "StatusCategory",
    "canonical_header",
    "is_known_status",
    "normalise_currency",
    "normalise_email",
    "parse_amount",
    "parse_datetime",
    "status_category",
]

StatusCategory = Literal["active", "lost", "pending"]
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit for a path

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_LABEL = r"[^\s@.]+"
_EMAIL = re.compile(rf"{_LABEL}(?:\.{_LABEL})*@{_LABEL}(?:\.{_LABEL})*\.(?P<tld>{_LABEL})")


def normalise_email(text: str) -> str:
    email = text.strip().strip(_INVISIBLE).strip().lower()
    if not email:
        raise ValueError("missing")
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValueError(f"longer than {MAX_EMAIL_LENGTH} characters")
    match = _EMAIL.fullmatch(email)
    if match is None or len(match["tld"]) < 2 or match["tld"].isdigit():
        raise ValueError("not an e-mail address")
    return email


# Hotmart speaks three vocabularies: export text (Portuguese), API enums (CANCELLED,
# PARTIALLY_REFUNDED) and webhook statuses (CANCELED); Spanish and English dashboards too.
# Keys are compared after fold(), so case, accents, spaces, "_" and "-" do not matter.
_ACTIVE_STATUSES = (
    "approved", "aprovado", "aprovada", "aprobado", "aprobada",
    "complete", "completed", "completo", "completa", "completado", "completada",
)  # fmt: skip
_LOST_STATUSES = (
    "cancelled", "canceled", "cancelado", "cancelada",
    "refunded", "reembolsado", "reembolsada",
    "partially refunded", "parcialmente reembolsado", "parcialmente reembolsada",
    "chargeback", "expired", "expirado", "expirada", "vencido", "vencida",
    "overdue", "delayed", "atrasado", "atrasada",
    "refused", "recusado", "recusada", "rechazado", "rechazada",
    "no funds", "blocked", "bloqueado", "bloqueada",
)  # fmt: skip
# Known statuses that are neither won nor lost yet; anything outside the three lists is
# "unknown" (still pending), which the preview warns about.
_PENDING_STATUSES = (
    "waiting payment", "aguardando pagamento", "esperando pago", "pending", "pendente",
    "pendiente", "printed billet", "billet printed", "boleto impresso", "boleto gerado",
    "processing", "processing transaction", "em processamento", "procesando",
    "under analysis", "under analisys", "em analise", "en analisis",
    "started", "iniciada", "iniciado", "dispute", "disputa", "em disputa", "en disputa",
    "protested", "protestado", "protestada", "pre order", "pre venda", "preventa",
)  # fmt: skip
_STATUS_CATEGORIES: dict[str, StatusCategory] = {
    **{fold(status): "active" for status in _ACTIVE_STATUSES},
    **{fold(status): "lost" for status in _LOST_STATUSES},
}


_KNOWN_STATUSES = frozenset(_STATUS_CATEGORIES) | {fold(status) for status in _PENDING_STATUSES}


def is_known_status(text: str) -> bool:
    return fold(text) in _KNOWN_STATUSES


def status_category(text: str | None) -> StatusCategory:
    # Waiting payment, printed billet, disputes, pre-orders and unknown words stay pending:
    # a sale we cannot classify must not count as won or lost.
    if text is None:
        return "pending"
    return _STATUS_CATEGORIES.get(fold(text), "pending")
