-- A chunk's milestones are counted from journey_rows (a row has a milestone exactly when
-- its outcome is not 'unchanged', and both are written in one transaction), so the
-- milestones table no longer needs an index by chunk: one index less to maintain per row.
DROP INDEX IF EXISTS milestones_by_chunk;
