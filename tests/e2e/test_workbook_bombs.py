"""Zip bombs and busy workbook readers, through the running upload service.

A bomb whose headers claim a few KB is refused with a 422 in about a tenth of a second; a
CSV sent beside several of them, or while every workbook reader is busy, still answers at
once; a workbook past the readers and their waiting places is refused with a 503 and a
``Retry-After``. Bounds on time are generous (the machine is shared): they tell seconds
from the tens of seconds a bomb took before, not tenths from tenths.
"""

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from hotmart_common.blobstore import stored_table_key
from hotmart_common.spreadsheet.stored import STORED_TABLE_VERSION
from hotmart_stack.servers import s3_client
from hotmart_stack.services import python_module_service
from hotmart_stack.stack import EmbeddedStack
from tests.conftest import STARTUP_TIMEOUT_S
from tests.support.api import wait_finished
from tests.support.bombs import xlsx_bomb, xlsx_of_many_rows

pytestmark = pytest.mark.e2e

PROMPT_S = 10.0
SMALL_CSV = b"Email;Nome\r\nmaria@example.com;Maria\r\njoao@example.com;Joao\r\n"


@pytest.fixture(scope="module")
def forged_bomb() -> bytes:
    return xlsx_bomb(1200, declared_bytes=4096)  # 1.2 MB on the wire, 1.2 GB inflated


@pytest.fixture(scope="module")
def one_reader(stack: EmbeddedStack, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[httpx.Client]:
    """A second upload service on the same servers, with one workbook reader and no place
    to wait for it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTMART_")}
    env |= {**stack.service_env, "UPLOAD_WORKBOOK_READERS": "1",
            "UPLOAD_WORKBOOK_READS_WAITING": "0", "UPLOAD_WORKBOOK_RETRY_AFTER_S": "3"}
    run_dir: Path = tmp_path_factory.mktemp("one-reader")
    upload = EmbeddedStack(run_dir, [python_module_service("upload", "upload_service")], env)
    upload.start()
    try:
        upload.wait_ready(STARTUP_TIMEOUT_S)
        with httpx.Client(base_url=upload.api_url, timeout=120.0) as client:
            yield client
    finally:
        upload.stop()


def upload(api: httpx.Client, name: str, data: bytes) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = api.post("/v1/imports", files={"file": (name, data)})
    return answer, time.monotonic() - started


def uploads_at_once(api: httpx.Client, files: list[tuple[str, bytes]]
                    ) -> list[tuple[httpx.Response, float]]:
    start = threading.Barrier(len(files))

    def send(file: tuple[str, bytes]) -> tuple[httpx.Response, float]:
        start.wait()
        return upload(api, *file)

    with ThreadPoolExecutor(len(files)) as senders:
        return list(senders.map(send, files))


def test_a_bomb_whose_headers_claim_4_kb_is_refused_within_seconds(
        api: httpx.Client, forged_bomb: bytes) -> None:
    answer, seconds = upload(api, "bomba.xlsx", forged_bomb)

    assert answer.status_code == 422, answer.text
    assert "'bomba.xlsx'" in answer.json()["detail"]
    assert "unpacks to more than 200 MB" in answer.json()["detail"]
    assert seconds < PROMPT_S


def test_the_parser_refuses_a_bomb_it_finds_instead_of_the_kept_table(
        api: httpx.Client, stack: EmbeddedStack, forged_bomb: bytes) -> None:
    # The parser reads the workbook itself when the table the upload kept is missing: an
    # export swapped in storage meets the same check there.
    created, _ = upload(api, "vendas.xlsx", xlsx_of_many_rows(1))
    assert created.status_code == 201, created.text
    import_id = created.json()["id"]
    s3 = s3_client(stack.s3_endpoint)
    s3.delete_object(Bucket=stack.s3_bucket,
                     Key=stored_table_key("default", import_id, STORED_TABLE_VERSION))
    s3.put_object(Bucket=stack.s3_bucket, Key=f"imports/default/{import_id}/vendas.xlsx",
                  Body=forged_bomb)

    assert api.post(f"/v1/imports/{import_id}/confirm").status_code == 202
    finished = wait_finished(api, import_id, timeout_s=60.0)

    assert finished["status"] == "failed"
    assert "unpacks to more than 200 MB" in finished["error"]


def test_a_small_csv_sent_beside_six_bombs_answers_promptly(
        api: httpx.Client, forged_bomb: bytes) -> None:
    with ThreadPoolExecutor(1) as bomber:
        bombs = bomber.submit(uploads_at_once, api,
                              [(f"bomba-{n}.xlsx", forged_bomb) for n in range(6)])
        time.sleep(0.5)  # the bombs are sent, and some of them read
        csv, seconds = upload(api, "vendas.csv", SMALL_CSV)

    assert csv.status_code == 201, csv.text
    assert seconds < PROMPT_S
    for answer, _ in bombs.result():
        assert answer.status_code in (422, 503), answer.text
        if answer.status_code == 503:
            assert answer.headers["Retry-After"] == "5"


def test_past_the_readers_and_their_places_a_workbook_is_refused_with_retry_after(
        one_reader: httpx.Client) -> None:
    # Three workbooks that take the reader a second or more each, sent at once, for one
    # reader and no place to wait: one is read, one at least is refused.
    workbook = xlsx_of_many_rows(60)
    answers = uploads_at_once(one_reader, [(f"vendas-{n}.xlsx", workbook) for n in range(3)])

    statuses = sorted(answer.status_code for answer, _ in answers)
    assert statuses[0] == 201 and statuses[-1] == 503, statuses
    for answer, seconds in answers:
        if answer.status_code == 503:
            assert answer.headers["Retry-After"] == "3"
            assert "every workbook reader is busy" in answer.json()["detail"]
            assert seconds < PROMPT_S  # refused at once, not after a wait
    declared = one_reader.get("/openapi.json").json()["paths"]["/v1/imports"]["post"]
    assert "Retry-After" in declared["responses"]["503"]["headers"]


def test_a_csv_does_not_wait_for_a_busy_workbook_reader(one_reader: httpx.Client) -> None:
    with ThreadPoolExecutor(1) as reader:
        workbook = reader.submit(upload, one_reader, "vendas.xlsx", xlsx_of_many_rows(80))
        time.sleep(0.5)  # the workbook has the only reader by now, for a few seconds
        csv, seconds = upload(one_reader, "vendas.csv", SMALL_CSV)
        busy, _ = upload(one_reader, "outra.xlsx", xlsx_of_many_rows(1))

    assert csv.status_code == 201, csv.text
    assert seconds < PROMPT_S
    assert busy.status_code == 503, "the reader was free again: the CSV proved nothing"
    assert workbook.result()[0].status_code == 201
