"""Every service's /metrics agrees with the import summary."""

import asyncio
import re
import uuid
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from hotmart_common import registry
from tests.support.api import run_import
from tests.support.exports import expected, portuguese_csv, purchases

pytestmark = pytest.mark.e2e
SERVICES = registry.SERVICE_NAMES


def scrape(stack: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of every service, summed over services when labels coincide."""
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(float)
    for service in SERVICES:
        text = httpx.get(stack.metrics_url(service), timeout=10).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] += sample.value
    return samples


def delta(before: dict[Any, float], after: dict[Any, float], name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_counters_match_the_summary(api: httpx.Client, stack: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    buyers = [f"m{i}.{tag}@example.com" for i in range(30)]
    rows = purchases(17, 90, buyers, ["Aprovado", "Reembolsado", "Aguardando pagamento"],
                     f"HPM{tag}")
    rows[7] = replace(rows[7], email="nope", clean_email=None)
    before = await asyncio.to_thread(scrape, stack)
    done = await asyncio.to_thread(run_import, api, "metrics.csv", portuguese_csv(rows))
    assert done["status"] == "completed"
    await asyncio.sleep(0.5)  # the finalizer counts after its commit
    after = await asyncio.to_thread(scrape, stack)

    def rows_(service: str, outcome: str) -> float:
        return delta(before, after, "hotmart_import_rows_processed_total", service=service,
                     outcome=outcome)

    assert rows_("matcher", "created") == done["clients_created"] == len(expected(rows).emails)
    assert rows_("matcher", "updated") == done["clients_updated"]
    assert rows_("parse", "skipped") == done["rows_skipped"] == 1
    assert rows_("parse", "recorded") == rows_("revenue", "recorded") == 89
    assert rows_("journey", "recorded") == done["transactions_new"] == 89
    for category, field in (("active", "total_revenue"), ("lost", "lost_revenue")):
        recorded = delta(before, after, "hotmart_import_revenue_total", category=category,
                         currency="BRL")
        assert Decimal(f"{recorded:.2f}") == Decimal(done[field])  # counters are floats
    assert delta(before, after, "hotmart_import_imports_total", status="completed") == 1
    assert delta(before, after, "hotmart_import_batch_duration_seconds_count",
                 service="matcher") > 0
    assert any(name.startswith("faststream_received_messages_total") for name, _ in after)
    assert any(name == "hotmart_import_consumer_lag" for name, _ in after)


def exported_names(stack: Any) -> set[str]:
    names: set[str] = set()
    for service in SERVICES:
        text = httpx.get(stack.metrics_url(service), timeout=10).text
        for family in text_string_to_metric_families(text):
            suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
            names.update(family.name + s for s in suffixes.get(family.type, [""]))
            names.update(sample.name for sample in family.samples)
    return names


def test_dashboard_and_alerts_query_only_exported_metrics(api: httpx.Client, stack: Any) -> None:
    run_import(api, "any.csv", portuguese_csv(purchases(
        3, 5, [f"d.{uuid.uuid4().hex[:6]}@example.com"], ["Aprovado"],
        f"HPD{uuid.uuid4().hex[:6]}")))
    deploy = Path(__file__).resolve().parents[2] / "deploy"
    queried = set()
    for path in [*deploy.glob("grafana/dashboards/*.json"), deploy / "prometheus/alerts.yml"]:
        queried |= set(re.findall(r"\b(?:hotmart_import|faststream)_[a-z_]+\b", path.read_text()))
    assert queried, "no queries found"
    missing = sorted(queried - exported_names(stack))
    assert not missing, f"queried but exported by no service: {missing}"


async def test_a_client_updated_by_many_rows_is_counted_once(api: httpx.Client,
                                                              stack: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    known = [f"u{i}.{tag}@example.com" for i in range(12)]
    first = await asyncio.to_thread(run_import, api, "first.csv", portuguese_csv(
        purchases(3, 40, known, ["Aprovado"], f"HPU{tag}")))
    assert first["status"] == "completed"
    newcomers = [f"n{i}.{tag}@example.com" for i in range(5)]
    # 700 rows over three chunks: each known client has rows in several of them.
    rows = purchases(4, 700, known + newcomers, ["Aprovado", "Reembolsado"], f"HPV{tag}")
    before = await asyncio.to_thread(scrape, stack)
    done = await asyncio.to_thread(run_import, api, "second.csv", portuguese_csv(rows))
    assert done["status"] == "completed"
    await asyncio.sleep(0.5)
    after = await asyncio.to_thread(scrape, stack)
    counted = {outcome: delta(before, after, "hotmart_import_rows_processed_total",
                              service="matcher", outcome=outcome)
               for outcome in ("created", "updated")}
    assert done["clients_updated"] == 12 and done["clients_created"] == 5
    assert counted == {"created": 5, "updated": 12}
