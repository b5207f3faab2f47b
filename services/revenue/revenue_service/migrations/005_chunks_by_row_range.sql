-- Chunk reports find their rows by row range (hotmart_common.store.keyed.CHUNK_ROWS).
DROP INDEX IF EXISTS revenue_ledger_by_chunk_and_import;
