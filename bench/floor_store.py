"""Floor (b): the same clients, milestones and ledger rows upserted raw, in bulk.

Scratch tables mirror the product's column types, keys and indexes, so the only thing
left out is the pipeline around the writes.
"""

import time
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

import asyncpg

from bench.db import connected
from bench.exports import Sale

BATCH_ROWS: Final = 5000
TENANT: Final = "bench"
SAO_PAULO: Final = ZoneInfo("America/Sao_Paulo")
CATEGORIES: Final = {"Aprovado": "active", "Completo": "active", "Cancelado": "lost",
                     "Reembolsado": "lost", "Expirado": "lost", "Chargeback": "lost"}

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS bench_clients (
    client_id uuid PRIMARY KEY, tenant_id text NOT NULL, email text NOT NULL, name text,
    phone text, document text, created_by_import uuid,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, email));
CREATE TABLE IF NOT EXISTS bench_milestones (
    milestone_id uuid NOT NULL, tenant_id text NOT NULL, client_email text NOT NULL,
    import_id uuid NOT NULL, row_number integer NOT NULL, chunk_no integer NOT NULL,
    kind text NOT NULL, occurred_at timestamptz NOT NULL, amount numeric NOT NULL,
    currency text NOT NULL, product text, status text, status_category text NOT NULL,
    transaction_code text, source text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (import_id, row_number));
CREATE INDEX IF NOT EXISTS bench_milestones_timeline
    ON bench_milestones (tenant_id, client_email, occurred_at);
CREATE TABLE IF NOT EXISTS bench_ledger (
    tenant_id text NOT NULL, import_id uuid NOT NULL, row_number integer NOT NULL,
    chunk_no integer NOT NULL, client_email text NOT NULL, transaction_code text,
    category text NOT NULL, status text, amount numeric NOT NULL, currency text NOT NULL,
    occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (import_id, row_number));
"""

UPSERT_CLIENTS: Final = """
INSERT INTO bench_clients (client_id, tenant_id, email, name, phone, document, created_by_import)
SELECT gen_random_uuid(), $1, t.email, t.name, t.phone, t.document, $2
FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS t(email, name, phone, document)
ON CONFLICT (tenant_id, email) DO UPDATE SET
    name = COALESCE(EXCLUDED.name, bench_clients.name),
    phone = COALESCE(EXCLUDED.phone, bench_clients.phone),
    document = COALESCE(EXCLUDED.document, bench_clients.document), updated_at = now()
"""
INSERT_MILESTONES: Final = """
INSERT INTO bench_milestones (milestone_id, tenant_id, client_email, import_id, row_number,
    chunk_no, kind, occurred_at, amount, currency, product, status, status_category,
    transaction_code, source)
SELECT t.id, $1, t.email, $2, t.row_number, t.chunk_no, 'purchase', t.at, t.amount, t.currency,
    t.product, t.status, t.category, t.code, 'bench'
FROM unnest($3::uuid[], $4::text[], $5::int[], $6::int[], $7::timestamptz[], $8::numeric[],
    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
    AS t(id, email, row_number, chunk_no, at, amount, currency, product, status, category, code)
ON CONFLICT (import_id, row_number) DO NOTHING
"""
INSERT_LEDGER: Final = """
INSERT INTO bench_ledger (tenant_id, import_id, row_number, chunk_no, client_email,
    transaction_code, category, status, amount, currency, occurred_at)
SELECT $1, $2, t.row_number, t.chunk_no, t.email, t.code, t.category, t.status, t.amount,
    t.currency, t.at
FROM unnest($3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::numeric[], $10::text[], $11::timestamptz[])
    AS t(row_number, chunk_no, email, code, category, status, amount, currency, at)
ON CONFLICT (import_id, row_number) DO NOTHING
"""


class Batch:
    """One batch of rows as the column arrays the statements take."""

    def __init__(self, rows: Sequence[tuple[int, Sale]], chunk_rows: int) -> None:
        sales = [sale for _, sale in rows]
        self.row_numbers = [number for number, _ in rows]
        self.chunks = [(number - 2) // chunk_rows for number in self.row_numbers]
        self.emails = [sale.buyer.email for sale in sales]
        self.at = [sale.sold_at.replace(tzinfo=SAO_PAULO) for sale in sales]
        self.amounts = [Decimal(sale.amount) for sale in sales]
        self.currencies = [sale.currency for sale in sales]
        self.products = [sale.product for sale in sales]
        self.statuses = [sale.status for sale in sales]
        self.categories = [CATEGORIES.get(sale.status, "pending") for sale in sales]
        self.codes = [sale.code for sale in sales]
        self.milestone_ids = [uuid.uuid4() for _ in sales]
        latest = {sale.buyer.email: sale.buyer for sale in sales}  # one row per e-mail
        self.buyers = list(latest.values())


def batches(sales: Sequence[Sale], chunk_rows: int) -> Iterator[Batch]:
    numbered = list(enumerate(sales, start=2))
    for start in range(0, len(numbered), BATCH_ROWS):
        yield Batch(numbered[start:start + BATCH_ROWS], chunk_rows)


async def create_tables(database_url: str) -> None:
    async with connected(database_url) as conn:
        await conn.execute(SCHEMA)


async def upsert_seconds(database_url: str, sales: Sequence[Sale], chunk_rows: int) -> float:
    prepared = list(batches(sales, chunk_rows))
    import_id = uuid.uuid4()
    async with connected(database_url) as conn:
        started = time.perf_counter()
        for batch in prepared:
            async with conn.transaction():
                await _write(conn, import_id, batch)
        return time.perf_counter() - started


async def _write(conn: asyncpg.Connection, import_id: uuid.UUID, batch: Batch) -> None:
    buyers = batch.buyers
    await conn.execute(UPSERT_CLIENTS, TENANT, import_id, [b.email for b in buyers],
                       [b.name for b in buyers], [b.phone for b in buyers],
                       [_value(b.document) for b in buyers])
    await conn.execute(INSERT_MILESTONES, TENANT, import_id, batch.milestone_ids, batch.emails,
                       batch.row_numbers, batch.chunks, batch.at, batch.amounts,
                       batch.currencies, batch.products, batch.statuses, batch.categories,
                       batch.codes)
    await conn.execute(INSERT_LEDGER, TENANT, import_id, batch.row_numbers, batch.chunks,
                       batch.emails, batch.codes, batch.categories, batch.statuses,
                       batch.amounts, batch.currencies, batch.at)


def _value(cell: str) -> str | None:
    return None if cell == "(none)" else cell
