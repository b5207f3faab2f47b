"""The `hotmart-import` command: run the local stack and import files through it."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from hotmart_stack import control
from hotmart_stack.import_command import resolve_api_url, run_import

DEFAULT_RUN_DIR = Path(".run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hotmart-import", description="Run Hotmart Import locally and import files."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start Kafka, PostgreSQL, S3 and the six services")
    add_run_dir(up)
    up.add_argument("--detach", action="store_true", help="run in the background")
    up.add_argument("--import", dest="import_file", type=Path, metavar="FILE",
                    help="once everything answers, import FILE and print its summary")
    up.add_argument(
        "--ready-timeout", type=float, default=60.0, help="seconds for services to be ready"
    )

    down = commands.add_parser("down", help="stop a stack started with `up`")
    add_run_dir(down)

    status = commands.add_parser("status", help="show stack.json and which pids are alive")
    add_run_dir(status)

    import_ = commands.add_parser("import", help="import a Hotmart sales export")
    import_.add_argument("file", type=Path, help="CSV, XLSX or XLS export")
    import_.add_argument("--json", action="store_true", help="print the final import as JSON")
    import_.add_argument(
        "--api", help="import API URL (default: stack.json, $HOTMART_API_URL, :8000)"
    )
    import_.add_argument("--timeout", type=float, default=600.0, help="seconds to wait")
    add_run_dir(import_)
    return parser


def add_run_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--run-dir", type=Path, default=DEFAULT_RUN_DIR, help="stack.json, logs and pgdata"
    )


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # One line per readiness poll would bury the restarts worth reading.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except BrokenPipeError:
        # `hotmart-import import x.csv --json | head` closed our stdout: not an error
        # worth a traceback. Point stdout at devnull so the exit flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def dispatch(args: argparse.Namespace) -> int:
    run_dir: Path = args.run_dir.absolute()
    if args.command == "up":
        configure_logging()
        if args.detach:
            if args.import_file:
                print("--import goes with a foreground `up`; after `up --detach` run "
                      "`hotmart-import import FILE`", file=sys.stderr)
                return 2
            return control.up_detached(run_dir, args.ready_timeout)
        # Imported here: the servers' client libraries take a second to import, which
        # `down`, `status` and `import` should not pay.
        from hotmart_stack.foreground import up

        return up(run_dir, args.ready_timeout, args.import_file)
    if args.command == "down":
        return control.down(run_dir)
    if args.command == "status":
        return control.status(run_dir)
    api_url = resolve_api_url(args.api, run_dir)
    return run_import(args.file, api_url, as_json=args.json, timeout=args.timeout)


if __name__ == "__main__":
    sys.exit(main())
