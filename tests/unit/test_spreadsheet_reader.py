import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime

import polars as pl
import pytest
import xlsxwriter
import xlwt

from hotmart_common.spreadsheet import (
    MAX_FILE_BYTES,
    ROW_NUMBER_COLUMN,
    FileProblem,
    Table,
    read_table,
    sniff_format,
)
from hotmart_common.spreadsheet import reader as reader_module
from hotmart_common.spreadsheet.width import MAX_COLUMNS

pytestmark = pytest.mark.unit

Cell = str | int | float | datetime | date | None

DETAILED_SAMPLE = (
    "\ufeffCódigo da transação;Status da transação;Data da transação;Moeda de compra;"
    "Valor de compra com impostos;Transação do Produto Principal;Comprador(a);"
    "Email do(a) Comprador(a);Documento\r\n"
    "HP0000000000001;Aprovado;15/03/2024 14:32:10;BRL;297.00;(none);Maria Silva;"
    "maria.silva@example.com;00000000000\r\n"
    "HP0000000000003;Reembolsado;02/04/2024 09:05:00;BRL;243,04;(none);João Souza;"
    "joao.souza@example.com;11111111111\r\n"
)


def _csv(rows: Sequence[Sequence[str]], separator: str = ";", line_end: str = "\n") -> str:
    return "".join(separator.join(row) + line_end for row in rows)


def _records(table: Table) -> list[dict[str, object]]:
    return list(table.frame.iter_rows(named=True))


def _problem(data: bytes, file_name: str = "vendas.csv") -> FileProblem:
    with pytest.raises(FileProblem) as raised:
        read_table(data, file_name)
    return raised.value


def test_reads_the_current_detailed_export() -> None:
    table = read_table(DETAILED_SAMPLE.encode("utf-8"), "vendas.csv")

    assert table.file_name == "vendas.csv"
    assert table.format == "csv"
    assert table.headers[0] == "Código da transação"
    assert table.frame.columns == [*table.headers, ROW_NUMBER_COLUMN]
    assert table.frame.schema[ROW_NUMBER_COLUMN] == pl.Int64
    assert all(table.frame.schema[header] == pl.String for header in table.headers)
    first, second = _records(table)
    assert first["Valor de compra com impostos"] == "297.00"
    assert first["Documento"] == "00000000000"
    assert first["Transação do Produto Principal"] is None
    assert (first[ROW_NUMBER_COLUMN], second[ROW_NUMBER_COLUMN]) == (2, 3)
    assert second["Comprador(a)"] == "João Souza"


@pytest.mark.parametrize("separator", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_separators_and_encodings(separator: str, encoding: str) -> None:
    text = _csv([["Nome", "Email", "Valor"], ["João Ação", "joao@example.com", "10"]], separator)

    table = read_table(text.encode(encoding), "vendas.csv")

    assert table.headers == ["Nome", "Email", "Valor"]
    assert _records(table)[0]["Nome"] == "João Ação"


def test_undefined_cp1252_bytes_fall_back_to_latin_1() -> None:
    table = read_table(b"Nome;Email\nJo\x81o;joao@example.com\n", "vendas.csv")
    assert _records(table)[0]["Nome"] == "Jo\x81o"


def test_quoted_fields_keep_separators_quotes_and_line_breaks() -> None:
    text = (
        'Produto,Email,Valor\r\n"Curso, ""Premium""","a@example.com","1,234.56"\r\n'
        '"Linha\r\ndupla",b@example.com,2\r\n'
    )

    table = read_table(text.encode(), "vendas.csv")

    rows = _records(table)
    assert rows[0]["Produto"] == 'Curso, "Premium"'
    assert rows[0]["Valor"] == "1,234.56"
    assert rows[1]["Produto"] in ("Linha\r\ndupla", "Linha\ndupla")
    assert rows[1][ROW_NUMBER_COLUMN] == 3


def test_separator_is_counted_outside_quotes() -> None:
    text = '"Nome; completo",Email\n"Maria; Silva",maria@example.com\n'
    assert read_table(text.encode(), "vendas.csv").headers == ["Nome; completo", "Email"]


def test_values_are_never_coerced() -> None:
    text = _csv(
        [
            ["Email", "Doc", "Valor", "Flag", "Data"],
            ["a@example.com", "00123", "1e5", "TRUE", "2024-03-15"],
        ]
    )
    assert _records(read_table(text.encode(), "vendas.csv"))[0] == {
        "Email": "a@example.com", "Doc": "00123", "Valor": "1e5", "Flag": "TRUE",
        "Data": "2024-03-15", ROW_NUMBER_COLUMN: 2,
    }  # fmt: skip


def test_blank_rows_and_placeholders_are_dropped_but_numbering_stays() -> None:
    text = (
        "Email;Nome\r\na@example.com;A\r\n\r\n;\r\n(none); (none) \r\nb@example.com;  \r\n\r\n\r\n"
    )

    table = read_table(text.encode(), "vendas.csv")

    assert [(row["Email"], row["Nome"], row[ROW_NUMBER_COLUMN]) for row in _records(table)] == [
        ("a@example.com", "A", 2),
        ("b@example.com", None, 6),
    ]


def test_short_rows_are_padded_and_long_rows_keep_their_extra_cells() -> None:
    text = "Email;Nome;Valor\na@example.com;A\nb@example.com;B;2;surplus\nc@example.com;C;3\n"

    table = read_table(text.encode(), "vendas.csv")

    assert table.headers == ["Email", "Nome", "Valor", "Column 4"]
    assert [row["Valor"] for row in _records(table)] == [None, "2", "3"]
    assert [row["Column 4"] for row in _records(table)] == [None, "surplus", None]


def test_trailing_separators_do_not_create_columns() -> None:
    text = "Email;Nome;\na@example.com;A;\nb@example.com;B;;;\n"
    assert read_table(text.encode(), "vendas.csv").headers == ["Email", "Nome"]


def test_a_quoted_line_break_hiding_separators_still_reads() -> None:
    text = 'Email;Nota\na@example.com;"x\ny;z;w;v";extra\n'
    table = read_table(text.encode(), "vendas.csv")
    assert _records(table)[0]["Nota"] == "x\ny;z;w;v"
    assert _records(table)[0]["Column 3"] == "extra"


def test_repeated_headers_get_numbered() -> None:
    text = _csv(
        [["Email", "Moeda", "Preço", "Moeda", "Moeda"], ["a@example.com", "BRL", "1", "USD", "EUR"]]
    )
    table = read_table(text.encode(), "vendas.csv")
    assert table.headers == ["Email", "Moeda", "Preço", "Moeda (2)", "Moeda (3)"]
    assert _records(table)[0]["Moeda (3)"] == "EUR"


def test_title_rows_above_the_header_are_skipped() -> None:
    text = (
        "Relatório de vendas;;\nGerado em 15/03/2024;;\n;;\nNome;Email;Valor\nA;a@example.com;1\n"
    )
    table = read_table(text.encode(), "vendas.csv")
    assert table.headers == ["Nome", "Email", "Valor"]
    assert _records(table)[0][ROW_NUMBER_COLUMN] == 5


def test_without_an_email_column_the_first_row_is_the_header() -> None:
    table = read_table(b"Nome;Valor\nA;1\n", "vendas.csv")
    assert table.headers == ["Nome", "Valor"]


def test_old_mac_line_endings() -> None:
    assert len(read_table(b"Email;Nome\ra@example.com;A\rb@example.com;B", "v.csv").frame) == 2


@pytest.mark.parametrize("data", [b"", b"   ", b"\r\n\r\n", b";;;\n;;\n", "\ufeff".encode()])
def test_empty_files(data: bytes) -> None:
    problem = _problem(data)
    assert (problem.code, problem.http_status) == ("empty_file", 422)
    assert "'vendas.csv'" in problem.message


@pytest.mark.parametrize("data", [b"Email;Nome\n", b"Email;Nome\r\n\r\n;\r\n(none);\r\n"])
def test_header_without_data(data: bytes) -> None:
    problem = _problem(data)
    assert problem.code == "header_only"
    assert "Email, Nome" in problem.message


def test_an_unclosed_quote_is_a_corrupt_file_naming_the_line() -> None:
    problem = _problem(b'Email;Nome\na@example.com;A\nb@example.com;"B\n')
    assert problem.code == "corrupt_file"
    assert "line 3" in problem.message


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_module, "MAX_DATA_ROWS", 2)
    problem = _problem(b"Email\na@example.com\nb@example.com\nc@example.com\n")
    assert problem.code == "too_many_rows"
    assert "3 rows" in problem.message


def test_the_real_row_limit_is_one_million() -> None:
    assert reader_module.MAX_DATA_ROWS == 1_000_000


def _wide_rows(width: int) -> list[list[str]]:
    return [["Email", *(f"C{index}" for index in range(1, width))],
            ["a@example.com", *("1" for _ in range(1, width))]]


def test_a_file_wider_than_the_column_cap_is_refused_before_it_is_read() -> None:
    problem = _problem(_csv(_wide_rows(MAX_COLUMNS + 1)).encode())
    assert (problem.code, problem.http_status) == ("too_many_columns", 422)
    assert f"{MAX_COLUMNS + 1:,} columns" in problem.message
    assert read_table(_csv(_wide_rows(MAX_COLUMNS)).encode(), "vendas.csv").frame.width == (
        MAX_COLUMNS + 1)  # and the row number


def test_a_table_carries_the_chosen_columns_and_still_names_every_header() -> None:
    data = _csv([["Nome", "Email", "Extra", ""], ["A", "a@example.com", "", ""],
                 ["", "", "only here", ""], ["", "", "", "x"], [" (none) ", "", "", ""],
                 ["B", "b@example.com", "", ""]]).encode()
    whole = read_table(data, "vendas.csv")
    chosen = read_table(data, "vendas.csv", lambda headers: ["Email"])
    assert chosen.headers == whole.headers == ["Nome", "Email", "Extra", "Column 4"]
    assert chosen.frame.columns == ["Email", ROW_NUMBER_COLUMN]
    # Rows filled only in columns not carried are still rows; blank ones are still dropped.
    assert _records(chosen) == [{"Email": row["Email"], ROW_NUMBER_COLUMN: row[ROW_NUMBER_COLUMN]}
                                for row in _records(whole)]
    assert chosen.frame.get_column(ROW_NUMBER_COLUMN).to_list() == [2, 3, 4, 6]


def test_separators_inside_quotes_do_not_count_as_columns() -> None:
    cell = '"' + ";" * (MAX_COLUMNS + 5) + '"'
    table = read_table(f"Email;Nome\na@example.com;{cell}\n".encode(), "vendas.csv")
    assert table.headers == ["Email", "Nome"]


def test_a_workbook_wider_than_the_column_cap_is_refused() -> None:
    problem = _problem(_xlsx({"Vendas": _wide_rows(MAX_COLUMNS + 1)}), "vendas.xlsx")
    assert problem.code == "too_many_columns"


def _xlsx(sheets: dict[str, Sequence[Sequence[Cell]]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for row_index, row in enumerate(rows):
            for column_index, value in enumerate(row):
                if isinstance(value, datetime | date):
                    sheet.write_datetime(row_index, column_index, value, date_format)
                elif value is not None:
                    sheet.write(row_index, column_index, value)
    workbook.close()
    return buffer.getvalue()


def test_xlsx_with_real_date_and_number_cells() -> None:
    data = _xlsx({"Vendas": [
        ["Email", "Data da transação", "Valor", "Documento", "Dia"],
        ["maria@example.com", datetime(2024, 3, 15, 14, 32, 10), 243.04, "00000", date(2024, 3, 2)],
        [],
        ["joao@example.com", datetime(2024, 4, 2, 9, 5), 297, 12345678901, None],
    ]})  # fmt: skip

    table = read_table(data, "vendas.xlsx")

    assert table.format == "xlsx"
    assert _records(table) == [
        {"Email": "maria@example.com", "Data da transação": "2024-03-15 14:32:10",
         "Valor": "243.04", "Documento": "00000", "Dia": "2024-03-02 00:00:00",
         ROW_NUMBER_COLUMN: 2},
        {"Email": "joao@example.com", "Data da transação": "2024-04-02 09:05:00",
         "Valor": "297", "Documento": "12345678901", "Dia": None, ROW_NUMBER_COLUMN: 4},
    ]  # fmt: skip


def test_xlsx_header_below_title_rows_on_the_first_sheet_with_an_email_column() -> None:
    data = _xlsx({
        "Resumo": [["Total de vendas", 2], ["Período", "março"]],
        "Vendas": [[], ["Histórico de vendas"], ["Exportado em 15/03/2024"], [],
                   ["Comprador(a)", "Email", "Valor"], ["Maria", "maria@example.com", 10.5]],
    })  # fmt: skip

    table = read_table(data, "vendas.xlsx")

    assert table.headers == ["Comprador(a)", "Email", "Valor"]
    assert _records(table) == [
        {
            "Comprador(a)": "Maria",
            "Email": "maria@example.com",
            "Valor": "10.5",
            ROW_NUMBER_COLUMN: 6,
        }
    ]


def test_xlsx_without_email_column_falls_back_to_the_first_non_empty_sheet() -> None:
    data = _xlsx({"Vazia": [], "Dados": [["Nome", "Valor"], ["Maria", 1]]})
    assert read_table(data, "vendas.xlsx").headers == ["Nome", "Valor"]


def test_xlsx_with_only_empty_sheets_is_empty() -> None:
    problem = _problem(_xlsx({"Plan1": [], "Plan2": []}), "vendas.xlsx")
    assert problem.code == "empty_file"


def _inline_string_xlsx(rows: Sequence[Sequence[str | float]]) -> bytes:
    # Hotmart's own XLSX writer declares <dimension ref="A1"/> and stores text as inline strings.
    def cell(reference: str, value: str | float) -> str:
        if isinstance(value, str):
            return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{reference}"><v>{value}</v></c>'

    sheet_rows = "".join(
        f'<row r="{number}">'
        + "".join(
            cell(f"{'ABCDEFGHIJ'[column]}{number}", value) for column, value in enumerate(row)
        )
        + "</row>"
        for number, row in enumerate(rows, start=1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    content_type = "application/vnd.openxmlformats"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{content_type}-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{content_type}'
            '-officedocument.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{content_type}'
            '-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><dimension ref="A1"/>'
            f"<sheetData>{sheet_rows}</sheetData></worksheet>"
        ),
    }  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(
                name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + content
            )
    return buffer.getvalue()


def test_xlsx_with_wrong_dimension_and_inline_strings() -> None:
    data = _inline_string_xlsx([
        ["Código da transação", "Email do(a) Comprador(a)", "Valor de compra com impostos"],
        ["HP1", "maria@example.com", 297],
        ["HP2", "joao@example.com", "243,04"],
    ])  # fmt: skip

    table = read_table(data, "hotmart.xlsx")

    assert table.headers == [
        "Código da transação",
        "Email do(a) Comprador(a)",
        "Valor de compra com impostos",
    ]
    assert [row["Valor de compra com impostos"] for row in _records(table)] == ["297", "243,04"]
    assert [row[ROW_NUMBER_COLUMN] for row in _records(table)] == [2, 3]


def _xls(rows: Sequence[Sequence[Cell]]) -> bytes:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Vendas")
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy hh:mm:ss")
    for row_index, row in enumerate(rows):
        for column_index, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write(row_index, column_index, value, date_style)
            elif value is not None:
                sheet.write(row_index, column_index, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_legacy_xls() -> None:
    data = _xls([
        ["Relatório"],
        ["Transação", "Email", "Data de Venda", "Preço Total"],
        ["HP1", "maria@example.com", datetime(2024, 3, 15, 14, 32, 10), 243.04],
    ])  # fmt: skip

    table = read_table(data, "vendas.xls")

    assert table.format == "xls"
    assert _records(table) == [
        {"Transação": "HP1", "Email": "maria@example.com", "Data de Venda": "2024-03-15 14:32:10",
         "Preço Total": "243.04", ROW_NUMBER_COLUMN: 3}
    ]  # fmt: skip


def test_format_comes_from_content_not_extension() -> None:
    xlsx = _xlsx({"S": [["Email"], ["a@example.com"]]})
    assert sniff_format(xlsx, "vendas.csv") == "xlsx"
    assert sniff_format(_xls([["Email"]]), "vendas.xlsx") == "xls"
    assert sniff_format(b"Email\na@example.com\n", "vendas.xlsx") == "csv"
    assert read_table(xlsx, "vendas.csv").format == "xlsx"


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        ("Email;Nome\n".encode("utf-16"), "UTF-16 text"),
        (bytes(range(256)), "binary data"),
        (b"Email\x01\x02\x03\x04", "binary data"),
    ],
)
def test_unsupported_formats(data: bytes, found: str) -> None:
    with pytest.raises(FileProblem) as raised:
        sniff_format(data, "vendas.csv")
    assert (raised.value.code, raised.value.http_status) == ("unsupported_format", 415)
    assert f"'vendas.csv' is {found}" in raised.value.message


def test_a_zip_without_a_workbook_is_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("vendas.csv", "Email\na@example.com\n")
    assert _problem(buffer.getvalue(), "vendas.zip").code == "unsupported_format"


def test_too_large() -> None:
    with pytest.raises(FileProblem) as raised:
        sniff_format(b"x" * (MAX_FILE_BYTES + 1), "vendas.csv")
    assert (raised.value.code, raised.value.http_status) == ("too_large", 413)
    assert "'vendas.csv' is 10.0 MB" in raised.value.message


def test_a_file_of_exactly_the_limit_is_accepted() -> None:
    assert sniff_format(b"x" * MAX_FILE_BYTES, "vendas.csv") == "csv"


@pytest.mark.parametrize(
    "data",
    [
        _xlsx({"S": [["Email"], ["a@example.com"]]})[:400],
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    ],
)
def test_damaged_workbooks_are_corrupt(data: bytes) -> None:
    problem = _problem(data, "vendas.xlsx")
    assert (problem.code, problem.http_status) == ("corrupt_file", 422)
    assert "'vendas.xlsx'" in problem.message


def test_a_zip_with_a_garbage_workbook_part_is_corrupt() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml at all")
    assert _problem(buffer.getvalue(), "vendas.xlsx").code == "corrupt_file"
