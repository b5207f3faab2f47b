"""The hashed locks the images and the tools install from: hashed, no registry host,
complete for what each pyproject declares, and the versions the tests ran."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .common import ROOT, SERVICES, Problems, normalize

LOCK_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
FORBIDDEN_IN_LOCK = re.compile(r"https?://|--(?:extra-)?index[-]url|--find-links|^-e\s|file:")
COMMON = "hotmart-import-common"
TOOL_LOCKS = ("deploy/docker/build-requirements.lock", "deploy/validate-requirements.lock")


def read_lock(path: Path, problems: Problems) -> dict[str, str]:
    """name -> version of a hashed lock; flags unhashed pins and anything naming a host."""
    where = path.relative_to(ROOT)
    text = path.read_text()
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", text):
        first = block.splitlines()[0] if block.strip() else ""
        if not first or first.startswith("#"):
            continue
        match = LOCK_LINE.match(first)
        if not problems.check(match, f"{where}: cannot read {first!r}"):
            continue
        assert match is not None
        pins[normalize(match.group(1))] = match.group(3)
        problems.check("--hash=sha256:" in block, f"{where}: {match.group(1)} has no hash")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            problems.check(not FORBIDDEN_IN_LOCK.search(stripped),
                           f"{where}:{number}: names a host or an index: {stripped}")
    return pins


def declared(pyproject: Path) -> set[str]:
    data = tomllib.loads(pyproject.read_text())
    names = set()
    for requirement in data["project"].get("dependencies", []):
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if match:
            names.add(normalize(match.group(1)))
    return names


def check_service_lock(package_dir: str, tested: dict[str, str], common: set[str],
                       problems: Problems) -> None:
    lock = ROOT / package_dir / "requirements.lock"
    where = lock.relative_to(ROOT)
    if not problems.check(lock.exists(), f"{where} is missing (run deploy/lock-services.sh)"):
        return
    pins = read_lock(lock, problems)
    wanted = (declared(ROOT / package_dir / "pyproject.toml") | common) - {COMMON}
    for name in sorted(wanted - pins.keys()):
        problems.check(False, f"{where} lacks {name}, declared in a pyproject (re-run "
                       "deploy/lock-services.sh)")
    problems.check(COMMON not in pins, f"{where} pins the local package {COMMON}")
    for name, version in sorted(pins.items()):
        if name in tested:
            problems.check(tested[name] == version,
                           f"{where}: {name}=={version}, but the tests run {tested[name]} "
                           "(requirements.lock); re-run deploy/lock-services.sh")


def check_locks() -> int:
    problems = Problems()
    tested = read_lock(ROOT / "requirements.lock", problems)
    common = declared(ROOT / "libs/common/pyproject.toml")
    for service in SERVICES:
        check_service_lock(service.package_dir, tested, common, problems)
    for extra in TOOL_LOCKS:
        path = ROOT / extra
        if problems.check(path.exists(), f"{extra} is missing (run deploy/lock-services.sh)"):
            read_lock(path, problems)
    return problems.finish(f"{len(SERVICES)} service locks and {len(TOOL_LOCKS)} tool locks: "
                           "hashed, no host, complete, same versions as requirements.lock")
