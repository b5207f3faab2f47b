"""The hostile-file corpus through the real stack, with every service's memory measured.

The stack is a fresh one of the module's own, configured as in production: the session's
stack parses in chunks of 7 rows so that small files span many partitions, and a million
rows would then be 142 858 chunks to report, which its consumers work through in about
fifty minutes; in chunks of 300 they take seconds, as they would in production.

Each file is uploaded alone (and confirmed when accepted, then followed to its end) while a
background thread samples the RSS of every process of the stack, children included (the
upload's guarded workbook reader is a child), every 50 ms. Each file must get its answer
(an accepted one completes; a refused one gets 422 with a reason), and no service may go
past 512 MB on any of them: the bound the services keep by design whatever the shape of a
file up to 10 MB (a million rows, thousands of columns, ZIP bombs whose headers tell the
truth or lie, formula cells, names no file system or header would take as they are).

The table of outcomes (answer, seconds, peak MB per service) is printed (``pytest -s``)
and written to ``hostile-corpus.txt`` in the test's tmp dir, to quote in a note.
"""

import time
import uuid
from collections.abc import Callable, Container
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
import pytest

from bench import hostile
from bench.sampling import ProcessSampler, wait_until_quiet
from bench.targets import SERVICES, SHAPE_MEMORY_MB
from hotmart_stack.stack import EmbeddedStack
from tests.fixtures import generate
from tests.fixtures.model import PLACEHOLDER
from tests.fixtures.writers import with_tag
from tests.support.api import ImportNotReady, wait_finished

pytestmark = pytest.mark.e2e

IMPORT_TIMEOUT_S: Final = 120.0
SMALL_EXPORT: Final = "current_detailed.csv"
ODD_NAMES: Final = {
    "name-not-latin-1": "vendas-日本語-ção-😀.csv",
    "name-quotes-newline": 'vendas "março"\r\nContent-Type: text/html; x=".csv',
    "name-path": "../../etc/passwd/..\\..\\vendas.csv",
    "name-very-long": "v" * 1000 + ".csv",
}
# Past the multipart parser's limit on a part's headers (4 KB): refused as a malformed
# request, with a reason, before the file is read.
OVERLONG_NAME: Final = "v" * 5000 + ".csv"
REFUSED: Final = range(400, 500)


@dataclass(frozen=True)
class Case:
    name: str
    file_name: str
    build: Callable[[], bytes]
    statuses: Container[int]  # what the upload may answer


@dataclass(frozen=True)
class Outcome:
    case: Case
    status: int
    final: str  # the import's last status, or the upload's refusal
    seconds: float
    peak_rss_mb: dict[str, float]
    problems: list[str]


def _small_export() -> bytes:
    tag = ("h" + uuid.uuid4().hex)[: len(PLACEHOLDER)]
    return with_tag((generate.CORPUS_DIR / SMALL_EXPORT).read_bytes(), "csv", tag)


QUIET_WAIT_S: Final = 3.0

CASES: Final = [
    Case("bomb-honest", "bomb-honest.xlsx", hostile.zip_bomb_honest, (422,)),
    Case("bomb-forged", "bomb-forged.xlsx", hostile.zip_bomb_forged, (422,)),
    Case("1m-rejected-rows", "million.csv", hostile.million_rejected_rows, (201,)),
    Case("16k-columns", "wide.csv", lambda: hostile.wide(hostile.WIDE_COLUMNS), (422,)),
    Case("1k-columns", "widest.csv", lambda: hostile.wide(hostile.WIDEST_ACCEPTED_COLUMNS),
         (201,)),
    Case("formulas-csv", "formulas.csv", hostile.formula_cells_csv, (201,)),
    Case("formulas-xlsx", "formulas.xlsx", hostile.formula_cells_xlsx, (201,)),
    *(Case(name, file_name, _small_export, (201,)) for name, file_name in ODD_NAMES.items()),
    Case("name-over-4-kb", OVERLONG_NAME, _small_export, REFUSED),
]


def run_case(stack: EmbeddedStack, api: httpx.Client, case: Case) -> Outcome:
    data = case.build()
    # Lets the previous file's tail (a broker flush, autovacuum) pass. The embedded stack
    # never idles below the bench's threshold (its consumers poll), so the wait is capped:
    # a peak of memory is the file's own whatever the CPU does meanwhile.
    wait_until_quiet(lambda: stack.pids, max_wait_s=QUIET_WAIT_S)
    problems: list[str] = []
    started = time.monotonic()
    with ProcessSampler(lambda: stack.pids) as sampler:
        created = api.post("/v1/imports", files={"file": (case.file_name, data)})
        final = _follow(api, created, problems) if created.status_code == 201 else "refused"
    seconds = time.monotonic() - started
    if created.status_code not in case.statuses:
        problems.append(f"upload answered {created.status_code}: {created.text[:300]}")
    elif created.status_code != 201 and not str(created.json().get("detail", "")).strip():
        problems.append(f"{created.status_code} without a reason")
    peaks = {name: mb for name, mb in sampler.peak_rss_mb().items() if name in SERVICES}
    problems += [f"{name} peaked at {mb:.0f} MB, over {SHAPE_MEMORY_MB} MB"
                 for name, mb in peaks.items() if mb > SHAPE_MEMORY_MB]
    return Outcome(case, created.status_code, final, seconds, peaks, problems)


def _follow(api: httpx.Client, created: httpx.Response, problems: list[str]) -> str:
    resource = created.json()
    if not _is_plain_name(resource["file_name"]):
        problems.append(f"file name kept as {resource['file_name'][:80]!r}")
    confirmed = api.post(f"/v1/imports/{resource['id']}/confirm")
    if confirmed.status_code != 202:
        problems.append(f"confirm answered {confirmed.status_code}: {confirmed.text[:300]}")
        return "not confirmed"
    try:
        resource = wait_finished(api, resource["id"], IMPORT_TIMEOUT_S, poll_s=0.25)
    except ImportNotReady as stalled:
        problems.append(f"still {stalled.resource['status']} after {IMPORT_TIMEOUT_S:.0f} s")
        return str(stalled.resource["status"])
    if resource["status"] == "failed":
        problems.append(f"the import failed: {resource['error']}")
    return str(resource["status"])


def _is_plain_name(name: str) -> bool:
    # What the product keeps of a name: no directories, quotes or control characters, and
    # short enough for any file system and header.
    return (0 < len(name) <= 200 and not any(char in name for char in '/\\"\r\n')
            and name.isprintable())


WIDTHS: Final = (19, 6, 10, 7, *(max(7, len(name) + 3) for name in SERVICES))
HEAD: Final = ("file", "answer", "outcome", "seconds", *(f"{name} MB" for name in SERVICES))


def _row(cells: tuple[str, ...]) -> str:
    return " ".join(cell.ljust(width) if index == 0 else cell.rjust(width)
                    for index, (cell, width) in enumerate(zip(cells, WIDTHS, strict=True)))


def _outcome_row(outcome: Outcome) -> str:
    return _row((outcome.case.name, str(outcome.status), outcome.final,
                 f"{outcome.seconds:.1f}",
                 *(f"{outcome.peak_rss_mb.get(name, 0):.0f}" for name in SERVICES)))


def table(outcomes: list[Outcome]) -> str:
    lines = [_row(HEAD), _row(tuple("-" * width for width in WIDTHS))]
    return "\n".join([*lines, *map(_outcome_row, outcomes)])


def test_hostile_files_get_their_answer_within_each_services_memory_bound(
        production_stack: EmbeddedStack, production_api: httpx.Client, tmp_path: Path) -> None:
    outcomes = []
    for case in CASES:  # one at a time, so each peak is that file's
        outcomes.append(run_case(production_stack, production_api, case))
        print(_outcome_row(outcomes[-1]), flush=True)
    report = table(outcomes)
    (tmp_path / "hostile-corpus.txt").write_text(report + "\n")
    print(f"\nhostile corpus (peak RSS per service, children included):\n{report}")
    findings = [f"{o.case.name}: {'; '.join(o.problems)}" for o in outcomes if o.problems]
    assert not findings, "\n".join([*findings, report])
