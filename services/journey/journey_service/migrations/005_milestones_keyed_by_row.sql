-- A milestone is identified by its import and row: milestone_id is derived from them (a
-- uuid5), so it is unique exactly when they are. Keying the table by (import_id,
-- row_number), the key every write checks, leaves one unique index instead of two; the
-- uuid one was the dearer to keep, its random keys landing all over the index.
ALTER TABLE milestones DROP CONSTRAINT IF EXISTS milestones_pkey;
ALTER TABLE milestones DROP CONSTRAINT IF EXISTS milestones_import_id_row_number_key;
ALTER TABLE milestones ADD CONSTRAINT milestones_pkey PRIMARY KEY (import_id, row_number);
ALTER TABLE milestones ALTER COLUMN milestone_id SET NOT NULL;
