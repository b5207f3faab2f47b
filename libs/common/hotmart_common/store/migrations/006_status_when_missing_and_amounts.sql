-- The status code every purchase of a file without a status column gets (chosen at
-- confirm), and how many purchases of the import had no amount (no amount column).
ALTER TABLE imports ADD COLUMN IF NOT EXISTS status_when_missing text NOT NULL
    DEFAULT 'WAITING_PAYMENT';
ALTER TABLE imports ADD COLUMN IF NOT EXISTS purchases_without_amount integer NOT NULL DEFAULT 0;
