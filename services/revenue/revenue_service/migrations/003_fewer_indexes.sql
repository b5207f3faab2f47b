-- Revenue per client is read from revenue_transactions (client_revenue view, indexed by
-- client there); nothing looks the ledger up by client, so that index is dropped: one index
-- less to maintain per row.
DROP INDEX IF EXISTS revenue_ledger_by_client;
