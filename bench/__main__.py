"""Imports synthetic Hotmart exports through the public API of a fresh embedded stack, and
measures each against its floor (the same rows read, upserted and sent through the broker
raw). Prints a table and the targets; writes bench/results/latest.json."""

import argparse
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.adversarial import ShapeResult, run_shapes
from bench.plan import DEFAULT_SIZES, Export, build_export, run_specs, wants_shapes
from bench.report import shape_table, table, target_lines, write_json
from bench.runner import RunResult, new_stack, polling_cost, prepare, run_one, warm_up
from hotmart_stack.stack import EmbeddedStack

RESULTS = Path(__file__).parent / "results" / "latest.json"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help="row counts (as CSV; '10000:xlsx' as XLSX), '10mb' (a CSV and"
                             " an XLSX of the same rows) and/or 'adversarial' (hostile shapes:"
                             " a million rows, 16 000 columns, ZIP bombs, formula cells);"
                             f" default {DEFAULT_SIZES}")
    parser.add_argument("--keep", action="store_true",
                        help="keep the stack's run directory (logs, data) and say where")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds an import may take before it is recorded as failed")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    _warn_if_busy()
    run_dir = Path(tempfile.mkdtemp(prefix="hotmart-bench-"))
    stack = new_stack(run_dir / "stack")
    pool = ThreadPoolExecutor(max_workers=1)
    starting = pool.submit(_start, stack)  # the servers boot while the files are generated
    try:
        exports = generate(args.sizes, run_dir)
        stack_start_s = starting.result()
        results, shapes, extra = run_all(stack, exports, wants_shapes(args.sizes),
                                         args.timeout)
    finally:
        stack.request_stop()  # aborts a startup still in progress
        pool.shutdown()
        stack.stop()
        if args.keep:
            print(f"stack logs kept in {stack.log_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
    tables = [table(results)] if results else []
    tables += [shape_table(shapes)] if shapes else []
    print("\n" + "\n\n".join([*tables, target_lines(results, shapes)]))
    write_json(results, shapes, RESULTS, {"sizes": args.sizes,
                                          "stack_start_s": round(stack_start_s, 1), **extra})
    print(f"\nwrote {RESULTS}")


def _warn_if_busy() -> None:
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load > cores / 2:
        print(f"warning: load average {load:.1f} on {cores} cores before starting; other work"
              " on this machine will make the figures pessimistic")


def _start(stack: EmbeddedStack) -> float:
    started = time.perf_counter()
    stack.start()
    stack.wait_ready()
    prepare(stack)
    return time.perf_counter() - started


def generate(sizes: str, work_dir: Path) -> list[Export]:
    exports = []
    for spec in run_specs(sizes):
        started = time.perf_counter()
        export = build_export(spec, work_dir)
        print(f"generated {export.file_name}: {len(export.sales)} rows, "
              f"{len(export.data) / 2**20:.1f} MB in {time.perf_counter() - started:.1f} s")
        if export.note:
            print(f"  note: {export.note}")
        exports.append(export)
    return exports


def run_all(stack: EmbeddedStack, exports: list[Export], with_shapes: bool, timeout_s: float
            ) -> tuple[list[RunResult], list[ShapeResult], dict[str, object]]:
    results = []
    probe_before = cpu_probe()
    with httpx.Client(base_url=stack.api_url, timeout=120.0) as api:
        warm = warm_up(api, timeout_s)
        print(f"warm-up import {warm.status} in {warm.seconds or 0:.1f} s")
        polling = polling_cost(stack, api, warm.import_id) if warm.import_id else {}
        print(f"polling every 50 ms costs the stack {sum(polling.values()):.2f} CPU-s per s")
        for export in exports:
            result = run_one(stack, api, export, timeout_s)
            print(_progress_line(result))
            results.append(result)
        # Last: a shape that takes a service past its bound should not weigh on the exports.
        shapes = run_shapes(stack, api, timeout_s) if with_shapes else []
    probe = {"before_s": probe_before, "after_s": cpu_probe()}
    print(f"CPU probe (a fixed pure-Python loop): {probe['before_s']:.3f} s before the imports,"
          f" {probe['after_s']:.3f} s after; the figures move with it")
    return results, shapes, {"warm_up_s": warm.seconds, "polling_cpu_s_per_s": polling,
                     "cpu_probe": probe}


def cpu_probe() -> float:
    """Seconds a fixed pure-Python loop takes: how fast this machine's CPU is right now.
    On a shared virtual machine it varies between runs by more than many optimisations buy."""
    started = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i * i % 7
    return round(time.perf_counter() - started, 3)


def _progress_line(result: RunResult) -> str:
    timing, floor = result.timing, result.floor
    took = f"{timing.seconds:.2f} s" if timing.seconds is not None else "-"
    floor_text = f"floor {floor.seconds:.2f} s" if floor else "no floor"
    return f"{result.export.spec.name}: {timing.status} in {took} ({floor_text})"


if __name__ == "__main__":
    main()
