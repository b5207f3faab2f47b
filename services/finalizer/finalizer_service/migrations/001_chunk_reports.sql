-- Every chunk report of every consumer service, once: completion is decided from these.
CREATE TABLE IF NOT EXISTS chunk_reports (
    import_id     uuid        NOT NULL,
    service       text        NOT NULL,
    chunk_no      integer     NOT NULL,
    chunks_total  integer,
    report        jsonb       NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (import_id, service, chunk_no)
);
