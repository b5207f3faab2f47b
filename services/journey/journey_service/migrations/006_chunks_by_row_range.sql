-- Chunk reports find their rows by row range (hotmart_common.store.keyed.CHUNK_ROWS).
DROP INDEX IF EXISTS journey_rows_by_chunk_and_import;
