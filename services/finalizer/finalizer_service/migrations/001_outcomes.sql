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

-- Running totals of each import's reports, kept by the triggers below from the rows each
-- statement really inserted (ON CONFLICT DO NOTHING skips redelivered ones), in the
-- inserting statement's own transaction: a settle reads these few rows, never every report.
-- Per service: how many chunks it reported, the highest, and the last chunk's totals.
CREATE TABLE IF NOT EXISTS report_services (
    import_id     uuid    NOT NULL,
    service       text    NOT NULL,
    reported      integer NOT NULL,
    last_chunk    integer NOT NULL,
    chunks_total  integer,
    total_rows    integer,
    PRIMARY KEY (import_id, service)
);

-- Per name: counters summed (count), ids counted once (distinct), amounts summed per
-- currency (amount), and row issues counted per status (issues).
CREATE TABLE IF NOT EXISTS report_totals (
    import_id  uuid    NOT NULL,
    kind       text    NOT NULL CHECK (kind IN ('count', 'distinct', 'amount', 'issues')),
    name       text    NOT NULL,
    currency   text    NOT NULL DEFAULT '',
    value      numeric NOT NULL,
    PRIMARY KEY (import_id, kind, name, currency)
);

-- Every upsert below takes its rows in one order, so concurrent finalizers cannot deadlock.
CREATE OR REPLACE FUNCTION total_chunk_reports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_services AS s
        (import_id, service, reported, last_chunk, chunks_total, total_rows)
    SELECT import_id, service, count(*), max(chunk_no), max(chunks_total),
           max((report->>'total_rows')::int)
    FROM added GROUP BY import_id, service ORDER BY import_id, service
    ON CONFLICT (import_id, service) DO UPDATE SET
        reported = s.reported + EXCLUDED.reported,
        last_chunk = greatest(s.last_chunk, EXCLUDED.last_chunk),
        chunks_total = greatest(s.chunks_total, EXCLUDED.chunks_total),
        total_rows = greatest(s.total_rows, EXCLUDED.total_rows);
    INSERT INTO report_totals AS t (import_id, kind, name, currency, value)
    SELECT import_id, 'count', key, '', sum(value::bigint)
    FROM added, jsonb_each_text(report->'counts') GROUP BY import_id, key
    UNION ALL
    SELECT import_id, 'amount', total->>'name', total->>'currency', sum((total->>'amount')::numeric)
    FROM added, jsonb_array_elements(report->'amounts') AS total
    GROUP BY import_id, total->>'name', total->>'currency'
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (import_id, kind, name, currency) DO UPDATE SET value = t.value + EXCLUDED.value;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER chunk_reports_totalled AFTER INSERT ON chunk_reports
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION total_chunk_reports();

CREATE OR REPLACE FUNCTION count_report_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_totals AS t (import_id, kind, name, currency, value)
    SELECT import_id, 'distinct', name, '', count(*) FROM added GROUP BY import_id, name
    ORDER BY import_id, name
    ON CONFLICT (import_id, kind, name, currency) DO UPDATE SET value = t.value + EXCLUDED.value;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER report_ids_counted AFTER INSERT ON report_ids
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION count_report_ids();

CREATE OR REPLACE FUNCTION count_row_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_totals AS t (import_id, kind, name, currency, value)
    SELECT import_id, 'issues', status, '', count(*) FROM added GROUP BY import_id, status
    ORDER BY import_id, status
    ON CONFLICT (import_id, kind, name, currency) DO UPDATE SET value = t.value + EXCLUDED.value;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER row_issues_counted AFTER INSERT ON import_row_issues
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION count_row_issues();
