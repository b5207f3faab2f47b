import re

# Currencies Hotmart sells in (and a few neighbours). Only these may prefix or suffix an
# amount, so that "abc1" is rejected instead of read as 1.
KNOWN_CURRENCY_CODES = frozenset(
    {
        "ARS", "AUD", "BOB", "BRL", "CAD", "CHF", "CLP", "COP", "CRC", "DOP", "EUR", "GBP",
        "GTQ", "HNL", "JPY", "MXN", "NIO", "PAB", "PEN", "PYG", "USD", "UYU", "VES",
    }
)  # fmt: skip

CURRENCY_SYMBOLS = {
    "R$": "BRL",
    "US$": "USD",
    "U$": "USD",
    "$": "USD",
    "MX$": "MXN",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "S/": "PEN",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
}

_ISO_CODE = re.compile(r"[A-Z]{3}")


def currency_token_pattern() -> str:
    tokens = sorted([*KNOWN_CURRENCY_CODES, *CURRENCY_SYMBOLS], key=len, reverse=True)
    return "(?:" + "|".join(re.escape(token) for token in tokens) + ")"


def normalise_currency(text: str) -> str:
    candidate = text.strip().upper()
    code = CURRENCY_SYMBOLS.get(candidate, candidate)
    if not _ISO_CODE.fullmatch(code):
        raise ValueError("not a currency code")
    return code
