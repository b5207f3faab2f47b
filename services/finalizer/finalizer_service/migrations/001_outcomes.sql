-- The finalizer's tables: what became of each confirmed import, its row issues, and the
-- chunk reports completion is decided from. Only the finalizer reads and writes them;
-- the upload service reads outcomes and issues through the finalizer's read API.

-- One row per confirmed import: progress while it runs, then its summary or its error.
CREATE TABLE IF NOT EXISTS import_outcomes (
    import_id               uuid PRIMARY KEY,
    tenant_id               text        NOT NULL,
    attempt                 integer     NOT NULL DEFAULT 0,
    status                  text        NOT NULL DEFAULT 'processing'
                            CHECK (status IN ('processing', 'completed', 'failed')),
    uploaded_at             timestamptz,
    confirmed_at            timestamptz,
    completed_at            timestamptz,
    total_rows              integer,
    chunks_total            integer,
    chunks_done             integer     NOT NULL DEFAULT 0,
    rows_skipped            integer     NOT NULL DEFAULT 0,
    rows_failed             integer     NOT NULL DEFAULT 0,
    -- Every counter the reporting services reported, summed by name (clients_created,
    -- transactions_new, ...): a new service's counters need no column.
    counts                  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    total_revenue           numeric     NOT NULL DEFAULT 0,
    lost_revenue            numeric     NOT NULL DEFAULT 0,
    currency                text,
    revenue_by_currency     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- Which services still owe which chunks: a stalled import says what it waits for.
    waiting_for             jsonb,
    last_progress_at        timestamptz,
    error                   text
);
CREATE INDEX IF NOT EXISTS import_outcomes_processing ON import_outcomes (last_progress_at)
    WHERE status = 'processing';

-- Rows that changed nothing (skipped, reported by parse) or that a service could not apply
-- (failed, reported by the row consumers). Insert-if-absent: replays add nothing.
CREATE TABLE IF NOT EXISTS import_row_issues (
    import_id    uuid    NOT NULL,
    row_number   integer NOT NULL,
    status       text    NOT NULL CHECK (status IN ('skipped', 'failed')),
    code         text    NOT NULL,
    column_name  text,
    message      text    NOT NULL,
    stage        text    NOT NULL,
    PRIMARY KEY (import_id, row_number)
);

-- Every chunk report of every reporting service, once: completion is decided from these.
CREATE TABLE IF NOT EXISTS chunk_reports (
    import_id     uuid        NOT NULL,
    service       text        NOT NULL,
    chunk_no      integer     NOT NULL,
    chunks_total  integer,
    report        jsonb       NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (import_id, service, chunk_no)
);

-- Ids the chunk reports list under a name (the matcher's clients_updated), each once per
-- import and name: a client updated in many chunks counts once.
CREATE TABLE IF NOT EXISTS report_ids (
    import_id  uuid NOT NULL,
    name       text NOT NULL,
    id         uuid NOT NULL,
    PRIMARY KEY (import_id, name, id)
);

-- How many ids each import has under each name, kept equal to report_ids' GROUP BY by a
-- trigger: reading progress on every batch must not count all of an import's ids again.
-- The trigger sees only rows really inserted (ON CONFLICT DO NOTHING skips redelivered
-- ones), in the inserting statement's own transaction.
CREATE TABLE IF NOT EXISTS report_id_counts (
    import_id  uuid   NOT NULL,
    name       text   NOT NULL,
    count      bigint NOT NULL,
    PRIMARY KEY (import_id, name)
);

CREATE OR REPLACE FUNCTION count_report_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_id_counts AS counted (import_id, name, count)
    SELECT import_id, name, count(*) FROM added GROUP BY import_id, name
    ORDER BY import_id, name  -- one lock order for concurrent finalizers
    ON CONFLICT (import_id, name) DO UPDATE SET count = counted.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER report_ids_counted AFTER INSERT ON report_ids
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION count_report_ids();
