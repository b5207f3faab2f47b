-- Clients each import created or updated, from the matcher's chunk reports: a client with
-- rows in many chunks counts once.
CREATE TABLE IF NOT EXISTS import_clients (
    import_id  uuid NOT NULL,
    client_id  uuid NOT NULL,
    outcome    text NOT NULL CHECK (outcome IN ('created', 'updated')),
    PRIMARY KEY (import_id, client_id)
);
