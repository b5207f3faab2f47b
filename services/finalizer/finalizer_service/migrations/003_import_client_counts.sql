-- How many clients each import created and updated, kept equal to import_clients'
-- GROUP BY by a trigger: reading progress on every batch must not count all of an
-- import's clients again. The trigger sees only rows really inserted (ON CONFLICT DO
-- NOTHING skips redelivered ones), in the inserting statement's own transaction, and it
-- also counts rows written by a finalizer still running the previous release.
CREATE TABLE IF NOT EXISTS import_client_counts (
    import_id  uuid   PRIMARY KEY,
    created    bigint NOT NULL,
    updated    bigint NOT NULL
);

CREATE OR REPLACE FUNCTION count_import_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO import_client_counts AS counts (import_id, created, updated)
    SELECT import_id, count(*) FILTER (WHERE outcome = 'created'),
           count(*) FILTER (WHERE outcome = 'updated')
    FROM added GROUP BY import_id
    ORDER BY import_id  -- one lock order for concurrent finalizers
    ON CONFLICT (import_id) DO UPDATE
        SET created = counts.created + EXCLUDED.created,
            updated = counts.updated + EXCLUDED.updated;
    RETURN NULL;
END
$$;

-- The trigger first: its lock waits for inserts in flight, so the backfill below sees
-- every row that the trigger will not count.
CREATE OR REPLACE TRIGGER import_clients_counted AFTER INSERT ON import_clients
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION count_import_clients();

INSERT INTO import_client_counts (import_id, created, updated)
SELECT import_id, count(*) FILTER (WHERE outcome = 'created'),
       count(*) FILTER (WHERE outcome = 'updated')
FROM import_clients GROUP BY import_id
ON CONFLICT (import_id) DO NOTHING;
