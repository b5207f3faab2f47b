import polars as pl

from hotmart_common.spreadsheet.caching import ParseCache
from hotmart_common.spreadsheet.normalize import MAX_EMAIL_LENGTH, normalise_email

# Nearly every address in an export is plain ASCII, already trimmed: polars lower-cases
# those about ten times faster than Python. The pattern admits only what normalise_email
# accepts and returns lower-cased (no spaces or invisible characters to trim, dot-separated
# labels, a top-level domain of two letters or more); every other text goes through
# normalise_email, which stays the rule.
_PLAIN_EMAIL = (r"^[A-Za-z0-9_%+'-]+(?:\.[A-Za-z0-9_%+'-]+)*"
                r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def normalise_email_column(texts: pl.Series) -> list[str | ValueError | None]:
    """``normalise_email`` of each cell (its ValueError where it refuses one); None stays
    None."""
    plain = texts.str.contains(_PLAIN_EMAIL) & (texts.str.len_bytes() <= MAX_EMAIL_LENGTH)
    lowered = pl.select(pl.when(plain).then(texts.str.to_lowercase())).to_series()
    slow = ParseCache(normalise_email)
    return [
        email if email is not None else None if text is None else slow[text]
        for text, email in zip(texts.to_list(), lowered.to_list(), strict=True)
    ]
