from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, get_args

from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.table import Table
from hotmart_common.spreadsheet.text import canonical_header

Field = Literal[
    "email", "name", "product", "amount", "currency", "status", "purchased_at",
    "transaction_code", "phone", "document",
]  # fmt: skip
FIELDS: Final[tuple[Field, ...]] = get_args(Field)

# Field -> header variants, most preferred first. Headers are compared with
# canonical_header(), so case, accents, spaces, "_", punctuation and "(a)" do not matter.
# Deliberately absent: "Valor de compra sem impostos", "Faturamento…", "Comissão…" and
# "Taxa…" (not what the buyer paid); "Nome do Produtor" / "Nome do Afiliado" (not the
# buyer); bare "Estado" (the buyer's state in the legacy export, not a status).
HEADER_VARIANTS: Final[Mapping[Field, tuple[str, ...]]] = MappingProxyType(
    {
        "email": (
            "Email do(a) Comprador(a)", "Email", "Buyer Email", "Customer Email",
            "Email Address", "Email do Cliente", "Correo del comprador",
            "Correo electrónico", "Correo", "email_comprador",
        ),
        "name": (
            "Comprador(a)", "Nome", "Nome do(a) Comprador(a)", "nome_comprador",
            "Nome do Cliente", "Nome completo", "Cliente", "Buyer Name", "Buyer",
            "Customer Name", "Customer", "Full Name", "Name", "Nombre del comprador",
            "Nombre",
        ),
        "product": (
            "Produto", "Nome do Produto", "nome_produto", "Product", "Product Name",
            "Producto", "Nombre del producto",
        ),
        "amount": (
            "Valor de compra com impostos", "Valor de compra con impuestos",
            "Purchase Value with Taxes",
            "Sale Amount", "Preço Total", "Valor Total", "Valor da Venda", "Valor", "Total",
            "Amount", "Total Price", "valor_venda", "Monto", "Monto Total", "Precio Total",
            "Importe",
            "Preço da Oferta", "Preço do Produto", "Preço", "Offer Price", "Product Price",
            "Price", "Precio",
        ),
        "currency": (
            "Moeda de compra", "Moeda", "Purchase Currency", "Currency", "Moneda de compra",
            "Moneda", "Divisa",
        ),
        "status": (
            "Status da transação", "Status", "Status da Venda", "Situação",
            "Transaction Status", "Payment Status", "Order Status",
            "Estado de la transacción", "Estado de la compra", "Estado del pago",
        ),
        "purchased_at": (
            "Data da transação", "Data de Venda", "Data da Compra", "Data do Pedido",
            "data_compra", "Data", "Purchase Date", "Order Date", "Transaction Date",
            "Sale Date", "Date", "Fecha de compra", "Fecha de la transacción", "Fecha",
        ),
        "transaction_code": (
            "Código da transação", "Transação", "ID da Transação", "codigo_transacao",
            "Transaction", "Transaction Code", "Transaction ID", "Order ID",
            "Código de la transacción", "Transacción",
        ),
        "phone": (
            "Telefone", "Telefone do(a) Comprador(a)", "Celular", "WhatsApp", "Phone",
            "Phone Number", "Buyer Phone", "Mobile", "Teléfono", "Teléfono del comprador",
        ),
        "document": (
            "Documento", "Documento do(a) Comprador(a)", "CPF", "CPF/CNPJ", "Document",
            "Tax ID", "Documento del comprador", "Documento de identidad",
        ),
    }
)  # fmt: skip


_VARIANT_KEYS: Final[Mapping[Field, tuple[tuple[str, str], ...]]] = MappingProxyType(
    {
        field: tuple((variant, canonical_header(variant)) for variant in variants)
        for field, variants in HEADER_VARIANTS.items()
    }
)


@dataclass(frozen=True)
class DetectedColumn:
    field: Field
    source: str
    variant: str


@dataclass(frozen=True)
class ColumnMapping:
    columns: dict[Field, DetectedColumn]
    unused: list[str]

    def sources(self) -> dict[Field, str]:
        return {field: column.source for field, column in self.columns.items()}


def detect_columns(headers: Sequence[str]) -> ColumnMapping:
    headers_by_key = _headers_by_canonical_key(headers)
    columns: dict[Field, DetectedColumn] = {}
    taken: set[str] = set()
    for field in FIELDS:
        detected = _first_match(field, headers_by_key, taken)
        if detected is not None:
            columns[field] = detected
            taken.add(detected.source)
    return ColumnMapping(columns, [header for header in headers if header not in taken])


def require_email_column(mapping: ColumnMapping, table: Table) -> None:
    if "email" in mapping.columns:
        return
    raise FileProblem(
        "no_email_column",
        f"'{table.file_name}' has no buyer e-mail column, so its sales cannot be matched to "
        f"clients. Columns found: {_quoted(table.headers)}. "
        f"Name the e-mail column one of: {_quoted(HEADER_VARIANTS['email'])}.",
    )


def _headers_by_canonical_key(headers: Sequence[str]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for header in headers:
        key = canonical_header(header)
        if key:
            by_key.setdefault(key, []).append(header)
    return by_key


def _first_match(
    field: Field, headers_by_key: Mapping[str, list[str]], taken: set[str]
) -> DetectedColumn | None:
    for variant, key in _VARIANT_KEYS[field]:
        for header in headers_by_key.get(key, ()):
            if header not in taken:
                return DetectedColumn(field, header, variant)
    return None


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in names) or "none"
