-- What the parser did for each attempt of an import: a replayed confirm finds its rows
-- already published and publishes nothing again; a retry (a higher attempt) publishes
-- again, and consumers skip what they already have.
CREATE TABLE IF NOT EXISTS parse_runs (
    import_id          uuid        NOT NULL,
    attempt            integer     NOT NULL,
    tenant_id          text        NOT NULL,
    total_rows         integer     NOT NULL,
    chunks_total       integer     NOT NULL,
    rows_skipped       integer     NOT NULL,
    parsed_at          timestamptz NOT NULL,
    -- Set once every row event and chunk report of the attempt is on the broker. A crash
    -- before it makes the parser publish everything again, which consumers ignore.
    rows_published_at  timestamptz,
    PRIMARY KEY (import_id, attempt)
);
