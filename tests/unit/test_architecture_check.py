"""The architecture check: planted violations fail it, a clean tree passes, and the real
registry lists every service package and every table a migration creates."""

import re
import sys
import textwrap
from pathlib import Path

import pytest

from hotmart_common import registry
from hotmart_common.registry import ConsumerGroup, Service

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import check_architecture  # noqa: E402
from sql_tables import sql_strings, tables_in_sql  # noqa: E402

pytestmark = pytest.mark.unit

FAKE_REGISTRY = (
    Service("parse", tables=("parse_runs",),
            groups=(ConsumerGroup("parse-service", registry.IMPORT_CONFIRMED),)),
    Service("matcher", tables=("clients", "matcher_rows"),
            groups=(ConsumerGroup("matcher-service", registry.IMPORT_ROWS),)),
)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A minimal clean tree: two services, each using only its own tables, and a library
    that keeps the migration runner's bookkeeping."""
    write(tmp_path, "services/parse/parse_service/__init__.py", "")
    write(tmp_path, "services/parse/parse_service/repository.py", '''
        """Reads FROM clients in a docstring, which is no SQL."""
        from hotmart_common.store import Connection

        async def runs(conn: Connection) -> int:
            return await conn.fetchval(
                "SELECT count(*) FROM parse_runs AS r"
                " JOIN unnest($1::text[]) AS e(email) ON e.email = r.email")
    ''')
    write(tmp_path, "services/matcher/matcher_service/__init__.py", "")
    write(tmp_path, "services/matcher/matcher_service/migrations/001_clients.sql", """
        CREATE TABLE IF NOT EXISTS clients (client_id uuid PRIMARY KEY, email text);
        CREATE TABLE IF NOT EXISTS matcher_rows (
            client_id uuid NOT NULL REFERENCES clients
        );
        CREATE INDEX IF NOT EXISTS matcher_rows_by_client ON matcher_rows (client_id);
    """)
    write(tmp_path, "services/matcher/matcher_service/repository.py", '''
        SQL = (
            "WITH batch AS (SELECT * FROM jsonb_array_elements($1::jsonb) AS j)"
            " INSERT INTO matcher_rows (client_id)"
            f" SELECT c.client_id FROM batch JOIN clients c ON c.email = batch.email {1}"
        )
    ''')
    write(tmp_path, "libs/common/hotmart_common/store/db.py", '''
        LOCK = "CREATE TABLE IF NOT EXISTS schema_migrations (owner text, name text)"
        SERVER = "SELECT 1 FROM pg_database WHERE datname = $1"
    ''')
    return tmp_path


def messages(root: Path) -> list[str]:
    return [v.render(root) for v in check_architecture.check(root, FAKE_REGISTRY).violations]


def test_a_clean_tree_passes(tree: Path) -> None:
    report = check_architecture.check(tree, FAKE_REGISTRY)
    assert report.violations == []
    assert report.render(tree) == ("architecture ok: 2 services, 3 tables, each with one "
                                   "owner; no service imports another")


def test_parse_reading_the_matchers_clients_fails(tree: Path) -> None:
    write(tree, "services/parse/parse_service/known.py", '''
        async def known(conn, emails):
            return await conn.fetch(
                "SELECT email"
                " FROM clients WHERE email = ANY($1)", emails)
    ''')
    assert messages(tree) == [
        "services/parse/parse_service/known.py:4: the parse service writes/reads a table it "
        "does not own: clients (owned by matcher)"]


def test_a_migration_creating_another_services_table_fails(tree: Path) -> None:
    write(tree, "services/matcher/matcher_service/migrations/002_runs.sql", """
        -- a comment naming FROM parse_runs is not SQL
        CREATE TABLE IF NOT EXISTS parse_runs (import_id uuid PRIMARY KEY);
    """)
    assert messages(tree) == [
        "services/matcher/matcher_service/migrations/002_runs.sql:2: the matcher service "
        "writes/reads a table it does not own: parse_runs (owned by parse)"]


def test_a_service_importing_another_fails(tree: Path) -> None:
    write(tree, "services/parse/parse_service/handlers.py", """
        import json

        from matcher_service.repository import SQL
    """)
    assert messages(tree) == [
        "services/parse/parse_service/handlers.py:3: the parse service imports another "
        "service: matcher_service"]


def test_an_unknown_table_fails(tree: Path) -> None:
    write(tree, "services/parse/parse_service/extra.py", '''
        STATEMENT = """
            UPDATE parse_runs SET done = true
            WHERE import_id IN (SELECT import_id FROM leftovers)
        """
    ''')
    assert messages(tree) == [
        "services/parse/parse_service/extra.py:3: the parse service names an unowned "
        "table: leftovers"]


def test_the_library_touching_a_services_table_fails(tree: Path) -> None:
    write(tree, "libs/common/hotmart_common/store/shared.py", '''
        SQL = "DELETE FROM clients WHERE tenant_id = $1"
    ''')
    assert messages(tree) == [
        "libs/common/hotmart_common/store/shared.py:1: the common library must not touch a "
        "service's table: clients (owned by matcher)"]


def test_a_bulk_copy_into_another_services_table_fails(tree: Path) -> None:
    write(tree, "services/parse/parse_service/bulk.py", """
        async def load(conn, records):
            await conn.copy_records_to_table(
                "clients", records=records)
    """)
    assert messages(tree) == [
        "services/parse/parse_service/bulk.py:3: the parse service writes/reads a table it "
        "does not own: clients (owned by matcher)"]


def test_a_service_package_missing_from_the_registry_fails(tree: Path) -> None:
    write(tree, "services/webhooks/webhooks_service/__init__.py", "")
    assert messages(tree) == [
        "services/webhooks/webhooks_service:1: webhooks_service is not in the registry "
        "(libs/common/hotmart_common/registry.py)"]


def test_a_table_with_two_owners_fails(tree: Path) -> None:
    services = (*FAKE_REGISTRY, Service("journey", tables=("clients",)))
    report = check_architecture.check(tree, services)
    assert any("clients has more than one owner: matcher, journey" in v.message
               for v in report.violations)


# ------------------------------------------------------------------------- the SQL scan
@pytest.mark.parametrize(("sql", "tables"), [
    ("SELECT a FROM t1, t2 AS x, unnest($1::int[]) AS u(n) WHERE a IS DISTINCT FROM b",
     ["t1", "t2"]),
    ("SELECT extract(epoch FROM now() - started_at), substring(x FROM 2) FROM runs",
     ["runs"]),
    ("WITH saved AS (INSERT INTO ledger AS l (a) SELECT a FROM batch RETURNING a),"
     " batch AS (SELECT * FROM jsonb_array_elements($1) AS e)"
     " SELECT count(*) FROM saved JOIN LATERAL (SELECT 1 FROM other) o ON true",
     ["ledger", "other"]),
    ("UPDATE imports AS i SET n = n + 1 FROM unnest($1::uuid[]) AS u(id)"
     " WHERE i.import_id = u.id", ["imports"]),
    ("INSERT INTO a (x) VALUES ($1) ON CONFLICT (x) DO UPDATE SET x = EXCLUDED.x", ["a"]),
    ("SELECT x FROM a FOR UPDATE SKIP LOCKED", ["a"]),
    ("SELECT 'FROM nothing', \"Quoted\".x FROM \"Quoted\" -- FROM comment", ["Quoted"]),
    ("SELECT (SELECT max(n) FROM b) + coalesce((SELECT 1 FROM c), 0)", ["b", "c"]),
    ("DELETE FROM a USING b WHERE a.id = b.id", ["a", "b"]),
    ("ALTER TABLE IF EXISTS ONLY a ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES b (id)",
     ["a", "b"]),
    ("CREATE UNIQUE INDEX IF NOT EXISTS i ON a USING btree (x) WHERE y IN (SELECT 1)",
     ["a"]),
    ("CREATE TYPE t_input AS (a int); SELECT x FROM unnest($1::t_input[]) AS r",  []),
    ("CREATE OR REPLACE VIEW v AS SELECT * FROM a", ["v", "a"]),
    ("SELECT 1 FROM pg_catalog.pg_class, information_schema.tables, pg_database", []),
    ("WITH gone AS (SELECT 1) DELETE FROM a USING b, gone WHERE true", ["a", "b"]),
    ("DO $$ BEGIN IF true THEN UPDATE a SET x = 1; ELSE DELETE FROM b; END IF; END $$",
     ["a", "b"]),
])
def test_the_sql_scan_finds_tables_not_functions_ctes_or_aliases(sql: str,
                                                                  tables: list[str]) -> None:
    assert [ref.table for ref in tables_in_sql(sql)] == tables


def test_a_triggers_transition_table_is_no_table() -> None:
    sql = """
        CREATE OR REPLACE FUNCTION counted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO counts AS c (n) SELECT count(*) FROM added ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER counting AFTER INSERT ON rows_seen
            REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION counted();
    """
    assert [ref.table for ref in tables_in_sql(sql)] == ["counts", "rows_seen"]


def test_sql_strings_join_implicit_concatenations_and_skip_docstrings() -> None:
    source = textwrap.dedent('''
        """FROM module docstring."""
        def f(table):
            """SELECT * FROM docstring"""
            log = "no sql here"
            return ("SELECT a"
                    f" FROM {table}"
                    " JOIN b ON true")
    ''')
    (found,) = sql_strings(source)
    assert found.text == "SELECT a FROM  0  JOIN b ON true"
    (ref,) = tables_in_sql(found.text)
    assert (ref.table, found.line_of(ref.offset)) == ("b", 8)


# ------------------------------------------------------------------------ the registry
def test_the_registry_lists_every_service_package() -> None:
    packages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "services").glob("*/*_service")}
    listed = {f"{s.package_dir}/{s.module}" for s in registry.SERVICES}
    assert packages == listed


def test_the_registry_owns_every_table_a_migration_creates() -> None:
    created = set()
    for migration in [*ROOT.glob("services/*/*/migrations/*.sql"),
                      *ROOT.glob("libs/**/migrations/*.sql")]:
        created |= {m.lower() for m in re.findall(
            r"CREATE\s+(?:UNLOGGED\s+)?(?:TABLE|(?:OR\s+REPLACE\s+)?VIEW)\s+"
            r"(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", migration.read_text(), re.IGNORECASE)}
    assert created, "no migration found"
    assert created <= set(registry.table_owners())


def test_the_registry_spells_topics_as_the_topics_module() -> None:
    from hotmart_common import topics

    known = set(topics.topic_partitions(8))
    for service in registry.SERVICES:
        assert set(service.publishes) <= known, service.name
        assert set(service.topics_consumed) <= known, service.name
    assert {registry.IMPORT_CONFIRMED, registry.IMPORT_ROWS, registry.CHUNK_DONE,
            registry.IMPORT_COMPLETED, registry.CLIENT_CREATED, registry.CLIENT_UPDATED,
            registry.DEAD_LETTERS} == known


def test_the_registry_names_each_distribution_as_its_pyproject() -> None:
    for service in registry.SERVICES:
        pyproject = (ROOT / service.package_dir / "pyproject.toml").read_text()
        assert f'name = "{service.distribution}"' in pyproject
    for library in registry.LIBRARIES:
        pyproject = (ROOT / library.package_dir / "pyproject.toml").read_text()
        assert f'name = "{library.distribution}"' in pyproject


def test_the_registry_answers_the_makefile(capsys: pytest.CaptureFixture[str]) -> None:
    assert registry.main(["registry.py", "packages"]) == 0
    assert capsys.readouterr().out.split() == [
        "libs/common", "libs/stack", *(s.package_dir for s in registry.SERVICES)]
    assert registry.main(["registry.py", "nonsense"]) == 2
    assert registry.group_for("matcher", registry.IMPORT_ROWS) == "matcher-service"
    assert registry.api_service().name == "upload"
