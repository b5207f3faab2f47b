import polars as pl
import pytest

from hotmart_common.spreadsheet import (
    FIELDS,
    HEADER_VARIANTS,
    ROW_NUMBER_COLUMN,
    FileProblem,
    Table,
    canonical_header,
    detect_columns,
    read_table,
    require_email_column,
)

pytestmark = pytest.mark.unit

DETAILED_HEADER_LINE = (
    "Código da transação;Status da transação;Data da transação;Confirmação do pagamento;"
    "Código do produto;Produto;Código do preço;Nome deste preço;Moeda de compra;"
    "Valor de compra com impostos;Valor de compra sem impostos;"
    "Faturamento líquido do(a) Produtor(a);Taxa de processamento;Comissão do(a) Afiliado(a);"
    "Método de pagamento;Tipo de cobrança;Quantidade total de parcelas;Venda feita como;"
    "Transação do Produto Principal;Código SCK;Comprador(a);Email do(a) Comprador(a);Telefone;"
    "Documento;País"
)

# Verbatim from the reference, with its four "Moeda" and the fused
# "Quantidade de itensOferta de Upgrade".
LEGACY_HEADER_LINE = (
    "Nome do Produto; Nome do Produtor; Documento do Produtor; Nome do Afiliado; Transação; "
    "Meio de Pagamento; Origem; Moeda; Preço do Produto; Moeda; Preço da Oferta; Taxa de Câmbio; "
    "Moeda; Preço Original; Número da Parcela; Recorrência; Data de Venda; Data de Confirmação; "
    "Status; Nome; Documento; Email; DDD; Telefone; CEP; Cidade; Estado; Bairro; País; Endereço; "
    "Número; Complemento; chave; Código do Produto; Código da Afiliação; Código de Oferta; "
    "Origem de Checkout; Tipo de Pagamento; Período Grátis; Tem co-produção; Venda feita como; "
    "Preço Total; Tipo pagamento oferta; Taxa de Câmbio Real; Preço Total Convertido; "
    "Quantidade de itensOferta de Upgrade; Cupom; Moeda; Valor que você recebeu convertido; "
    "Taxa de Câmbio do valor recebido; Data Vencimento; Instagram; Origem da venda; "
    "Moeda de recebimento; Faturamento líquido; Código do assinante; Nota Fiscal; "
    "Valor do frete bruto"
)


def _headers_read_from(header_line: str) -> list[str]:
    width = header_line.count(";") + 1
    data = f"{header_line}\n{';'.join(['x'] * width)}\n".encode()
    headers: list[str] = read_table(data, "vendas.csv").headers
    return headers


def test_current_detailed_export_maps_every_field() -> None:
    mapping = detect_columns(_headers_read_from(DETAILED_HEADER_LINE))

    assert mapping.sources() == {
        "email": "Email do(a) Comprador(a)",
        "name": "Comprador(a)",
        "product": "Produto",
        "amount": "Valor de compra com impostos",
        "currency": "Moeda de compra",
        "status": "Status da transação",
        "purchased_at": "Data da transação",
        "transaction_code": "Código da transação",
        "phone": "Telefone",
        "document": "Documento",
    }
    assert "Valor de compra sem impostos" in mapping.unused
    assert "Faturamento líquido do(a) Produtor(a)" in mapping.unused
    assert "Transação do Produto Principal" in mapping.unused


def test_legacy_export_maps_every_field_and_keeps_the_first_moeda() -> None:
    headers = _headers_read_from(LEGACY_HEADER_LINE)
    mapping = detect_columns(headers)

    assert len(headers) == 58
    assert headers.count("Moeda") == 1
    assert [h for h in headers if h.startswith("Moeda (")] == [
        "Moeda (2)",
        "Moeda (3)",
        "Moeda (4)",
    ]
    assert mapping.sources() == {
        "email": "Email",
        "name": "Nome",
        "product": "Nome do Produto",
        "amount": "Preço Total",
        "currency": "Moeda",
        "status": "Status",
        "purchased_at": "Data de Venda",
        "transaction_code": "Transação",
        "phone": "Telefone",
        "document": "Documento",
    }
    for unused in ("Quantidade de itensOferta de Upgrade", "Nome do Produtor", "Nome do Afiliado",
                   "Documento do Produtor", "Moeda (2)", "Estado", "Preço da Oferta"):  # fmt: skip
        assert unused in mapping.unused


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Nome do Comprador", "Buyer Email", "Produto", "Sale Amount", "Purchase Date"],
            {"name": "Nome do Comprador", "email": "Buyer Email", "product": "Produto",
             "amount": "Sale Amount", "purchased_at": "Purchase Date"},
        ),
        (
            ["nome_comprador", "buyer_email", "Transaction", "Phone", "Status"],
            {"name": "nome_comprador", "email": "buyer_email", "transaction_code": "Transaction",
             "phone": "Phone", "status": "Status"},
        ),
        (
            ["Customer Name", "Customer Email", "Product Name", "Amount", "Currency", "Order Date"],
            {"name": "Customer Name", "email": "Customer Email", "product": "Product Name",
             "amount": "Amount", "currency": "Currency", "purchased_at": "Order Date"},
        ),
        (
            ["Name", "Email Address", "Total", "Date"],
            {"name": "Name", "email": "Email Address", "amount": "Total", "purchased_at": "Date"},
        ),
        (
            ["Nombre del comprador", "Correo del comprador", "Producto", "Monto", "Moneda",
             "Estado de la transacción", "Fecha de compra", "Teléfono", "Documento",
             "Código de la transacción"],
            {"name": "Nombre del comprador", "email": "Correo del comprador", "product": "Producto",
             "amount": "Monto", "currency": "Moneda", "status": "Estado de la transacción",
             "purchased_at": "Fecha de compra", "phone": "Teléfono", "document": "Documento",
             "transaction_code": "Código de la transacción"},
        ),
    ],
)  # fmt: skip
def test_simple_header_sets_from_other_tools_and_spanish(
    headers: list[str], expected: dict[str, str]
) -> None:
    assert detect_columns(headers).sources() == expected


@pytest.mark.parametrize(
    "header",
    ["EMAIL DO(A) COMPRADOR(A)", "email do comprador", "Email_do_Comprador", "E-mail", "e mail",
     "BUYER_EMAIL", "Correo del Comprador", "  Email  "],
)  # fmt: skip
def test_matching_ignores_case_accents_spaces_underscores_and_gender_markers(header: str) -> None:
    assert detect_columns([header, "Valor"]).sources()["email"] == header


@pytest.mark.parametrize(
    ("headers", "expected_amount"),
    [
        (["Preço do Produto", "Preço Total", "Valor de compra com impostos"],
         "Valor de compra com impostos"),
        (["Preço da Oferta", "Preço Total"], "Preço Total"),
        (["Preço do Produto", "Sale Amount"], "Sale Amount"),
        (["Preço do Produto", "Valor"], "Valor"),
        (["Preço do Produto", "Total"], "Total"),
        (["Preço do Produto", "Preço da Oferta"], "Preço da Oferta"),
        (["Preço do Produto"], "Preço do Produto"),
    ],
)  # fmt: skip
def test_amount_prefers_what_the_buyer_paid(headers: list[str], expected_amount: str) -> None:
    assert detect_columns(["Email", *headers]).sources()["amount"] == expected_amount


@pytest.mark.parametrize(
    "header",
    ["Valor de compra sem impostos", "Faturamento bruto (sem impostos)", "Faturamento líquido",
     "Faturamento líquido do(a) Produtor(a)", "Comissão do(a) Afiliado(a)",
     "Taxa de processamento", "Taxa de Câmbio", "Preço Total Convertido",
     "Valor que você recebeu convertido"],
)  # fmt: skip
def test_revenue_fee_and_commission_columns_are_never_the_amount(header: str) -> None:
    mapping = detect_columns(["Email", header])
    assert "amount" not in mapping.columns
    assert mapping.unused == [header]


def test_product_name_is_not_the_buyer_name_and_producer_affiliate_are_unused() -> None:
    mapping = detect_columns(
        ["Nome do Produto", "Nome do Produtor", "Nome do(a) Afiliado(a)", "Email"]
    )
    assert mapping.sources() == {"product": "Nome do Produto", "email": "Email"}
    assert mapping.unused == ["Nome do Produtor", "Nome do(a) Afiliado(a)"]


def test_each_field_takes_one_column_and_the_first_in_file_order() -> None:
    mapping = detect_columns(["E-mail", "Email", "email_comprador"])
    assert mapping.sources() == {"email": "E-mail"}
    assert mapping.unused == ["Email", "email_comprador"]


def test_detected_column_records_the_variant_it_matched() -> None:
    detected = detect_columns(["EMAIL DO COMPRADOR"]).columns["email"]
    assert (detected.field, detected.source, detected.variant) == (
        "email", "EMAIL DO COMPRADOR", "Email do(a) Comprador(a)",
    )  # fmt: skip


def test_unknown_and_empty_headers_are_unused_not_errors() -> None:
    mapping = detect_columns(["Instagram", "", "???", "Cor favorita"])
    assert mapping.columns == {}
    assert mapping.unused == ["Instagram", "", "???", "Cor favorita"]


def test_variant_table_is_large_and_unambiguous() -> None:
    keys = [
        canonical_header(variant) for variants in HEADER_VARIANTS.values() for variant in variants
    ]
    assert set(HEADER_VARIANTS) == set(FIELDS)
    assert len(keys) >= 40
    assert len(keys) == len(set(keys)), "a header variant is listed twice or under two fields"


def _table(headers: list[str]) -> Table:
    frame = pl.DataFrame({header: ["x"] for header in headers}).with_columns(
        pl.lit(2, dtype=pl.Int64).alias(ROW_NUMBER_COLUMN)
    )
    return Table("vendas.csv", "csv", headers, frame)


def test_require_email_column_lists_what_was_found_and_what_is_accepted() -> None:
    table = _table(["Nome", "Valor", "Mail do cliente"])

    with pytest.raises(FileProblem) as raised:
        require_email_column(detect_columns(table.headers), table)

    problem = raised.value
    assert (problem.code, problem.http_status) == ("no_email_column", 422)
    assert "'vendas.csv'" in problem.message
    assert "'Nome', 'Valor', 'Mail do cliente'" in problem.message
    assert "'Email do(a) Comprador(a)'" in problem.message
    assert "'Buyer Email'" in problem.message


def test_require_email_column_accepts_a_mapping_with_email() -> None:
    table = _table(["Email", "Nome"])
    require_email_column(detect_columns(table.headers), table)
