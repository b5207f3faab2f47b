"""A column of e-mail cells normalises exactly as normalise_email does, cell by cell."""

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hotmart_common.spreadsheet.email_column import normalise_email_column
from hotmart_common.spreadsheet.normalize import normalise_email

pytestmark = pytest.mark.unit

label = st.text("abcXYZ019_%+'-", min_size=1, max_size=5)
dotted = st.lists(label, min_size=1, max_size=3).map(".".join) | st.text("ab.-", max_size=5)
address_like = st.builds(
    lambda before, local, domain, tld, after: f"{before}{local}@{domain}.{tld}{after}",
    st.sampled_from(["", " ", "\t", "\u200b", "\x1c"]), dotted, dotted,
    st.sampled_from(["com", "BR", "c", "12", "c1", "1", "-", ""]),
    st.sampled_from(["", " ", "\ufeff", "\u00a0"]))
cells = st.none() | address_like | st.text(max_size=20) | st.emails()


def one_by_one(cell: str | None) -> str | type[ValueError] | None:
    if cell is None:
        return None
    try:
        return normalise_email(cell)
    except ValueError:
        return ValueError


@given(st.lists(cells, max_size=12))
@example([" a@b.com", "a@b.12", "a.@b.com", "a@b..com", "A@B.C", "\x1ca@b.com", "a@b.com\u00a0",
          "@b.com", "a@.com", "a b@c.com", "a..b@c.com"])
def test_the_column_gives_what_normalise_email_gives(column: list[str | None]) -> None:
    got = normalise_email_column(pl.Series("email", column, dtype=pl.String))
    assert [type(e) if isinstance(e, ValueError) else e for e in got] == list(
        map(one_by_one, column))


def test_plain_addresses_are_lower_cased_and_the_rest_keep_their_reasons() -> None:
    column = pl.Series("email", ["Maria.Silva@Example.COM", " joão@exemplo.com.br ", "",
                                 "a@b.c", None, "x" * 250 + "@b.com"])
    got = normalise_email_column(column)
    assert got[:2] == ["maria.silva@example.com", "joão@exemplo.com.br"]
    assert [str(e) for e in got[2:4]] == ["missing", "not an e-mail address"]
    assert got[4] is None
    assert str(got[5]) == "longer than 254 characters"
