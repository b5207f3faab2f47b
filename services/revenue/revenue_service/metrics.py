from prometheus_client import Counter

REVENUE = Counter("hotmart_import_revenue", "Amounts recorded in the ledger, by category and "
                  "currency (a float for dashboards; the store keeps exact decimals).",
                  ["category", "currency"])
