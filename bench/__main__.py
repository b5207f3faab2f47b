"""`python -m bench [--sizes 1000,10000,100000,10mb] [--keep]`: see bench/README.md."""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from bench.plan import DEFAULT_SIZES, Export, build_export, run_specs
from bench.report import table, target_lines, write_json
from bench.runner import RunResult, fresh_stack, run_one, warm_up

RESULTS = Path(__file__).parent / "results" / "latest.json"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help="row counts and/or '10mb' (a CSV and an XLSX of the same rows);"
                             f" default {DEFAULT_SIZES}")
    parser.add_argument("--keep", action="store_true",
                        help="keep the stack's run directory (logs, data) and say where")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds an import may take before it is recorded as failed")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    run_dir = Path(tempfile.mkdtemp(prefix="hotmart-bench-"))
    try:
        exports = generate(args.sizes, run_dir)
        results, timings = run_all(exports, run_dir / "stack", args.timeout)
    finally:
        if args.keep:
            print(f"stack logs kept in {run_dir / 'stack' / 'logs'}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
    print()
    print(table(results))
    print()
    print(target_lines(results))
    write_json(results, RESULTS, {"sizes": args.sizes, **timings})
    print(f"\nwrote {RESULTS}")


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


def run_all(exports: list[Export], run_dir: Path,
            timeout_s: float) -> tuple[list[RunResult], dict[str, float | None]]:
    started = time.perf_counter()
    results = []
    with fresh_stack(run_dir) as stack, httpx.Client(base_url=stack.api_url,
                                                     timeout=120.0) as api:
        stack_start_s = time.perf_counter() - started
        warm = warm_up(api, timeout_s)
        print(f"stack up in {stack_start_s:.1f} s; warm-up import {warm.status} in "
              f"{warm.seconds or 0:.1f} s")
        for export in exports:
            result = run_one(stack, api, export, timeout_s)
            print(_progress_line(result))
            results.append(result)
    return results, {"stack_start_s": round(stack_start_s, 2), "warm_up_s": warm.seconds}


def _progress_line(result: RunResult) -> str:
    timing, floor = result.timing, result.floor
    took = f"{timing.seconds:.2f} s" if timing.seconds is not None else "-"
    floor_text = f"floor {floor.seconds:.2f} s" if floor else "no floor"
    return f"{result.export.spec.name}: {timing.status} in {took} ({floor_text})"


if __name__ == "__main__":
    main()
