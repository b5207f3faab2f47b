"""`hotmart-import up`: the stack in this process, supervised until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from types import FrameType

from hotmart_stack.control import print_endpoints, refuse_if_running
from hotmart_stack.import_command import run_import
from hotmart_stack.processes import StartupCancelled, StartupError
from hotmart_stack.stack import EmbeddedStack

log = logging.getLogger("hotmart_stack")


def up(run_dir: Path, ready_timeout: float, import_file: Path | None = None) -> int:
    if refuse_if_running(run_dir):
        return 1
    stack = EmbeddedStack(run_dir)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stack.request_stop()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack.start()
        stack.wait_ready(ready_timeout)
        stack.publish_state()
        print_endpoints(stack.state(), run_dir)
        if import_file is not None:
            run_import(import_file, stack.api_url, as_json=False, timeout=600.0)
        print("supervising; Ctrl-C stops everything", flush=True)
        stack.wait_for_stop()
    except StartupCancelled:
        log.info("stop requested before the stack was ready")
        return 130
    except StartupError as error:
        log.error("the stack did not come up: %s", error)
        return 1
    finally:
        log.info("stopping the services, then the servers")
        stack.stop()
        log.info("stopped")
    return 0
