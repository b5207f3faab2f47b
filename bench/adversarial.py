"""Adversarial shapes: files built to cost memory, imported through the same stack as the
bench's exports, each service's peak RSS measured (``--sizes adversarial`` runs them alone).

No floor and no throughput target: what matters is that no service goes past its memory
bound whatever the file's shape, and that each file gets the answer it should.
"""

from dataclasses import dataclass
from typing import Final

import httpx

from bench.hostile import (
    WIDE_COLUMNS,
    WIDEST_ACCEPTED_COLUMNS,
    HostileFile,
    formula_cells_csv,
    formula_cells_xlsx,
    million_buyers,
    million_rejected_rows,
    wide,
    zip_bomb_forged,
    zip_bomb_honest,
)
from bench.importer import run_import
from bench.sampling import ProcessSampler, wait_until_quiet
from hotmart_stack.stack import EmbeddedStack

SHAPES: Final = (
    HostileFile("1m-rejected", "million-rejected.csv", million_rejected_rows, accepted=True),
    HostileFile("1m-buyers", "million-buyers.csv", million_buyers, accepted=True),
    HostileFile("16k-columns", "wide.csv", lambda: wide(WIDE_COLUMNS), accepted=False),
    HostileFile("1k-columns", "widest.csv", lambda: wide(WIDEST_ACCEPTED_COLUMNS),
                accepted=True),
    HostileFile("bomb-honest", "bomb-honest.xlsx", zip_bomb_honest, accepted=False),
    HostileFile("bomb-forged", "bomb-forged.xlsx", zip_bomb_forged, accepted=False),
    HostileFile("formulas-csv", "formulas.csv", formula_cells_csv, accepted=True),
    HostileFile("formulas-xlsx", "formulas.xlsx", formula_cells_xlsx, accepted=True),
)


@dataclass(frozen=True)
class ShapeResult:
    shape: HostileFile
    size: int
    upload_status: int | None
    status: str              # completed, failed, refused, timed out
    error: str | None
    seconds: float | None    # upload start -> completed, or the upload's answer if refused
    peak_rss_mb: dict[str, float]

    @property
    def as_expected(self) -> bool:
        if self.shape.accepted:
            return self.status == "completed"
        return self.upload_status == 422


def run_shapes(stack: EmbeddedStack, api: httpx.Client, timeout_s: float) -> list[ShapeResult]:
    results = []
    for shape in SHAPES:
        data = shape.build()
        wait_until_quiet(lambda: stack.pids)
        with ProcessSampler(lambda: stack.pids) as sampler:
            timing = run_import(api, shape.file_name, data, timeout_s)
        seconds = timing.seconds if timing.completed else timing.upload_s
        result = ShapeResult(shape, len(data), timing.upload_status, timing.status,
                             timing.error, seconds, sampler.peak_rss_mb())
        print(f"{shape.name}: {result.status} in {seconds or 0:.1f} s")
        results.append(result)
    return results
