"""Header detection beyond the variant list: a known variant with a qualifier added or
dropped is a partial match; exact wins, the closest wins, a tie is named and never guessed."""

import json
from pathlib import Path

import polars as pl
import pytest

from hotmart_common.spreadsheet import (
    ROW_NUMBER_COLUMN,
    ColumnMapping,
    FileProblem,
    Table,
    detect_columns,
    read_table,
    require_email_column,
)
from hotmart_common.spreadsheet.text import header_words
from tests.unit.test_spreadsheet_columns import (
    DETAILED_HEADER_LINE,
    LEGACY_HEADER_LINE,
    _headers_read_from,
)

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus"

# Every header of the current "Modelo Detalhado" table of the reference (section 1.2).
DETAILED_REFERENCE_HEADERS = [
    "Código da transação", "Status da transação", "Data da transação",
    "Confirmação do pagamento", "Código do produto", "Produto", "Código do preço",
    "Nome deste preço", "Moeda de compra", "Valor de compra com impostos",
    "Valor de compra sem impostos", "Faturamento bruto (sem impostos)", "Faturamento líquido",
    "Faturamento líquido do(a) Produtor(a)", "Faturamento do(a) Coprodutor(a)",
    "Comissão do(a) Afiliado(a)", "Nome do(a) Afiliado(a)", "Taxa de processamento",
    "Impostos locais", "Taxa de parcelamento", "Moeda de recebimento",
    "Taxa de conversão (moeda de compra)", "Taxa de conversão (moeda de recebimento)",
    "Método de pagamento", "Tipo de cobrança", "Quantidade total de parcelas",
    "Quantidade de cobranças", "Código SCK", "Código SRC", "Canal usado para venda",
    "Ferramenta de Venda", "Venda feita como", "Transação do Produto Principal",
    "Código de cupom", "Motivo de Recusa de Cartão", "Comprador(a)",
    "Email do(a) Comprador(a)", "Telefone", "Documento", "Instagram", "País",
    "Estado / Província", "Cidade", "Código postal", "Endereço", "Código do assinante",
]  # fmt: skip

DETAILED_MAPPING = {
    "email": "Email do(a) Comprador(a)", "name": "Comprador(a)", "product": "Produto",
    "amount": "Valor de compra com impostos", "currency": "Moeda de compra",
    "status": "Status da transação", "purchased_at": "Data da transação",
    "transaction_code": "Código da transação", "phone": "Telefone", "document": "Documento",
}  # fmt: skip
LEGACY_MAPPING = {
    "email": "Email", "name": "Nome", "product": "Nome do Produto", "amount": "Preço Total",
    "currency": "Moeda", "status": "Status", "purchased_at": "Data de Venda",
    "transaction_code": "Transação", "phone": "Telefone", "document": "Documento",
}  # fmt: skip


def _corpus_layouts() -> list[tuple[str, list[str], dict[str, str]]]:
    layouts = []
    for expected in sorted(CORPUS.glob("*.expected.json")):
        want = json.loads(expected.read_text())
        data = (CORPUS / want["file"]).read_bytes()
        layouts.append((want["file"], read_table(data, want["file"]).headers, want["mapping"]))
    return layouts


def _layouts() -> list[tuple[str, list[str], dict[str, str]]]:
    return [
        ("reference detailed", DETAILED_REFERENCE_HEADERS, DETAILED_MAPPING),
        ("detailed", _headers_read_from(DETAILED_HEADER_LINE), DETAILED_MAPPING),
        ("legacy", _headers_read_from(LEGACY_HEADER_LINE), LEGACY_MAPPING),
        *_corpus_layouts(),
    ]


def _matches(mapping: ColumnMapping) -> dict[str, tuple[str, str, str]]:
    return {field: (column.source, column.variant, column.match)
            for field, column in mapping.columns.items()}  # fmt: skip


def test_words_of_a_header_fold_case_accents_punctuation_and_gender_markers() -> None:
    assert header_words("Email do(a) Comprador(a)") == ("email", "do", "comprador")
    assert header_words("E-MAIL DO COMPRADOR") == ("email", "do", "comprador")
    assert header_words("Telefone_do_Cliente (R$)") == ("telefone", "do", "cliente")
    assert header_words("Código da Transação") == ("codigo", "da", "transacao")


@pytest.mark.parametrize(
    "header", ["Email do(a) Comprador(a)", "EMAIL DO COMPRADOR", "email_do_comprador",
               "E-mail do Comprador", "Émail dô Comprador(a)"],
)  # fmt: skip
def test_a_variant_however_written_is_an_exact_match(header: str) -> None:
    assert _matches(detect_columns([header])) == {
        "email": (header, "Email do(a) Comprador(a)", "exact")}


@pytest.mark.parametrize(
    ("header", "field", "variant"),
    [
        ("E-mail principal do comprador", "email", "Email do(a) Comprador(a)"),
        ("Email de contato", "email", "Email"),
        ("Valor Total da Compra", "amount", "Valor Total"),
        ("Telefone do Cliente", "phone", "Telefone"),
        ("Teléfono móvil del comprador", "phone", "Teléfono del comprador"),
        ("CPF do(a) Comprador(a)", "document", "CPF"),
        ("Nome Completo do Comprador", "name", "Nome do(a) Comprador(a)"),
        ("Código da Transação Hotmart", "transaction_code", "Código da transação"),
        ("Data da Transação (UTC)", "purchased_at", "Data da transação"),
        ("Nome do Produto Principal", "product", "Nome do Produto"),
    ],
)  # fmt: skip
def test_a_variant_with_a_qualifier_added_is_a_partial_match(header: str, field: str,
                                                             variant: str) -> None:
    assert _matches(detect_columns([header]))[field] == (header, variant, "partial")


@pytest.mark.parametrize(
    ("header", "field", "variant"),
    [
        ("Valor com impostos", "amount", "Valor de compra com impostos"),
        ("Valor de compra", "amount", "Valor de compra com impostos"),
        ("Purchase Value", "amount", "Purchase Value with Taxes"),
        ("Comprador Email", "email", "Email do(a) Comprador(a)"),  # same words, reordered
        ("Status transação", "status", "Status da transação"),  # a linking word dropped
    ],
)  # fmt: skip
def test_a_variant_with_a_qualifier_dropped_is_a_partial_match(header: str, field: str,
                                                               variant: str) -> None:
    assert _matches(detect_columns([header]))[field] == (header, variant, "partial")


@pytest.mark.parametrize(
    "header",
    [
        "Data",  # exact; and never a guess between "Data de Venda" and "Data da Compra"
        "Estado", "Compra", "Pedido", "Comprador", "Impostos", "Código", "Mail do cliente",
        "Documento do Produtor", "Email do(a) Afiliado(a)", "Nome do Produtor",
        "Moeda de recebimento", "Preço Total Convertido", "Valor que você recebeu convertido",
        "Valor de compra sem impostos", "Data de Confirmação da Venda", "Código do Produto",
        "Tipo de Transação", "Transação do Produto Principal", "Nome deste preço",
        "Taxa de conversão (moeda de compra)", "Moeda (2)", "Amount Refunded",
    ],
)  # fmt: skip
def test_generic_words_and_other_parties_never_carry_a_partial_match(header: str) -> None:
    mapping = detect_columns([header])
    assert all(column.match == "exact" for column in mapping.columns.values()), header
    assert mapping.ambiguous == {}


def test_an_exact_match_wins_over_a_partial_one_wherever_it_is() -> None:
    mapping = detect_columns(["Email do Comprador Principal", "Valor Total da Compra",
                              "Email", "Preço do Produto"])  # fmt: skip
    assert _matches(mapping) == {"email": ("Email", "Email", "exact"),
                                 "amount": ("Preço do Produto", "Preço do Produto", "exact")}
    assert mapping.unused == ["Email do Comprador Principal", "Valor Total da Compra"]


def test_the_closest_partial_match_wins() -> None:
    mapping = detect_columns(["Email de contato do comprador principal",
                              "Email do comprador principal"])  # fmt: skip
    assert _matches(mapping) == {
        "email": ("Email do comprador principal", "Email do(a) Comprador(a)", "partial")}


def test_two_equally_close_columns_are_a_tie_left_unmapped() -> None:
    mapping = detect_columns(["Email", "Telefone Celular", "Telefone Fixo"])

    assert "phone" not in mapping.columns
    tie = mapping.ambiguous["phone"]
    assert tie.sources == ("Telefone Celular", "Telefone Fixo")
    assert tie.variants == ("Telefone", "Telefone")
    assert mapping.unused == ["Telefone Celular", "Telefone Fixo"]


def test_a_tie_does_not_stand_when_an_exact_match_exists() -> None:
    mapping = detect_columns(["Telefone Celular", "Telefone Fixo", "Email", "Telefone"])
    assert mapping.columns["phone"].source == "Telefone"
    assert mapping.ambiguous == {}


def test_a_tie_for_the_email_names_both_columns() -> None:
    headers = ["Email Principal", "Email Secundário", "Nome"]
    frame = pl.DataFrame({header: ["x"] for header in headers}).with_columns(
        pl.lit(2, dtype=pl.Int64).alias(ROW_NUMBER_COLUMN))
    table = Table("vendas.csv", "csv", headers, frame)

    with pytest.raises(FileProblem) as raised:
        require_email_column(detect_columns(headers), table)

    assert raised.value.code == "no_email_column"
    assert "'Email Principal', 'Email Secundário'" in raised.value.message


@pytest.mark.parametrize(
    "headers",
    [
        ["Email", "Email do Comprador Principal", "Valor Total da Compra", "Valor com impostos",
         "Telefone do Cliente", "Telefone Celular"],
        ["Email do Comprador", "Email do Comprador Principal", "Comprador Email",
         "Nome Completo do Comprador", "Comprador(a)", "Nome do Comprador"],
        [*DETAILED_REFERENCE_HEADERS, "Email do Comprador Principal", "Telefone do Cliente"],
    ],
)  # fmt: skip
def test_one_column_never_feeds_two_fields(headers: list[str]) -> None:
    sources = list(detect_columns(headers).sources().values())
    assert len(sources) == len(set(sources))


@pytest.mark.parametrize(("name", "headers", "expected"), _layouts(),
                         ids=[layout[0] for layout in _layouts()])  # fmt: skip
def test_every_real_layout_still_maps_exactly_as_before(name: str, headers: list[str],
                                                        expected: dict[str, str]) -> None:
    mapping = detect_columns(headers)
    assert mapping.sources() == expected, name
    assert {column.match for column in mapping.columns.values()} == {"exact"}
    assert mapping.ambiguous == {}
    for header in headers:  # a producer may export any of the columns alone
        alone = detect_columns([header])
        assert {column.match for column in alone.columns.values()} <= {"exact"}, header
        assert alone.ambiguous == {}, header
    # Nor does an unused column of a real layout stand in for the columns the layout names.
    leftovers = detect_columns(mapping.unused)
    assert {column.match for column in leftovers.columns.values()} <= {"exact"}, name
    assert leftovers.ambiguous == {}, name
