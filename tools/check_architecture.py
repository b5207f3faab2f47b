"""Fails when a service imports another service, the libraries import a service, or any SQL
names a table its code does not own (``make check-architecture``, part of ``make lint``).

Owners come from ``hotmart_common.registry``. Every table named in a service's SQL -- its
migrations (``*.sql``) and the SQL string constants of its Python files -- must be one that
service owns; the libraries may name none but the infrastructure's own
(``schema_migrations``). PostgreSQL's catalogs (``pg_*``) are nobody's.

    python tools/check_architecture.py            # one line per violation, or a summary
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sql_tables import copied_tables, sql_strings, tables_in_sql

from hotmart_common import registry

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = "the common library"


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    message: str

    def render(self, root: Path) -> str:
        where = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        return f"{where}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Report:
    violations: list[Violation]
    services: int
    tables: int

    def render(self, root: Path) -> str:
        if self.violations:
            return "\n".join(v.render(root) for v in self.violations)
        return (f"architecture ok: {self.services} services, {self.tables} tables, each with "
                "one owner; no service imports another")


def imported_modules(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append((node.module.split(".")[0], node.lineno))
    return names


def named_tables(path: Path) -> Iterable[tuple[str, int]]:
    """(table, line) for every table the file's SQL names: a migration, or the SQL string
    constants of a Python file and the tables its COPY calls name."""
    if path.suffix == ".sql":
        text = path.read_text()
        for ref in tables_in_sql(text):
            yield ref.table, text.count("\n", 0, ref.offset) + 1
        return
    source = path.read_text()
    for sql in sql_strings(source):
        for ref in tables_in_sql(sql.text):
            yield ref.table, sql.line_of(ref.offset)
    yield from copied_tables(source)


def source_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".py", ".sql")
                  and "__pycache__" not in p.parts and p.is_file())


def import_violations(root: Path, services: Sequence[registry.Service]) -> list[Violation]:
    modules = {s.module: s.name for s in services}
    found: list[Violation] = []
    for service in services:
        package = root / service.package_dir / service.module
        for path in sorted(package.rglob("*.py")):
            for module, line in imported_modules(path):
                if module in modules and module != service.module:
                    found.append(Violation(path, line, f"the {service.name} service imports "
                                                       f"another service: {module}"))
    for path in sorted((root / "libs").rglob("*.py")):
        for module, line in imported_modules(path):
            if module in modules:
                found.append(Violation(path, line, f"a library imports a service: {module}"))
    return found


def unregistered(root: Path, services: Sequence[registry.Service]) -> list[Violation]:
    known = {root / s.package_dir / s.module for s in services}
    return [Violation(package, 1, f"{package.name} is not in the registry "
                                  "(libs/common/hotmart_common/registry.py)")
            for package in sorted((root / "services").glob("*/*_service")) if package not in known]


def table_violations(root: Path, services: Sequence[registry.Service],
                     exempt: Iterable[str]) -> list[Violation]:
    owners = {table: s.name for s in services for table in s.tables}
    exempt = set(exempt)
    found: list[Violation] = []
    scopes = [(s.name, root / s.package_dir) for s in services] + [(LIBRARY, root / "libs")]
    for scope, directory in scopes:
        for path in source_files(directory):
            for table, line in named_tables(path):
                owner = owners.get(table)
                if table in exempt or owner == scope:
                    continue
                who = LIBRARY if scope == LIBRARY else f"the {scope} service"
                if owner is None:
                    message = f"{who} names an unowned table: {table}"
                elif scope == LIBRARY:
                    message = (f"the common library must not touch a service's table: {table} "
                               f"(owned by {owner})")
                else:
                    message = (f"{who} writes/reads a table it does not own: {table} "
                               f"(owned by {owner})")
                found.append(Violation(path, line, message))
    return found


def check(root: Path, services: Sequence[registry.Service] = registry.SERVICES,
          exempt: Iterable[str] = registry.INFRASTRUCTURE_TABLES) -> Report:
    owners: dict[str, list[str]] = {}
    for service in services:
        for table in service.tables:
            owners.setdefault(table, []).append(service.name)
    shared = [Violation(root / "libs/common/hotmart_common/registry.py", 1,
                        f"{table} has more than one owner: {', '.join(names)}")
              for table, names in owners.items() if len(names) > 1]
    violations = (shared + unregistered(root, services) + import_violations(root, services)
                  + table_violations(root, services, exempt))
    return Report(violations, len(services), len(owners))


def main() -> int:
    report = check(ROOT)
    print(report.render(ROOT))
    if report.violations:
        print(f"architecture check failed: {len(report.violations)} violation(s)",
              file=sys.stderr)
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
