"""Runs every export through one fresh embedded stack and measures it against its floor."""

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx

from bench.exports import csv_bytes, first_sales
from bench.floor import Floor, measure_floor
from bench.floor_store import create_tables
from bench.importer import ImportTiming, poll_for, run_import
from bench.maintenance import autovacuumed_since, vacuum
from bench.plan import Export
from bench.sampling import ProcessSampler, wait_until_quiet
from bench.stages import stage_seconds
from hotmart_stack.stack import EmbeddedStack

CHUNK_ROWS: Final = 300  # the parse service's default chunk size
WARM_UP_ROWS: Final = 50


@dataclass
class RunResult:
    export: Export
    timing: ImportTiming
    floor: Floor | None = None
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    start_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    foreign_cpu_s: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    autovacuumed: list[str] = field(default_factory=list)  # tables visited during the import


def new_stack(run_dir: Path) -> EmbeddedStack:
    """Every server started anew: no HOTMART_* address is inherited from the caller."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTMART_")}
    return EmbeddedStack(run_dir, env=env)


def prepare(stack: EmbeddedStack) -> None:
    asyncio.run(create_tables(stack.database_url))


def warm_up(api: httpx.Client, timeout_s: float) -> ImportTiming:
    # The first import after startup also waits for the consumer groups to settle.
    data = csv_bytes(first_sales(WARM_UP_ROWS, seed=1, tag="warm"))
    return run_import(api, "warm-up.csv", data, timeout_s)


def polling_cost(stack: EmbeddedStack, api: httpx.Client, import_id: str,
                 seconds: float = 3.0) -> dict[str, float]:
    """CPU-s per second the stack spends answering this bench's 20 polls a second."""
    wait_until_quiet(lambda: stack.pids)
    with ProcessSampler(lambda: stack.pids) as sampler:
        poll_for(api, import_id, seconds)
    return {name: round(used / seconds, 3) for name, used in sampler.cpu_s().items()
            if used > 0}


def run_one(stack: EmbeddedStack, api: httpx.Client, export: Export,
            timeout_s: float) -> RunResult:
    vacuumed_at = vacuum(stack.database_url)
    wait_until_quiet(lambda: stack.pids)
    with ProcessSampler(lambda: stack.pids) as sampler:
        timing = run_import(api, export.file_name, export.data, timeout_s)
    result = RunResult(export, timing, peak_rss_mb=sampler.peak_rss_mb(),
                       start_rss_mb=sampler.start_rss_mb(), cpu_s=sampler.cpu_s(),
                       foreign_cpu_s=sampler.foreign_cpu_s(),
                       autovacuumed=autovacuumed_since(stack.database_url, vacuumed_at))
    if timing.import_id is not None:
        result.stages = stage_seconds(stack.database_url, timing.import_id)
    vacuum(stack.database_url)
    wait_until_quiet(lambda: stack.pids)
    result.floor = measure_floor(export.data, export.spec.file_format, export.sales,
                                 stack.database_url, stack.kafka_bootstrap, CHUNK_ROWS)
    return result
