ALTER TABLE imports ADD COLUMN IF NOT EXISTS transactions_new integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS transactions_changed integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS transactions_unchanged integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN IF NOT EXISTS duplicate_policy text NOT NULL DEFAULT 'update'
    CHECK (duplicate_policy IN ('update', 'skip'));
ALTER TABLE imports ADD COLUMN IF NOT EXISTS default_purchased_at timestamptz;
