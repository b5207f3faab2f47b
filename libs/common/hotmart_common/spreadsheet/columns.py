"""Which column of an export is which field: by header name, never by position.

A header matches a field **exactly** when it is one of the field's variants
(``HEADER_VARIANTS``) once case, accents, spaces, "_", punctuation, "(a)" and a currency
marker are set aside (``canonical_header``). Every field first takes its exact match: the
most preferred variant, then the first column in file order, as it always has.

A field no column names exactly may then take a **partial** match: a header that is a variant
with a qualifier added or dropped. Both are compared as sets of words (``header_words``,
without the linking words of ``LINKING_WORDS``: "do", "da", "de", "of", "com"...); the
header's words are a superset or a subset of the variant's, and

1. the words they share carry the match: at least one of them is not a generic word
   (``GENERIC_WORDS``), or they are two words or more ("Valor Total"). A generic word
   names an attribute anything has ("data", "valor", "preço", "total", "nome", "código",
   "id", "estado", "tipo", "taxa", ...) or whose / which sale it is ("comprador",
   "cliente", "compra", "venda", "pedido", "transação", ...): "Data" alone does not
   partially match "Data de Venda", nor "Nome do Produtor" the name's "Nome";
2. the words added or dropped name no other party, amount or moment (``FOREIGN_WORDS``:
   "produtor", "afiliado", "líquido", "sem", "convertido", "recebimento", "confirmação",
   "vencimento", ...), and none is a number: "Documento do Produtor" is not the buyer's
   document, "Moeda (2)" (the reader's name for a second "Moeda") not the currency;
3. an attribute word (``ATTRIBUTE_WORDS``: "data", "valor", "código", "tipo"...) is never
   dropped, and is added only when the field's own variants use it: "Código do produto" is
   not the product, "Data da transação" not the transaction code, "Impostos" not the amount
   "Valor de compra com impostos", while "Nome do Produto Principal" is still the product;
4. a word added that another field's variants use, and this field's do not, makes the header
   that field's business (the buyer words, ``PARTY_WORDS``, excepted): "Transação do Produto
   Principal" is not the product, "Moeda da transação" not taken for the currency;
5. a column some field names exactly is never another field's partial match.

Between partial candidates the closest wins: fewest words added or dropped (between variants
of one column, the more preferred). Two columns equally close are a tie: the field stays
unmapped and ``ColumnMapping.ambiguous`` names both, for the preview to warn, never a silent
guess. Fields take their partial match in ``FIELDS`` order, and one column never feeds two
fields.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal, get_args

from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.table import Table
from hotmart_common.spreadsheet.text import canonical_header, header_words

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


# Words that only link others: "Email do Comprador" is "Email Comprador".
LINKING_WORDS: Final = frozenset({
    "a", "o", "as", "os", "e", "y", "and", "the", "of", "do", "da", "de", "dos", "das", "del",
    "la", "las", "el", "los", "em", "en", "no", "na", "por", "para", "pelo", "pela", "com",
    "con", "with", "deste", "desta", "este", "esta",
})
# Words naming an attribute that anything has. Never dropped from a variant; added only when
# the field's own variants use them.
ATTRIBUTE_WORDS: Final = frozenset({
    "data", "date", "fecha", "valor", "value", "preco", "price", "precio", "total", "monto",
    "amount", "importe", "nome", "name", "nombre", "codigo", "code", "id", "numero", "number",
    "estado", "tipo", "taxa", "quantidade",
})
# Whose the value is: the buyer's, which every field's value is.
PARTY_WORDS: Final = frozenset({"comprador", "compradora", "cliente", "buyer", "customer"})
# Too generic to carry a match alone: the attributes, the party, and which sale it is.
GENERIC_WORDS: Final = ATTRIBUTE_WORDS | PARTY_WORDS | frozenset({
    "compra", "venda", "pedido", "purchase", "sale", "order", "transacao", "transaction",
    "transaccion",
})
# Another party, another amount or another moment than the buyer's purchase.
FOREIGN_WORDS: Final = frozenset({
    "produtor", "produtora", "coprodutor", "coprodutora", "coproducao", "afiliado", "afiliada",
    "afiliacao", "producer", "affiliate", "vendedor", "seller", "recebimento", "recebido",
    "recebida", "recebeu", "liquido", "bruto", "net", "gross", "sem", "without", "comissao",
    "commission", "cambio", "conversao", "convertido", "frete", "shipping", "parcela",
    "parcelas", "installment", "vencimento", "confirmacao", "cancelamento", "reembolso",
    "reembolsado", "estorno", "refund", "refunded", "original",
})  # fmt: skip

Match = Literal["exact", "partial"]


def _words(header: str) -> frozenset[str]:
    return frozenset(header_words(header)) - LINKING_WORDS


@dataclass(frozen=True)
class _Variant:
    field: Field
    rank: int  # 0 is the most preferred
    text: str
    key: str
    words: frozenset[str]


_VARIANTS: Final[tuple[_Variant, ...]] = tuple(
    _Variant(field_, rank, variant, canonical_header(variant), _words(variant))
    for field_, variants in HEADER_VARIANTS.items()
    for rank, variant in enumerate(variants)
)
_VARIANT_KEYS: Final[Mapping[Field, tuple[tuple[str, str], ...]]] = MappingProxyType(
    {
        field_: tuple((v.text, v.key) for v in _VARIANTS if v.field == field_)
        for field_ in FIELDS
    }
)
_EXACT_KEYS: Final = frozenset(v.key for v in _VARIANTS)
_VOCABULARY: Final[Mapping[Field, frozenset[str]]] = MappingProxyType(
    {
        field_: frozenset().union(*(v.words for v in _VARIANTS if v.field == field_))
        for field_ in FIELDS
    }
)
_VARIANTS_BY_WORD: Final[Mapping[str, tuple[_Variant, ...]]] = MappingProxyType(
    {
        word: tuple(v for v in _VARIANTS if word in v.words)
        for word in frozenset().union(*_VOCABULARY.values())
    }
)


@dataclass(frozen=True)
class DetectedColumn:
    field: Field
    source: str
    variant: str
    match: Match = "exact"


@dataclass(frozen=True)
class AmbiguousField:
    """Columns that could each be the field, equally close to its variants: none is taken."""

    field: Field
    sources: tuple[str, ...]  # in file order
    variants: tuple[str, ...]  # the variant each matched, in the same order


@dataclass(frozen=True)
class ColumnMapping:
    columns: dict[Field, DetectedColumn]
    unused: list[str]
    ambiguous: dict[Field, AmbiguousField] = field(default_factory=dict)

    def sources(self) -> dict[Field, str]:
        return {field_: column.source for field_, column in self.columns.items()}


def detect_columns(headers: Sequence[str]) -> ColumnMapping:
    headers_by_key = _headers_by_canonical_key(headers)
    columns: dict[Field, DetectedColumn] = {}
    taken: set[str] = set()
    for field_ in FIELDS:
        detected = _first_match(field_, headers_by_key, taken)
        if detected is not None:
            columns[field_] = detected
            taken.add(detected.source)
    ambiguous: dict[Field, AmbiguousField] = {}
    if len(columns) < len(FIELDS):
        exact_somewhere = {h for key, named in headers_by_key.items() if key in _EXACT_KEYS
                           for h in named}
        candidates = _partial_candidates(headers, exact_somewhere)
        for field_ in FIELDS:
            if field_ in columns or field_ not in candidates:
                continue
            free = [c for c in candidates[field_] if c.source not in taken]
            if not free:
                continue
            closest = [c for c in free if c.distance == free[0].distance]
            if len(closest) > 1:
                ambiguous[field_] = AmbiguousField(field_, tuple(c.source for c in closest),
                                                   tuple(c.variant for c in closest))
                continue
            columns[field_] = DetectedColumn(field_, closest[0].source, closest[0].variant,
                                             "partial")
            taken.add(closest[0].source)
    ordered = {field_: columns[field_] for field_ in FIELDS if field_ in columns}
    return ColumnMapping(ordered, [header for header in headers if header not in taken],
                         ambiguous)


def partial_distance(field_: Field, header: frozenset[str], variant: frozenset[str]) -> int | None:
    """Words added to or dropped from the variant, if the header is a partial match of it
    (the rules of the module's docstring); None if it is not."""
    if not header or not (header <= variant or variant <= header):
        return None
    shared, differing = header & variant, header ^ variant
    if not shared - GENERIC_WORDS and len(shared) < 2:
        return None  # 1
    if differing & FOREIGN_WORDS or any(word.isdigit() for word in differing):
        return None  # 2
    own = _VOCABULARY[field_]
    if header < variant and differing & ATTRIBUTE_WORDS:
        return None  # 3: an attribute dropped
    if (differing & ATTRIBUTE_WORDS) - own:
        return None  # 3: another attribute added
    if any(word not in own and word not in PARTY_WORDS and _used_elsewhere(field_, word)
           for word in differing):
        return None  # 4
    return len(differing)


def _used_elsewhere(field_: Field, word: str) -> bool:
    return any(v.field != field_ for v in _VARIANTS_BY_WORD.get(word, ()))


@dataclass(frozen=True, order=True)
class _Candidate:
    distance: int
    position: int  # of the column in the file
    rank: int
    source: str
    variant: str


def _partial_candidates(headers: Sequence[str],
                        excluded: set[str]) -> dict[Field, list[_Candidate]]:
    """Each field's partial candidates, closest first, then in file order; each column with
    the closest of its matching variants, the more preferred between equals."""
    best: dict[tuple[Field, str], _Candidate] = {}
    for position, header in enumerate(headers):
        if header in excluded:
            continue
        words = _words(header)
        related = {v for word in words for v in _VARIANTS_BY_WORD.get(word, ())}
        for variant in related:
            distance = partial_distance(variant.field, words, variant.words)
            if distance is None:
                continue
            candidate = _Candidate(distance, position, variant.rank, header, variant.text)
            known = best.get((variant.field, header))
            if known is None or (distance, variant.rank) < (known.distance, known.rank):
                best[(variant.field, header)] = candidate
    by_field: dict[Field, list[_Candidate]] = {}
    for (field_, _), candidate in best.items():
        by_field.setdefault(field_, []).append(candidate)
    return {field_: sorted(found) for field_, found in by_field.items()}


def require_email_column(mapping: ColumnMapping, table: Table) -> None:
    if "email" in mapping.columns:
        return
    tie = mapping.ambiguous.get("email")
    if tie is not None:
        raise FileProblem(
            "no_email_column",
            f"'{table.file_name}' has more than one column that could be the buyer e-mail: "
            f"{_quoted(tie.sources)}, none named exactly. Rename the one to use "
            f"'{HEADER_VARIANTS['email'][0]}'.",
        )
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
    field_: Field, headers_by_key: Mapping[str, list[str]], taken: set[str]
) -> DetectedColumn | None:
    for variant, key in _VARIANT_KEYS[field_]:
        for header in headers_by_key.get(key, ()):
            if header not in taken:
                return DetectedColumn(field_, header, variant)
    return None


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in names) or "none"
