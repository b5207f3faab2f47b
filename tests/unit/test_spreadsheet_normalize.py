import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hotmart_common.spreadsheet import (
    canonical_header,
    normalise_currency,
    normalise_email,
    parse_amount,
    parse_datetime,
)
from hotmart_common.spreadsheet.currencies import currency_token_pattern

pytestmark = pytest.mark.unit

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("297.00", "297.00"),
        ("243,04", "243.04"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("R$ 1.234,56", "1234.56"),
        ("R$1.234,56", "1234.56"),
        ("BRL 97", "97"),
        ("97 BRL", "97"),
        ("brl 97", "97"),
        ("US$ 10.00", "10.00"),
        ("€ 10,50", "10.50"),
        ("+97,00", "97.00"),
        ("-0", "0"),
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("  297  ", "297"),
        ("0", "0"),
        ("0,5", "0.5"),
        ("0.123", "0.123"),
        ("0.0000001", "0.0000001"),
        ("1234.567", "1234.567"),
        ("1.000.000.000,00", "1000000000.00"),
    ],
)
def test_parse_amount_accepts_brazilian_and_international_styles(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["-97,00", "R$ -97,00", "-R$ 97,00", "97,00-", "-0,01"])
def test_a_negative_amount_is_rejected_since_refunds_are_told_by_the_status(text: str) -> None:
    with pytest.raises(ValueError, match="negative"):
        parse_amount(text)


@pytest.mark.parametrize(
    "text",
    ["1.000.000.000,01", "1000000000.01", "99999999999999999999999999999999999999,99",
     "R$ 5.000.000.000,00"],
)
def test_an_amount_over_the_maximum_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=r"more than 1,000,000,000\.00"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("1.234", "1234"), ("1,234", "1234"), ("12.345", "12345")]
)
def test_single_separator_before_three_digits_is_a_thousands_separator(
    text: str, expected: str
) -> None:
    # Hotmart amounts have two decimals, so three digits after the mark mean thousands.
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "12,3,4",
        "abc",
        "1.2.3,4,5",
        "",
        "   ",
        "R$",
        "R$ ",
        "12.34.56",
        "1,23.456,7",
        "1.234,56.78",
        "abc1",
        "1abc",
        "12 34",
        "1.234 567",
        "97.",
        ".50",
        "--97",
        "-97-",
        "1e5",
        "NaN",
        "Infinity",
        "12/03/2024",
        "٣٤",
        "1" * 100,
    ],
)
def test_parse_amount_rejects_junk(text: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        parse_amount(text)


def _brazilian(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


AMOUNT_STYLES: dict[str, Callable[[Decimal], str]] = {
    "plain": lambda value: f"{value:.2f}",
    "plain comma": lambda value: f"{value:.2f}".replace(".", ","),
    "brazilian": _brazilian,
    "international": lambda value: f"{value:,.2f}",
    "reais": lambda value: f"R$ {_brazilian(value)}",
    "iso code": lambda value: f"BRL {value:.2f}",
    "dollars": lambda value: f"US$ {value:,.2f}",
    "code after": lambda value: f"{_brazilian(value)} BRL",
}

money = st.decimals(
    min_value=Decimal("0"),
    max_value=Decimal("99999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(value=money, style=st.sampled_from(sorted(AMOUNT_STYLES)))
def test_every_accepted_style_round_trips(value: Decimal, style: str) -> None:
    assert parse_amount(AMOUNT_STYLES[style](value)) == value


@given(st.text(alphabet="0123456789.,- R$BLUabc€", max_size=20))
def test_junk_never_parses_to_a_value_silently(text: str) -> None:
    try:
        value = parse_amount(text)
    except ValueError:
        return
    # Whatever parsed kept every digit of the input, in order, and nothing else.
    input_digits = re.sub(r"[^0-9]", "", text).lstrip("0")
    assert input_digits == re.sub(r"[^0-9]", "", str(abs(value))).lstrip("0")
    assert not re.search(r"[a-zA-Z]", re.sub(f"(?i){currency_token_pattern()}", "", text))


@given(money, st.sampled_from(list("xyz#?!@%&_")), st.data())
def test_a_stray_character_inside_an_amount_is_rejected(
    value: Decimal, junk: str, data: st.DataObject
) -> None:
    text = _brazilian(value)
    position = data.draw(st.integers(min_value=0, max_value=len(text)))
    with pytest.raises(ValueError, match=r".+"):
        parse_amount(text[:position] + junk + text[position:])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/03/2024 14:32:10", datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC)),
        ("15/03/2024 14:32", datetime(2024, 3, 15, 17, 32, tzinfo=UTC)),
        ("15/03/2024", datetime(2024, 3, 15, 3, 0, tzinfo=UTC)),
        ("5/3/2024", datetime(2024, 3, 5, 3, 0, tzinfo=UTC)),
        ("2024-03-15", datetime(2024, 3, 15, 3, 0, tzinfo=UTC)),
        ("2024-03-15T14:32:10", datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC)),
        ("2024-03-15 14:32:10", datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC)),
        ("2024-03-15 14:32:10.500", datetime(2024, 3, 15, 17, 32, 10, 500000, tzinfo=UTC)),
        ("2024-03-15T14:32:10Z", datetime(2024, 3, 15, 14, 32, 10, tzinfo=UTC)),
        ("2024-03-15T14:32:10+01:00", datetime(2024, 3, 15, 13, 32, 10, tzinfo=UTC)),
        ("2024-03-15T14:32:10-0300", datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC)),
        # Brazil still had daylight-saving time in January 2018 (UTC-2).
        ("15/01/2018 12:00:00", datetime(2018, 1, 15, 14, 0, tzinfo=UTC)),
    ],
)
def test_parse_datetime_reads_sao_paulo_time_and_returns_utc(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_parse_datetime_honours_another_zone() -> None:
    assert parse_datetime("15/03/2024 14:32:10", tz="Europe/Lisbon") == datetime(
        2024, 3, 15, 14, 32, 10, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2024",
        "29/02/2023 10:00:00",
        "15/13/2024",
        "15/03/2024 25:00:00",
        "15/03/2024 14:61",
        "2024-02-30",
        "2024-03-15T14:32:10+25:00",
        "15/03/24",
        "15-03/2024",
        "March 15, 2024",
        "yesterday",
        "",
        "45366.5",
        "15/03/0999",
        "15/03/12024 10:00:00",
        "31/12/9999 23:59:59",
        "15/03/2024 14:32:60",
    ],
)
def test_parse_datetime_rejects_impossible_or_unknown_dates(text: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        parse_datetime(text)


def _unambiguous_in_sao_paulo(local: datetime) -> bool:
    return local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset()


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    )
)
def test_sao_paulo_wall_clock_text_round_trips_to_the_same_instant(instant: datetime) -> None:
    instant = instant.replace(microsecond=0)
    local = instant.astimezone(SAO_PAULO)
    # The hour repeated when daylight-saving time ended cannot be told apart in text.
    assume(_unambiguous_in_sao_paulo(local))
    assert parse_datetime(local.strftime("%d/%m/%Y %H:%M:%S")) == instant


fixed_offsets = st.integers(-12 * 60, 14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30), timezones=fixed_offsets
    )
)
def test_iso_text_with_an_offset_is_the_same_instant(moment: datetime) -> None:
    assert parse_datetime(moment.isoformat()) == moment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maria.silva@example.com", "maria.silva@example.com"),
        ("  Maria.Silva@Example.COM \t", "maria.silva@example.com"),
        ("\ufeffjoao+tag@mail.example.com.br\u200b", "joao+tag@mail.example.com.br"),
        ("o'neil@example.io", "o'neil@example.io"),
    ],
)
def test_normalise_email_trims_and_lower_cases(text: str, expected: str) -> None:
    assert normalise_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "maria",
        "maria@",
        "@example.com",
        "maria@example",
        "maria@@example.com",
        "maria@exa@mple.com",
        "maria silva@example.com",
        ".maria@example.com",
        "maria.@example.com",
        "maria@example.com.",
        "maria@.example.com",
        "maria@example..com",
        "ma..ria@example.com",
        "maria@example.c",
        "maria@1.2.3.4",
        "a@b.com; c@d.com",
        "(none)",
    ],
)
def test_normalise_email_rejects_what_is_not_an_address(text: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        normalise_email(text)


local_parts = st.from_regex(r"[a-zA-Z0-9_+-]{1,12}(\.[a-zA-Z0-9_+-]{1,8}){0,2}", fullmatch=True)
domains = st.from_regex(
    r"[a-zA-Z0-9-]{1,12}(\.[a-zA-Z0-9-]{1,8}){0,2}\.[a-zA-Z]{2,6}", fullmatch=True
)
emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)
padding = st.text(alphabet=" \t\u00a0\n", max_size=3)


@given(st.text(max_size=40))
def test_normalise_email_is_idempotent(text: str) -> None:
    try:
        once = normalise_email(text)
    except ValueError:
        return
    assert normalise_email(once) == once


@given(emails, padding, padding, st.data())
def test_case_and_whitespace_variants_normalise_to_one_address(
    email: str, before: str, after: str, data: st.DataObject
) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(email), max_size=len(email)))
    variant = "".join(
        char.upper() if flip else char for char, flip in zip(email, flips, strict=True)
    )
    assert normalise_email(before + variant + after) == normalise_email(email) == email.lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email do(a) Comprador(a)", "emaildocomprador"),
        ("Email do Comprador", "emaildocomprador"),
        ("EMAIL DO (A) COMPRADOR (A)", "emaildocomprador"),
        ("Código da transação", "codigodatransacao"),
        ("buyer_email", "buyeremail"),
        ("Buyer Email", "buyeremail"),
        ("E-mail", "email"),
        ("  Preço Total  ", "precototal"),
        ("Estado / Província", "estadoprovincia"),
        ("Faturamento líquido do(a) Produtor(a)", "faturamentoliquidodoprodutor"),
        ("\ufeffTransação", "transacao"),
        ("Valor (R$)", "valor"),
        ("Preço Total (BRL)", "precototal"),
    ],
)
def test_canonical_header_examples(text: str, expected: str) -> None:
    assert canonical_header(text) == expected


@given(st.text(max_size=40))
def test_canonical_header_is_idempotent(text: str) -> None:
    assert canonical_header(canonical_header(text)) == canonical_header(text)


ACCENTED = {"a": "áàâãä", "e": "éêè", "i": "íî", "o": "óôõ", "u": "úü", "c": "ç", "n": "ñ"}


@given(st.text(alphabet="acdeimnotu ", min_size=1, max_size=30), st.data())
def test_canonical_header_ignores_case_accents_and_underscores(
    text: str, data: st.DataObject
) -> None:
    def disguise(char: str) -> str:
        if char == " ":
            separator: str = data.draw(st.sampled_from([" ", "_", "__", " _ ", "-", "."]))
            return separator
        accented: str = data.draw(st.sampled_from([char, *ACCENTED.get(char, "")]))
        return accented.upper() if data.draw(st.booleans()) else accented

    assert canonical_header("".join(disguise(char) for char in text)) == canonical_header(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("BRL", "BRL"), ("brl", "BRL"), (" usd ", "USD"), ("R$", "BRL"), ("US$", "USD"), ("€", "EUR")],
)
def test_normalise_currency(text: str, expected: str) -> None:
    assert normalise_currency(text) == expected


@pytest.mark.parametrize("text", ["Real", "R", "12", "BR L"])
def test_normalise_currency_rejects_what_is_not_a_code(text: str) -> None:
    with pytest.raises(ValueError, match="currency"):
        normalise_currency(text)
