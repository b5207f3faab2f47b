import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from hotmart_common.spreadsheet import (
    ROW_NUMBER_COLUMN,
    Field,
    FileProblem,
    NormalisedRow,
    RowProblem,
    Table,
    detect_columns,
    normalise_rows,
    normalise_table,
    parse_datetime,
    read_table,
)
from hotmart_common.spreadsheet import rows as rows_module

pytestmark = pytest.mark.unit

DEFAULT_DATE = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)

DETAILED_SAMPLE = (
    "\ufeffCódigo da transação;Status da transação;Data da transação;Produto;Moeda de compra;"
    "Valor de compra com impostos;Valor de compra sem impostos;Comprador(a);"
    "Email do(a) Comprador(a);Telefone;Documento\r\n"
    "HP0000000000001;Aprovado;15/03/2024 14:32:10;Curso Exemplo;BRL;297.00;250.00;Maria Silva;"
    "Maria.Silva@Example.com ;11999990000;00000000000\r\n"
    "HP0000000000003;Reembolsado;02/04/2024 09:05:00;Curso Exemplo;BRL;243,04;200,00;"
    "João Souza;joao.souza@example.com;21988880000;11111111111\r\n"
    "HP0000000000004;Aguardando pagamento;(none);(none);(none);(none);(none);Ana;"
    "ana@example.com;(none);(none)\r\n"
)


def _normalise(
    text: str,
    *,
    mapping: dict[Field, str] | None = None,
    default_currency: str = "BRL",
) -> list[NormalisedRow | RowProblem]:
    table = read_table(text.encode("utf-8"), "vendas.csv")
    sources = detect_columns(table.headers).sources() if mapping is None else mapping
    return list(
        normalise_rows(
            table, sources, default_purchased_at=DEFAULT_DATE, default_currency=default_currency
        )
    )


def _rows(
    text: str, *, mapping: dict[Field, str] | None = None, default_currency: str = "BRL"
) -> list[NormalisedRow]:
    results = _normalise(text, mapping=mapping, default_currency=default_currency)
    assert all(isinstance(result, NormalisedRow) for result in results), results
    return [result for result in results if isinstance(result, NormalisedRow)]


def _single_problem(text: str) -> RowProblem:
    (result,) = _normalise(text)
    assert isinstance(result, RowProblem), result
    return result


def test_detailed_export_rows() -> None:
    maria, joao, ana = _rows(DETAILED_SAMPLE)

    assert maria == NormalisedRow(
        row_number=2,
        email="maria.silva@example.com",
        name="Maria Silva",
        phone="11999990000",
        document="00000000000",
        product="Curso Exemplo",
        amount=Decimal("297.00"),
        currency="BRL",
        status="Aprovado",
        status_code="APPROVED",
        purchased_at=datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC),
        transaction_code="HP0000000000001",
    )
    assert (joao.amount, joao.status_code) == (Decimal("243.04"), "REFUNDED")
    assert (ana.amount, ana.currency, ana.purchased_at) == (Decimal("0"), "BRL", DEFAULT_DATE)
    assert (ana.status_code, ana.phone, ana.product) == ("WAITING_PAYMENT", None, None)


def test_legacy_export_rows_use_total_price_and_the_first_currency() -> None:
    text = (
        "Nome do Produto;Nome do Produtor;Transação;Moeda;Preço do Produto;Moeda;Preço da Oferta;"
        "Data de Venda;Status;Nome;Documento;Email;Preço Total;"
        "Quantidade de itensOferta de Upgrade\n"
        "Curso;Produtora;HP9;USD;10.00;BRL;50,00;20/09/2025 06:42:57;Completo;Ana;123;"
        "ana@example.com;97,00;1\n"
    )

    (row,) = _rows(text)

    assert (row.product, row.name, row.transaction_code) == ("Curso", "Ana", "HP9")
    assert (row.amount, row.currency, row.status_code) == (Decimal("97.00"), "USD", "COMPLETE")
    assert row.purchased_at == datetime(2025, 9, 20, 9, 42, 57, tzinfo=UTC)


def test_one_result_per_data_row_in_order_with_spreadsheet_numbering() -> None:
    text = "Email;Valor\na@example.com;1\n\nnot-an-email;2\n\n\nb@example.com;3\n"

    results = _normalise(text)

    assert [(type(result).__name__, result.row_number) for result in results] == [
        ("NormalisedRow", 2),
        ("RowProblem", 4),
        ("NormalisedRow", 7),
    ]


def test_missing_email() -> None:
    problem = _single_problem("Nome;Email;Valor\nMaria;;10\n")
    assert problem == RowProblem(4 - 2, "missing_email", "Email", problem.message)
    assert problem.message == "Row 2, column 'Email': the e-mail is missing"


def test_invalid_email_message_masks_the_address() -> None:
    problem = _single_problem("Email do(a) Comprador(a);Valor\nmaria.silva@example;10\n")

    assert (problem.code, problem.column) == ("invalid_email", "Email do(a) Comprador(a)")
    assert "maria.silva" not in problem.message
    assert problem.message == (
        "Row 2, column 'Email do(a) Comprador(a)': 'ma***@example' is not a valid e-mail address"
    )


def test_invalid_amount_message_names_row_column_and_value() -> None:
    text = (
        "Email;Valor de compra com impostos\n" + "a@example.com;1\n" * 5 + "b@example.com;12,3,4\n"
    )

    problem = next(result for result in _normalise(text) if isinstance(result, RowProblem))

    assert (problem.row_number, problem.code) == (7, "invalid_amount")
    assert problem.column == "Valor de compra com impostos"
    assert problem.message.startswith(
        "Row 7, column 'Valor de compra com impostos': '12,3,4' is not an amount"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [("-243,04", "negative"), ("1.000.000.000,01", "more than 1,000,000,000.00"),
     ("99999999999999999999999999999999999999,99", "more than 1,000,000,000.00")],
)
def test_a_negative_or_oversized_amount_is_an_invalid_amount(text: str, reason: str) -> None:
    problem = _single_problem(f"Email;Status;Valor\na@example.com;Reembolsado;{text}\n")
    assert (problem.code, problem.column) == ("invalid_amount", "Valor")
    assert reason in problem.message


def test_invalid_date() -> None:
    problem = _single_problem("Email;Data da transação\na@example.com;31/02/2024 10:00:00\n")
    assert (problem.code, problem.column) == ("invalid_date", "Data da transação")
    assert problem.message.startswith(
        "Row 2, column 'Data da transação': '31/02/2024 10:00:00' is not a date"
    )


def test_email_is_checked_first() -> None:
    problem = _single_problem("Email;Valor;Data\nnope;abc;31/02/2024\n")
    assert problem.code == "invalid_email"


def test_amount_is_checked_before_date() -> None:
    assert (
        _single_problem("Email;Valor;Data\na@example.com;abc;31/02/2024\n").code == "invalid_amount"
    )


def test_blank_amount_is_zero_and_blank_date_is_the_default() -> None:
    (row,) = _rows("Email;Valor;Data\na@example.com;;\n")
    assert (row.amount, row.purchased_at) == (Decimal("0"), DEFAULT_DATE)


def test_without_amount_or_date_columns_defaults_apply() -> None:
    (row,) = _rows("Email\na@example.com\n")
    assert (row.purchased_at, row.currency) == (DEFAULT_DATE, "BRL")


def test_without_an_amount_column_no_amount_is_known_and_a_blank_cell_is_zero() -> None:
    (row,) = _rows("Email\na@example.com\n")
    assert row.amount is None  # never an invented 0
    blank, given = _rows("Email;Valor\na@example.com;\nb@example.com;10,00\n")
    assert (blank.amount, given.amount) == (Decimal("0"), Decimal("10.00"))


def test_default_purchased_at_is_returned_in_utc() -> None:
    table = read_table(b"Email\na@example.com\n", "v.csv")
    brasilia = timezone(timedelta(hours=-3))
    (row,) = normalise_rows(
        table, {"email": "Email"}, default_purchased_at=datetime(2024, 1, 1, 9, 0, tzinfo=brasilia)
    )
    assert isinstance(row, NormalisedRow)
    assert row.purchased_at == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert row.purchased_at.utcoffset() == timedelta(0)


def test_naive_default_purchased_at_is_refused() -> None:
    table = read_table(b"Email\na@example.com\n", "v.csv")
    with pytest.raises(ValueError, match="timezone-aware"):
        list(normalise_rows(table, {"email": "Email"}, default_purchased_at=datetime(2024, 1, 1)))


def test_currency_comes_from_its_column_else_the_default() -> None:
    text = "Email;Moeda\na@example.com;usd\nb@example.com;\nc@example.com;R$\nd@example.com;Reais\n"
    rows = _rows(text, default_currency="eur")
    assert [row.currency for row in rows] == ["USD", "EUR", "BRL", "EUR"]


def test_without_a_status_column_every_row_gets_the_status_chosen_at_confirm() -> None:
    assert [(row.status, row.status_code) for row in _rows("Email\na@example.com\n")] == [
        (None, "WAITING_PAYMENT")]
    table = read_table(b"Email\na@example.com\n", "v.csv")
    (row,) = normalise_rows(table, {"email": "Email"}, default_purchased_at=DEFAULT_DATE,
                            status_when_missing="APPROVED")
    assert isinstance(row, NormalisedRow) and (row.status, row.status_code) == (None, "APPROVED")


def test_a_blank_or_unknown_status_in_a_status_column_has_no_code() -> None:
    rows = _rows("Email;Status\na@example.com;\nb@example.com;APPROVED\nc@example.com;CHARGEBACK\n"
                 "d@example.com;Pago\n")
    assert [(row.status, row.status_code) for row in rows] == [
        (None, None),
        ("APPROVED", "APPROVED"),
        ("CHARGEBACK", "CHARGEBACK"),
        ("Pago", None),
    ]


def test_a_user_override_mapping_is_followed() -> None:
    (maria, *_) = _rows(
        DETAILED_SAMPLE,
        mapping={"email": "Email do(a) Comprador(a)", "amount": "Valor de compra sem impostos"},
    )
    assert (maria.amount, maria.name, maria.status_code) == (Decimal("250.00"), None,
                                                             "WAITING_PAYMENT")


def test_a_mapping_naming_a_missing_column_is_refused() -> None:
    table = read_table(b"Email\na@example.com\n", "v.csv")
    with pytest.raises(ValueError, match="Valor"):
        normalise_rows(
            table, {"email": "Email", "amount": "Valor"}, default_purchased_at=DEFAULT_DATE
        )


def test_a_mapping_without_email_is_a_file_problem() -> None:
    table = read_table(b"Email;Nome\na@example.com;A\n", "v.csv")
    with pytest.raises(FileProblem) as raised:
        normalise_rows(table, {"name": "Nome"}, default_purchased_at=DEFAULT_DATE)
    assert raised.value.code == "no_email_column"


def test_xlsx_date_and_number_cells_normalise() -> None:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Email", "Data da transação", "Valor de compra com impostos"])
    sheet.write(1, 0, "a@example.com")
    sheet.write_datetime(
        1,
        1,
        datetime(2024, 3, 15, 14, 32, 10),
        workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
    )
    sheet.write(1, 2, 243.04)
    workbook.close()
    table = read_table(buffer.getvalue(), "vendas.xlsx")

    (row,) = normalise_rows(
        table, detect_columns(table.headers).sources(), default_purchased_at=DEFAULT_DATE
    )

    assert isinstance(row, NormalisedRow)
    assert (row.amount, row.purchased_at) == (
        Decimal("243.04"),
        datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC),
    )


def _date_table(texts: list[str]) -> Table:
    frame = pl.DataFrame(
        {
            "Email": ["a@example.com"] * len(texts),
            "Data": texts,
            ROW_NUMBER_COLUMN: list(range(2, len(texts) + 2)),
        },
        schema={"Email": pl.String, "Data": pl.String, ROW_NUMBER_COLUMN: pl.Int64},
    )
    return Table("v.csv", "csv", ["Email", "Data"], frame)


# Brazil observed daylight-saving time until 2019, so this range holds skipped and repeated hours.
wall_clock_times = st.datetimes(min_value=datetime(2008, 1, 1), max_value=datetime(2020, 12, 31))
date_layouts = st.sampled_from(
    ["%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"]
)


@settings(max_examples=50)
@given(st.lists(st.tuples(wall_clock_times, date_layouts), min_size=1, max_size=30))
def test_rows_read_dates_exactly_as_parse_datetime(moments: list[tuple[datetime, str]]) -> None:
    texts = [moment.strftime(layout) for moment, layout in moments]

    results = normalise_rows(
        _date_table(texts),
        {"email": "Email", "purchased_at": "Data"},
        default_purchased_at=DEFAULT_DATE,
    )

    assert [row.purchased_at for row in results if isinstance(row, NormalisedRow)] == [
        parse_datetime(text) for text in texts
    ]


@pytest.mark.parametrize(
    "texts",
    [
        # 2018-11-04 00:30 never happened in São Paulo; 2019-02-16 23:30 happened twice.
        ["04/11/2018 00:30:00", "16/02/2019 23:30:00", "2019-02-16 23:30:00"],
        [
            "15/03/2024 14:32:60",
            "15/03/12024 10:00:00",
            "31/12/9999 23:59:59",
            "15/3/2024 14:32:10",
        ],
        ["2024-03-15 24:00:00", "31/02/2024 10:00:00", "2024-03-15 14:32:10.5", "15/03/2024"],
    ],
)
def test_edge_dates_are_read_exactly_as_parse_datetime(texts: list[str]) -> None:
    results = normalise_rows(
        _date_table(texts),
        {"email": "Email", "purchased_at": "Data"},
        default_purchased_at=DEFAULT_DATE,
    )
    assert [_date_or_reason(result) for result in results] == [
        _parsed_or_reason(text) for text in texts
    ]


def _date_or_reason(result: NormalisedRow | RowProblem) -> datetime | str:
    if isinstance(result, NormalisedRow):
        return result.purchased_at
    return result.message.split(": ", 1)[1]


def _parsed_or_reason(text: str) -> datetime | str:
    try:
        return parse_datetime(text)
    except ValueError as error:
        return f"'{text}' is not a date ({error})"


def _large_table(rows: int) -> Table:
    index = pl.int_range(0, rows, dtype=pl.Int64)
    text = index.cast(pl.String)
    frame = pl.select(
        pl.format("HP{}", text.str.zfill(13)).alias("Código da transação"),
        pl.lit(pl.Series(["Aprovado", "Reembolsado", "Aguardando pagamento", "Completo"]))
        .gather(index % 4)
        .alias("Status da transação"),
        pl.format(
            "{}/{}/2024 {}:{}:{}",
            *(((index % modulus) + offset).cast(pl.String).str.zfill(2)
              for modulus, offset in ((28, 1), (12, 1), (24, 0), (60, 0), (59, 0))),
        ).alias("Data da transação"),
        pl.format("Curso {}", (index % 50).cast(pl.String)).alias("Produto"),
        pl.lit("BRL").alias("Moeda de compra"),
        pl.lit(pl.Series(["297.00", "47,00", "1.234,56", "97"]))
        .gather(index % 4)
        .alias("Valor de compra com impostos"),
        pl.format("Comprador {}", text).alias("Comprador(a)"),
        pl.format("Comprador.{}@Example.com", text).alias("Email do(a) Comprador(a)"),
        pl.format("119{}", text.str.zfill(8)).alias("Telefone"),
        text.str.zfill(11).alias("Documento"),
        (index + 2).alias(ROW_NUMBER_COLUMN),
    )  # fmt: skip
    return Table("vendas.csv", "csv", frame.columns[:-1], frame)


def test_a_large_export_normalises_every_row_in_order() -> None:
    table = _large_table(100_000)
    sources = detect_columns(table.headers).sources()
    results = list(normalise_rows(table, sources, default_purchased_at=DEFAULT_DATE))
    assert len(results) == 100_000
    assert all(isinstance(result, NormalisedRow) for result in results)
    assert [r.row_number for r in results[:3]] == [2, 3, 4]
    assert results[-1].row_number == 100_001


def test_a_cell_too_long_for_any_real_value_is_a_row_problem() -> None:
    product = "Curso " + "x" * 1_500_000
    problem = _single_problem(f"Nome;Email;Produto;Valor\nMaria;m@example.com;{product};10\n")
    assert (problem.code, problem.column) == ("value_too_long", "Produto")
    assert "1,500,006 characters" in problem.message


def test_an_email_longer_than_any_address_is_invalid() -> None:
    problem = _single_problem(f"Nome;Email;Valor\nMaria;{'m' * 300}@example.com;10\n")
    assert problem.code == "invalid_email"
    assert "m" * 10 not in problem.message  # masked, and short


MIXED_SAMPLE = DETAILED_SAMPLE + (
    "HP0000000000005;Aprovado;15/03/2024 14:32:10;Curso;BRL;10,00;;Bia;bia@;;\r\n"
    "HP0000000000001;Aprovado;15/03/2024 14:32:10;Curso;BRL;abc;;Caio;caio@example.com;;\r\n"
    "HP0000000000006;Aprovado;31/02/2024 10:00:00;Curso;BRL;1,00;;Duda;duda@example.com;;\r\n"
    "HP0000000000001;Aprovado;15/03/2024 14:32:10;Curso;BRL;1,00;;Eva;Maria.Silva@Example.com;;\r\n"
)


def test_a_slice_of_normalised_rows_is_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows_module, "_ROWS_AT_A_TIME", 3)  # iteration crosses slices
    table = read_table(MIXED_SAMPLE.encode(), "vendas.csv")
    sources = detect_columns(table.headers).sources()
    every = list(normalise_rows(table, sources, default_purchased_at=DEFAULT_DATE))
    rows = normalise_table(table, sources, default_purchased_at=DEFAULT_DATE)

    assert len(rows) == len(every) == 7
    assert list(rows) == every
    assert rows[2:5] == every[2:5] and rows[5:99] == every[5:]
    assert rows[-1] == every[-1] and rows[::3] == every[::3]
    with pytest.raises(IndexError):
        rows[7]
    assert list(rows.problems()) == [result for result in every if isinstance(result, RowProblem)]
    assert [problem.code for problem in rows.problems()] == [
        "invalid_email", "invalid_amount", "invalid_date"]
    assert rows.keys() == [(row.row_number, row.email, row.transaction_code)
                           for row in every if isinstance(row, NormalisedRow)]
