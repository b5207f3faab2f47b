"""Fails when a service imports another service, or the common library imports a service."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {p.name for p in (ROOT / "services").glob("*/*_service")}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def violations() -> list[str]:
    found = []
    for package_dir in (ROOT / "services").glob("*/*_service"):
        for path in package_dir.rglob("*.py"):
            for other in imported_modules(path) & (SERVICES - {package_dir.name}):
                found.append(f"{path.relative_to(ROOT)} imports another service: {other}")
    for path in (ROOT / "libs").rglob("*.py"):
        for service in imported_modules(path) & SERVICES:
            found.append(f"{path.relative_to(ROOT)} (a library) imports a service: {service}")
    return found


if __name__ == "__main__":
    problems = violations()
    print("\n".join(problems) or f"architecture ok: {len(SERVICES)} services stay independent")
    sys.exit(1 if problems else 0)
