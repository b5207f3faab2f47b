"""Cell rules of an export: e-mail addresses, amounts, currencies, dates.

A status text's meaning is no cell rule: its canonical code is the shared vocabulary's
(``hotmart_common.hotmart_statuses``), and what a code counts as belongs to the services
that own those rules (revenue's categories, journey's milestones).
"""

import re

from hotmart_common.spreadsheet.amounts import parse_amount
from hotmart_common.spreadsheet.currencies import normalise_currency
from hotmart_common.spreadsheet.dates import parse_datetime
from hotmart_common.spreadsheet.text import canonical_header

__all__ = [
    "canonical_header",
    "normalise_currency",
    "normalise_email",
    "parse_amount",
    "parse_datetime",
]

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
