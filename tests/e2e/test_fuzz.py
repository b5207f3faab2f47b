"""200 damaged or hostile files through the real stack: a clear 4xx or a finished import.

The files are derived, with a fixed seed, from a few valid corpus files: cut short, bytes
flipped or inserted, re-encoded (UTF-16, other code pages), columns shuffled / duplicated /
dropped, junk in cells, huge cells, e-mails and codes thousands of characters long,
ragged rows, open quotes, odd line endings, header only, random bytes, ZIP containers with
junk inside, damaged XLSX parts, a ZIP bomb, a file over 10 MB.

For every file the upload answers either a 4xx with a non-empty ``detail`` (never a 5xx)
or 201; a confirmed import then reaches ``completed`` or ``failed`` with an error message
within IMPORT_TIMEOUT_S. A completed import accounts for every row: skipped and failed rows
are listed with a reason, and the rest are new, changed or unchanged transactions. At the
end every server and service still runs with the pid it had at the start. Files that
misbehave are written to the test's tmp_path to reproduce by hand.
"""

import csv
import io
import math
import os
import random
import time
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures import generate
from tests.fixtures.expected import CHUNK_SIZE
from tests.fixtures.model import PLACEHOLDER
from tests.fixtures.writers import with_tag
from tests.support.api import ImportNotReady, wait_finished

pytestmark = pytest.mark.e2e

SEED = 20_250_301
FILES = 200
WORKERS = 4
IMPORT_TIMEOUT_S = 40.0     # one file, upload to completed
BUDGET_S = 180.0            # the whole run; files not started by then count as failures
SOURCES = ["current_detailed.csv", "legacy_model.csv", "english_simple.csv",
           "windows_1252.csv", "quoted_fields.csv", "xlsx_typed_cells.xlsx",
           "xlsx_wrong_dimension.xlsx", "legacy_xls.xls"]
CSV_SOURCES = [name for name in SOURCES if name.endswith(".csv")]
XLSX_SOURCES = [name for name in SOURCES if name.endswith(".xlsx")]
XLS_SOURCES = [name for name in SOURCES if name.endswith(".xls")]
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp437", "cp850", "mac_roman",
             "koi8_r", "cp1251", "shift_jis", "gb18030", "iso8859_7", "cp1252", "latin-1"]
JUNK = [
    "", " ", "(none)", "NaN", "Infinity", "-inf", "1e309", "1e-400", "0x1F", "--5", "+-3",
    "1,2,3", "١٢٣", "१२३", "𝟙𝟚𝟛", "R$", "R$ -", "12.34.56", "9" * 63, "9" * 400,
    "-" * 50, '=HYPERLINK("http://example.com")', "@SUM(A1)", "\u202e\u202dabc", "😀" * 10,
    "a@b", "@", "x" * 2000, '"', '""', "31/02/2024", "00/00/0000", "9999-12-31T23:59:59",
    "0001-01-01", "2024-02-29T24:00:00", "29/02/2023", "1/1/1", "99/99/9999 99:99:99",
    "2024-03-15T14:32:10+99:99", "2024-03-15T14:32:10.1234567890123Z", "2999-12-31T23:59:59-14:00",
    "NULL", "None", "true", "\u00a0", "\ufeff", "\u200b@example.com", "ÇÃÕ", "; ;", "a;b,c\td",
    "99999999999999999999999999999999999999.99", "-0", "0,000001", "R$ 1.234,5678",
    "MAIÚSCULO@EXAMPLE.COM", "user@example.com", "ünïcödé@exämple.com", "a" * 3000 + "@example.com",
    "HP" + "9" * 5000, "APPROVED", "Reembolsado", "CHARGEBACK", "15/03/2024 14:32:10", "BRL",
    "USD", "XXX", "€", "R$", "12 345,67", "1 234.56", "(1.234,56)",
]


@dataclass(frozen=True)
class Specimen:
    number: int
    kind: str
    source: str
    file_name: str
    data: bytes
    expect_status: int | None = None  # when the answer is certain, e.g. 422 for header only


# --------------------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------------------

def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _grid(data: bytes) -> tuple[list[list[str]], str]:
    text = _text(data)
    first = text.split("\n", 1)[0]
    sep = max(";,\t", key=first.count)
    return list(csv.reader(io.StringIO(text), delimiter=sep)), sep


def _csv(rows: list[list[str]], sep: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 40)):
        position = rng.randrange(len(out))
        out[position] ^= rng.randrange(1, 256)
    return bytes(out)


def insert_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 12)):
        position = rng.randrange(len(out) + 1)
        out[position:position] = rng.randbytes(rng.randrange(1, 64))
    return bytes(out)


def delete_span(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randrange(1, max(2, len(data) // 4)):]


def reencode(rng: random.Random, data: bytes) -> bytes:
    return _text(data).encode(rng.choice(ENCODINGS), errors="replace")


def shuffle_columns(rng: random.Random, data: bytes) -> bytes:
    rows, sep = _grid(data)
    width = max(len(row) for row in rows)
    order = list(range(width))
    rng.shuffle(order)
    if rng.random() < 0.5:   # duplicate some columns
        order += rng.sample(order, rng.randrange(1, min(5, width) + 1))
    if rng.random() < 0.5:   # drop some (perhaps the e-mail column)
        for _ in range(rng.randrange(1, min(4, width))):
            order.pop(rng.randrange(len(order)))
    return _csv([[row[i] if i < len(row) else "" for i in order] for row in rows], sep)


def junk_cells(rng: random.Random, data: bytes) -> bytes:
    rows, sep = _grid(data)
    for _ in range(rng.randrange(1, 30)):
        row = rows[rng.randrange(1, len(rows))] if len(rows) > 1 else rows[0]
        if row:
            row[rng.randrange(len(row))] = rng.choice(JUNK)
    return _csv(rows, sep)


def ragged_rows(rng: random.Random, data: bytes) -> bytes:
    rows, sep = _grid(data)
    for row in rows[1:]:
        if rng.random() < 0.4:
            del row[rng.randrange(len(row) + 1):]
        elif rng.random() < 0.3:
            row.extend(rng.choice(JUNK) for _ in range(rng.randrange(1, 6)))
    return _csv(rows, sep)


def huge_field(rng: random.Random, data: bytes) -> bytes:
    rows, sep = _grid(data)
    row = rows[rng.randrange(1, len(rows))]
    row[rng.randrange(len(row))] = rng.choice("xX9 ;@") * rng.randrange(100_000, 3_000_000)
    return _csv(rows, sep)


def long_keys(rng: random.Random, data: bytes) -> bytes:
    """An e-mail address or transaction code thousands of characters long (no repeats, so
    it does not compress)."""
    rows, sep = _grid(data)
    header = [cell.lower() for cell in rows[0]]
    email = next(i for i, cell in enumerate(header) if "mail" in cell or "correo" in cell)
    code = next((i for i, cell in enumerate(header) if "transa" in cell), email)
    for row in rng.sample(rows[1:], min(3, len(rows) - 1)):
        size = rng.randrange(2_000, 20_000)
        letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(size))
        if rng.random() < 0.5 and email < len(row):
            row[email] = f"{letters}@example.com"
        elif code < len(row):
            row[code] = letters.upper()
    return _csv(rows, sep)


def many_rows(rng: random.Random, data: bytes) -> bytes:
    rows, sep = _grid(data)
    body = rows[1:] * rng.randrange(10, 40)
    return _csv([rows[0], *body], sep)


def open_quote(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    line = rng.randrange(1, len(lines))
    cut = rng.randrange(len(lines[line]) + 1)
    lines[line] = lines[line][:cut] + b'"' + lines[line][cut:]
    return b"\n".join(lines)


def line_endings(rng: random.Random, data: bytes) -> bytes:
    text = data.replace(b"\r\n", b"\n")
    return text.replace(b"\n", rng.choice([b"\r", b"\r\r\n", b"\n\n", b"\x0c\n", b"\x1a\n"]))


def header_only(rng: random.Random, data: bytes) -> bytes:
    first = data.split(b"\n", 1)[0]
    sep = max([b";", b",", b"\t"], key=first.count)
    return first + rng.choice([b"", b"\n", b"\r\n\r\n", b"\n" + sep * 4 + b"\n\n"])


def binary_bytes(rng: random.Random, data: bytes) -> bytes:
    return rng.choice([truncate, flip_bytes, insert_bytes, delete_span])(rng, data)


def random_binary(rng: random.Random, data: bytes) -> bytes:
    return b"\x00" + rng.randbytes(rng.randrange(1, 50_000))


def _entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # deterministic bytes
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def zip_junk(rng: random.Random, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        names = rng.choice([["vendas.csv"], ["xl/workbook.xml"],
                            ["xl/workbook.xml", "xl/worksheets/sheet1.xml"],
                            ["[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml"],
                            ["docProps/app.xml", "word/document.xml"]])
        for name in names:
            junk = [rng.randbytes(rng.randrange(0, 4000)), data, b"<?xml?><workbook/>"]
            archive.writestr(_entry(name), rng.choice(junk))
    return out.getvalue()


def xlsx_part_damage(rng: random.Random, data: bytes) -> bytes:
    """A well-formed ZIP whose XML parts are cut, flipped or replaced."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        victims = {info.filename for info in source.infolist()
                   if rng.random() < 0.4 or "sheet" in info.filename}
        for info in source.infolist():
            part = source.read(info)
            if info.filename in victims:
                part = rng.choice([truncate, flip_bytes, insert_bytes, delete_span])(rng, part)
            if rng.random() < 0.05:
                continue  # the part is missing altogether
            target.writestr(_entry(info.filename), part)
    return out.getvalue()


_BOMB: bytes | None = None


def zip_bomb(rng: random.Random, data: bytes) -> bytes:
    """Tiny on disk, 210 MB when inflated (the product refuses more than 200 MB)."""
    global _BOMB
    if _BOMB is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_entry("xl/workbook.xml"), b"<workbook/>")
            with archive.open(_entry("xl/worksheets/sheet1.xml"), "w") as sheet:
                block = b" " * (1 << 20)
                for _ in range(210):
                    sheet.write(block)
        _BOMB = out.getvalue()
    return _BOMB


def oversized(rng: random.Random, data: bytes) -> bytes:
    rows, sep = _grid(data)
    rows[1][0] = "x" * (10 * 1024 * 1024)
    return _csv(rows, sep)


Mutation = Callable[[random.Random, bytes], bytes]
# kind -> (mutation, sources it applies to, certain answer or None)
MUTATIONS: dict[str, tuple[Mutation, list[str], int | None]] = {
    "truncate": (truncate, SOURCES, None),
    "flip_bytes": (flip_bytes, SOURCES, None),
    "insert_bytes": (insert_bytes, SOURCES, None),
    "delete_span": (delete_span, SOURCES, None),
    "reencode": (reencode, CSV_SOURCES, None),
    "shuffle_columns": (shuffle_columns, CSV_SOURCES, None),
    "junk_cells": (junk_cells, CSV_SOURCES, None),
    "junk_cells_2": (junk_cells, CSV_SOURCES, None),
    "ragged_rows": (ragged_rows, CSV_SOURCES, None),
    "huge_field": (huge_field, CSV_SOURCES, None),
    "long_keys": (long_keys, CSV_SOURCES, None),
    "many_rows": (many_rows, CSV_SOURCES, None),
    "open_quote": (open_quote, CSV_SOURCES, None),
    "line_endings": (line_endings, CSV_SOURCES, None),
    "header_only": (header_only, CSV_SOURCES, 422),
    "random_binary": (random_binary, SOURCES, 415),
    "zip_junk": (zip_junk, SOURCES, None),
    "xlsx_part_damage": (xlsx_part_damage, XLSX_SOURCES, None),
    "xls_bytes": (binary_bytes, XLS_SOURCES, None),
}
LAST = {"huge_field", "zip_bomb", "oversized"}
ONCE: dict[str, tuple[Mutation, str, int]] = {   # one file each
    "zip_bomb": (zip_bomb, "xlsx_typed_cells.xlsx", 422),
    "oversized": (oversized, "current_detailed.csv", 413),
    "empty": (lambda rng, data: b"", "current_detailed.csv", 422),
}


def specimens(tag: str) -> list[Specimen]:
    rng = random.Random(SEED)
    corpus = {name: with_tag((generate.CORPUS_DIR / name).read_bytes(),
                                      name.rsplit(".", 1)[1], tag) for name in SOURCES}
    out: list[Specimen] = []
    for kind, (mutate, source, certain) in ONCE.items():
        data = mutate(rng, corpus[source])
        out.append(Specimen(len(out), kind, source, f"{kind}.{source.rsplit('.', 1)[1]}",
                            data, certain))
    kinds = sorted(MUTATIONS)
    while len(out) < FILES:
        kind = kinds[len(out) % len(kinds)]
        mutate, sources, status = MUTATIONS[kind]
        source = rng.choice(sources)
        data = mutate(rng, corpus[source])
        ext = source.rsplit(".", 1)[1] if rng.random() < 0.85 else rng.choice(
            ["csv", "xlsx", "xls", "txt", "pdf", ""])
        out.append(Specimen(len(out), kind, source, f"fuzz-{len(out):03d}.{ext}".rstrip("."),
                            data, status))
    return out


# --------------------------------------------------------------------------------------
# Running one file
# --------------------------------------------------------------------------------------

@dataclass
class Outcome:
    specimen: Specimen
    answer: str    # "4xx", "completed", "failed", "stalled", "transport error", "not run"…
    problems: list[str]
    seconds: float


def run_one(base_url: str, specimen: Specimen, deadline: float) -> Outcome:
    started = time.monotonic()
    if started > deadline:
        return Outcome(specimen, "not run", ["the time budget ran out before this file"], 0.0)
    problems: list[str] = []
    answer = "?"
    try:
        with httpx.Client(base_url=base_url, timeout=30.0) as api:
            answer = _exercise(api, specimen, problems)
    except Exception as error:  # a transport error is a finding too (e.g. a dropped socket)
        answer = "transport error"
        problems.append(f"{type(error).__name__}: {error}")
    return Outcome(specimen, answer, problems, time.monotonic() - started)


def _exercise(api: httpx.Client, specimen: Specimen, problems: list[str]) -> str:
    created = api.post("/v1/imports", files={"file": (specimen.file_name, specimen.data)})
    if specimen.expect_status is not None and created.status_code != specimen.expect_status:
        problems.append(f"upload answered {created.status_code}, expected "
                        f"{specimen.expect_status}: {created.text[:300]}")
    if created.status_code != 201:
        _check_refusal(created, problems)
        return "4xx"
    import_id = created.json()["id"]
    confirmed = api.post(f"/v1/imports/{import_id}/confirm")
    if confirmed.status_code != 202:
        problems.append(f"confirm answered {confirmed.status_code}: {confirmed.text[:300]}")
        return "confirm refused"
    resource = _wait(api, import_id, problems)
    if resource is None:
        return "stalled"
    if resource["status"] == "failed":
        if not (isinstance(resource.get("error"), str) and resource["error"].strip()):
            problems.append(f"failed without an error message: {_brief(resource)}")
        return "failed"
    _check_completed(api, resource, problems)
    return "completed"


def _check_refusal(answer: httpx.Response, problems: list[str]) -> None:
    if not 400 <= answer.status_code < 500:
        problems.append(f"upload answered {answer.status_code}: {answer.text[:300]}")
        return
    try:
        detail = answer.json().get("detail")
    except ValueError:
        detail = None
    if not (isinstance(detail, str) and detail.strip()):
        problems.append(f"{answer.status_code} without a readable detail: {answer.text[:300]}")


def _wait(api: httpx.Client, import_id: str, problems: list[str]) -> dict[str, Any] | None:
    try:
        return wait_finished(api, import_id, IMPORT_TIMEOUT_S, poll_s=0.25)
    except httpx.HTTPStatusError as error:
        answer = error.response
        if answer.status_code < 500:
            raise
        problems.append(f"GET import answered {answer.status_code}: {answer.text[:300]}")
    except ImportNotReady as stalled:
        problems.append(f"stalled for {IMPORT_TIMEOUT_S:.0f} s: {_brief(stalled.resource)}")
    return None


def _check_completed(api: httpx.Client, resource: dict[str, Any], problems: list[str]) -> None:
    total = resource["total_rows"]
    if not isinstance(total, int) or total < 1:
        problems.append(f"completed with total_rows {total!r}")
        return
    chunks = math.ceil(total / CHUNK_SIZE)
    if (resource["chunks_total"], resource["chunks_done"]) != (chunks, chunks):
        problems.append(f"chunks {resource['chunks_done']}/{resource['chunks_total']}, "
                        f"expected {chunks}/{chunks} for {total} rows")
    if resource["rows_skipped"] + resource["rows_failed"] > total:
        problems.append(f"more skipped/failed rows than rows: {_brief(resource)}")
    # Every row is skipped, failed, or imported as a new / changed / unchanged transaction.
    imported = sum(resource.get(f"transactions_{kind}") or 0
                   for kind in ("new", "changed", "unchanged"))
    if imported != total - resource["rows_skipped"] - resource["rows_failed"]:
        problems.append(f"{imported} rows imported, but {total} rows - "
                        f"{resource['rows_skipped']} skipped - {resource['rows_failed']} "
                        f"failed: {_brief(resource)}")
    for value in (resource["total_revenue"], resource["lost_revenue"]):
        Decimal(value)
    for status, count in (("skipped", resource["rows_skipped"]),
                          ("failed", resource["rows_failed"])):
        rows = api.get(f"/v1/imports/{resource['id']}/rows",
                       params={"status": status, "limit": 1000}).json()["items"]
        if len(rows) != min(count, 1000):
            problems.append(f"{count} rows {status} but {len(rows)} listed")
        for row in rows:
            if not (row.get("code") and row.get("message") and row.get("row_number", 0) >= 1):
                problems.append(f"{status} row without a reason: {row}")
                break


def _brief(resource: dict[str, Any]) -> str:
    keys = ("id", "status", "total_rows", "chunks_total", "chunks_done", "rows_skipped",
            "rows_failed", "transactions_new", "transactions_changed", "transactions_unchanged",
            "error")
    return str({key: resource.get(key) for key in keys})


# --------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------

def test_specimens_are_deterministic() -> None:
    first = [(s.kind, s.file_name, zlib.crc32(s.data)) for s in specimens("tfuzzcheck")]
    again = [(s.kind, s.file_name, zlib.crc32(s.data)) for s in specimens("tfuzzcheck")]
    assert first == again
    assert len(first) == FILES
    assert len(Counter(kind for kind, _, _ in first)) == len(MUTATIONS) + len(ONCE)


def run_order(specimen: Specimen) -> tuple[int, int]:
    """Files most likely to take a service down go last, so that the others still meet a
    healthy stack and their findings are their own."""
    damaged_binary = (specimen.source.endswith((".xls", ".xlsx")) and specimen.kind in (
        "truncate", "flip_bytes", "insert_bytes", "delete_span", "xls_bytes"))
    return (1 if damaged_binary or specimen.kind in LAST else 0, specimen.number)


def test_fuzzed_files_never_break_the_pipeline(stack: Any, tmp_path: Path) -> None:
    pids_before = dict(stack.pids)
    tag = ("f" + uuid.uuid4().hex)[: len(PLACEHOLDER)]
    files = sorted(specimens(tag), key=run_order)
    deadline = time.monotonic() + BUDGET_S
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(lambda s: run_one(stack.api_url, s, deadline), files))
    elapsed = time.monotonic() - started

    answers = Counter(outcome.answer for outcome in outcomes)
    bad = [outcome for outcome in outcomes if outcome.problems]
    for outcome in bad:   # kept for reproduction: upload the file by hand
        (tmp_path / f"{outcome.specimen.number:03d}-{outcome.specimen.kind}").write_bytes(
            outcome.specimen.data)
    pids_after = dict(stack.pids)
    findings = [
        f"#{o.specimen.number} {o.specimen.kind} from {o.specimen.source} "
        f"({len(o.specimen.data)} bytes, {o.seconds:.1f} s): {'; '.join(o.problems)}"
        for o in bad]
    if pids_after != pids_before:
        changed = {name: (pid, pids_after.get(name)) for name, pid in pids_before.items()
                   if pids_after.get(name) != pid}
        findings.append(f"processes restarted (name: (pid before, pid after)): {changed}")
    dead = {name: pid for name, pid in pids_after.items() if not _alive(pid)}
    if dead:
        findings.append(f"processes gone: {dead}")
    if answers["completed"] < 20 or answers["4xx"] < 20:
        findings.append(f"too few files got through or were refused: {dict(answers)}")
    print(f"\nfuzz: {len(files)} files in {elapsed:.0f} s, answers {dict(answers)}")
    assert not findings, (
        f"{len(bad)} of {len(files)} files misbehaved, answers {dict(answers)}; the files are "
        f"in {tmp_path}\n" + "\n".join(findings))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
