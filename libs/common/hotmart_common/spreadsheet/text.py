import re
import unicodedata
from functools import lru_cache

# "Email do(a) Comprador(a)" and "Email do Comprador" name the same column.
_GENDER_MARKER = re.compile(r"\(\s*(?:a|as|o|os)\s*\)")
_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")
# "Valor (R$)" and "Preço Total (BRL)" name the amount columns, not something else.
_CURRENCY_MARKER = re.compile(r"\(\s*(?:r\$|us\$|\$|brl|usd)\s*\)", re.IGNORECASE)


@lru_cache(maxsize=4096)  # statuses and headers repeat: each distinct text is folded once
def fold(text: str) -> str:
    without_accents = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    lowered = unicodedata.normalize("NFKD", without_accents.casefold())
    return _NOT_ASCII_ALNUM.sub("", _GENDER_MARKER.sub("", lowered))


def canonical_header(text: str) -> str:
    return fold(_CURRENCY_MARKER.sub("", text))


_WORD = re.compile(r"[a-z0-9]+")
# "E-mail", "e mail" and "E_mail" are one word, as canonical_header() makes them.
_SPLIT_EMAIL = re.compile(r"\be[\s_\-]+mail")


@lru_cache(maxsize=4096)
def header_words(text: str) -> tuple[str, ...]:
    """The words of a header, folded as canonical_header() folds it (case, accents,
    punctuation, "(a)", a currency marker), in order: "Email do(a) Comprador(a)" ->
    ("email", "do", "comprador")."""
    without_accents = "".join(
        char for char in unicodedata.normalize("NFKD", _CURRENCY_MARKER.sub("", text))
        if not unicodedata.combining(char)
    )
    lowered = unicodedata.normalize("NFKD", without_accents.casefold())
    return tuple(_WORD.findall(_SPLIT_EMAIL.sub("email", _GENDER_MARKER.sub(" ", lowered))))


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mask_email(text: str) -> str:
    local, at, domain = text.partition("@")
    return f"{local[:2]}***{at}{domain}"
