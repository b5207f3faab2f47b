"""stack.json: how the CLI finds a stack that runs in another process."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

STATE_FILE = "stack.json"


def state_path(run_dir: Path) -> Path:
    return run_dir / STATE_FILE


def write_state(path: Path, document: Mapping[str, Any]) -> None:
    # Readers poll this file while it is rewritten: they must never see half of it.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(document, indent=2) + "\n")
    os.replace(partial, path)


def read_state(run_dir: Path) -> dict[str, Any] | None:
    try:
        document: dict[str, Any] = json.loads(state_path(run_dir).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return document


def listed_pids(document: Mapping[str, Any]) -> dict[str, int]:
    pids = {"supervisor": int(document["supervisor_pid"])}
    pids.update({name: int(pid) for name, pid in document.get("pids", {}).items()})
    return pids
