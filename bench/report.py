"""The printed table and bench/results/latest.json."""

import json
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench.adversarial import ShapeResult
from bench.runner import RunResult
from bench.targets import SERVICES, checks

COLUMNS = ("name", "rows", "MB", "seconds", "rows/s", "1st progress s", "floor s", "ratio",
           "max RSS service")
WIDTHS = (10, 7, 6, 8, 7, 14, 8, 6, 21)
SHAPE_COLUMNS = ("shape", "MB", "answer", "seconds", *(f"{name} MB" for name in SERVICES))
SHAPE_WIDTHS = (13, 5, 9, 7, *(max(7, len(name) + 3) for name in SERVICES))


def table(results: Sequence[RunResult]) -> str:
    lines = [_row(COLUMNS), _row(tuple("-" * width for width in WIDTHS))]
    lines += [_row(_cells(result)) for result in results]
    lines += [f"  {r.export.spec.name}: {r.timing.status}: {r.timing.error}"
              for r in results if not r.timing.completed]
    lines += [f"  {r.export.spec.name}: other processes used {r.foreign_cpu_s:.1f} CPU-s during"
              " this import; its figures are pessimistic" for r in results if _disturbed(r)]
    lines += [f"  {r.export.spec.name}: autovacuum visited {', '.join(r.autovacuumed)} during"
              " this import" for r in results if r.autovacuumed]
    return "\n".join(lines)


def _disturbed(result: RunResult) -> bool:
    wall = result.timing.seconds or 0.0
    return result.foreign_cpu_s > max(1.0, 0.1 * wall)


def _row(cells: Sequence[str], widths: Sequence[int] = WIDTHS) -> str:
    return " ".join(cell.rjust(width) if index else cell.ljust(width)
                    for index, (cell, width) in enumerate(zip(cells, widths, strict=True)))


def shape_table(shapes: Sequence[ShapeResult]) -> str:
    """Peak RSS of every service per adversarial shape (the upload's reader child included)."""
    if not shapes:
        return "adversarial shapes: not in this run"
    lines = [_row(SHAPE_COLUMNS, SHAPE_WIDTHS), _row(["-" * w for w in SHAPE_WIDTHS], SHAPE_WIDTHS)]
    lines += [_row(_shape_cells(shape), SHAPE_WIDTHS) for shape in shapes]
    lines += [f"  {r.shape.name}: {r.status}: {r.error}" for r in shapes if r.error]
    return "\n".join(lines)


def _shape_cells(result: ShapeResult) -> tuple[str, ...]:
    answer = result.status if result.upload_status == 201 else str(result.upload_status)
    return (result.shape.name, f"{result.size / 2**20:.1f}", answer,
            _number(result.seconds, "{:.1f}"),
            *(_number(result.peak_rss_mb.get(name), "{:.0f}") for name in SERVICES))


def _cells(result: RunResult) -> tuple[str, ...]:
    run = as_json(result)
    failed = not result.timing.completed
    return (
        run["name"], str(run["rows"]), f"{run['bytes'] / 2**20:.1f}",
        result.timing.status.upper() if failed else f"{run['seconds']:.2f}",
        "-" if failed else f"{run['rows_per_s']:.0f}",
        _number(run["first_progress_s"], "{:.2f}"), _number(run["floor_seconds"], "{:.2f}"),
        "-" if failed else _number(run["floor_ratio"], "{:.1f}x"),
        _heaviest(run["peak_rss_mb"]),
    )


def _number(value: float | None, shown: str) -> str:
    return "-" if value is None else shown.format(value)


def _heaviest(peaks: dict[str, float]) -> str:
    services = {name: mb for name, mb in peaks.items() if name in SERVICES}
    if not services:
        return "-"
    name = max(services, key=lambda service: services[service])
    return f"{name} {services[name]:.0f} MB"


def target_lines(results: Sequence[RunResult], shapes: Sequence[ShapeResult] = ()) -> str:
    return "\n".join(["targets:", *(check.line() for check in checks(results, shapes))])


def as_json(result: RunResult) -> dict[str, Any]:
    timing, floor, spec = result.timing, result.floor, result.export.spec
    seconds = timing.seconds if timing.completed else None
    rows = len(result.export.sales)
    return {
        "name": spec.name, "format": spec.file_format, "rows": rows,
        "bytes": len(result.export.data), "status": timing.status, "error": timing.error,
        "seconds": _rounded(seconds),
        "rows_per_s": _rounded(rows / seconds if seconds else None, 1),
        "first_progress_s": _rounded(timing.first_progress_s),
        "upload_s": _rounded(timing.upload_s),
        "floor_seconds": _rounded(floor.seconds if floor else None),
        "floor": None if floor is None else {"read_s": _rounded(floor.read_s),
                                             "store_s": _rounded(floor.store_s),
                                             "bus_s": _rounded(floor.bus_s)},
        "floor_ratio": _rounded(seconds / floor.seconds if seconds and floor else None, 2),
        "peak_rss_mb": result.peak_rss_mb,
        "start_rss_mb": result.start_rss_mb,
        "cpu_s": result.cpu_s,
        "foreign_cpu_s": result.foreign_cpu_s,
        "stages_after_confirm_s": result.stages,
        "autovacuumed_during": result.autovacuumed,
        "summary": {key: timing.resource.get(key) for key in (
            "total_rows", "chunks_total", "chunks_done", "clients_created", "clients_updated",
            "rows_skipped", "rows_failed")},
        "note": result.export.note,
    }


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def shape_json(result: ShapeResult) -> dict[str, Any]:
    return {"name": result.shape.name, "file_name": result.shape.file_name,
            "bytes": result.size, "upload_status": result.upload_status,
            "status": result.status, "error": result.error,
            "seconds": _rounded(result.seconds), "as_expected": result.as_expected,
            "peak_rss_mb": result.peak_rss_mb}


def write_json(results: Sequence[RunResult], shapes: Sequence[ShapeResult], path: Path,
               extra: dict[str, Any]) -> None:
    document = {
        "runs": [as_json(result) for result in results],
        "adversarial": [shape_json(shape) for shape in shapes],
        "targets": [{"target": c.target, "met": c.met, "figure": c.figure}
                    for c in checks(results, shapes)],
        "machine": machine(),
        "code": code_version(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def code_version() -> dict[str, Any]:
    """Which code was measured: others may be editing the tree while the bench runs."""
    root = Path(__file__).parent.parent
    head = _git(root, "rev-parse", "--short", "HEAD")
    changed = _git(root, "status", "--porcelain", "--", "libs", "services")
    return {"commit": head.strip() or None,
            "uncommitted_in_libs_services": len(changed.splitlines())}


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout


def _cpu_model() -> str | None:
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        return platform.processor() or None
    for line in cpuinfo.read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return None
