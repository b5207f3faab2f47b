"""The composite types batches reach PostgreSQL as, held to their declarations in Python.

asyncpg encodes a record by position, so a field out of place would silently put one
column's value into another. Each type is declared once in Python, as a NamedTuple whose
fields are its attributes; here each type's attributes, read from pg_attribute on a real
PostgreSQL, must equal its declaration's fields by name and order, each of a matching type.
(tests/unit/test_batch_builders.py holds each record builder to its declaration.)
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
import pytest

from hotmart_common.store.db import apply_migrations
from hotmart_stack.servers import PostgresServer
from journey_service import repository as journey
from revenue_service import repository as revenue
from tests.support.databases import fresh_database

pytestmark = pytest.mark.integration

DECLARATIONS: list[tuple[str, Path, str, type[NamedTuple]]] = [
    ("revenue", revenue.MIGRATIONS, "revenue_row_input", revenue.RevenueRowInput),
    ("journey", journey.MIGRATIONS, "journey_milestone_input", journey.MilestoneInput),
    ("journey", journey.MIGRATIONS, "journey_purchase_input", journey.PurchaseInput),
    ("journey", journey.MIGRATIONS, "journey_row_input", journey.RowInput),
]
# The Python type each SQL type of an attribute is declared with (Optional aside).
SQL_TYPES = {"integer": "int", "text": "str", "uuid": "UUID",
             "timestamp with time zone": "datetime"}


@pytest.fixture(scope="module")
async def conn(postgres: PostgresServer) -> AsyncIterator[asyncpg.Connection]:
    url = await fresh_database(postgres, "inputs")
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    for owner, migrations in {(owner, path) for owner, path, _, _ in DECLARATIONS}:
        await apply_migrations(pool, owner, migrations)
    await pool.close()
    conn = await asyncpg.connect(url)
    yield conn
    await conn.close()


async def attributes(conn: asyncpg.Connection, type_name: str) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_type t"
        " JOIN pg_attribute a ON a.attrelid = t.typrelid"
        " WHERE t.typname = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        type_name)
    assert rows, f"no composite type {type_name}"
    return [(r[0], r[1]) for r in rows]


def python_type(annotation: Any) -> str:
    text = annotation if isinstance(annotation, str) else getattr(
        annotation, "__name__", str(annotation))
    return text.replace(" | None", "").split(".")[-1]


@pytest.mark.parametrize(("owner", "migrations", "type_name", "declaration"), DECLARATIONS,
                         ids=[d[2] for d in DECLARATIONS])
async def test_a_batch_type_is_its_declaration_field_by_field(
        conn: asyncpg.Connection, owner: str, migrations: Path, type_name: str,
        declaration: type[NamedTuple]) -> None:
    in_sql = await attributes(conn, type_name)
    assert [name for name, _ in in_sql] == list(declaration._fields)
    hints = declaration.__annotations__
    for name, sql_type in in_sql:
        declared = str(hints[name])
        expected = SQL_TYPES[sql_type]
        assert expected in declared or (sql_type == "text" and "Literal" in declared), (
            f"{type_name}.{name} is {sql_type}, declared {declared}")

