"""Runs every export through one fresh embedded stack and measures it against its floor."""

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx
from hotmart_stack.stack import EmbeddedStack

from bench.exports import csv_bytes, first_sales
from bench.floor import Floor, measure_floor
from bench.floor_store import create_tables
from bench.importer import ImportTiming, run_import
from bench.memory import PeakRss
from bench.plan import Export
from bench.stages import stage_seconds

CHUNK_ROWS: Final = 300  # the parse service's default chunk size
WARM_UP_ROWS: Final = 50


@dataclass
class RunResult:
    export: Export
    timing: ImportTiming
    floor: Floor | None = None
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)


@contextmanager
def fresh_stack(run_dir: Path) -> Iterator[EmbeddedStack]:
    """Every server started anew: no HOTMART_* address is inherited from the caller."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTMART_")}
    with EmbeddedStack(run_dir, env=env) as stack:
        asyncio.run(create_tables(stack.database_url))
        yield stack


def warm_up(api: httpx.Client, timeout_s: float) -> ImportTiming:
    # The first import after startup also waits for the consumer groups to settle.
    data = csv_bytes(first_sales(WARM_UP_ROWS, seed=1, tag="warm"))
    return run_import(api, "warm-up.csv", data, timeout_s)


def run_one(stack: EmbeddedStack, api: httpx.Client, export: Export,
            timeout_s: float) -> RunResult:
    with PeakRss(lambda: stack.pids) as peaks:
        timing = run_import(api, export.file_name, export.data, timeout_s)
    result = RunResult(export, timing, peak_rss_mb=peaks.megabytes())
    if timing.import_id is not None:
        result.stages = stage_seconds(stack.database_url, timing.import_id)
    result.floor = measure_floor(export.data, export.spec.file_format, export.sales,
                                 stack.database_url, stack.kafka_bootstrap, CHUNK_ROWS)
    return result
