"""PromQL in the alerts and the dashboard: metric names known (the ones the services'
metrics modules define), severities, every alert unit-tested."""

from __future__ import annotations

import re

import yaml

from .common import ROOT, Problems, known_metrics

PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left",
    "group_right", "and", "or", "unless", "offset", "bool", "topk", "bottomk", "quantile",
    "stddev", "stdvar", "count_values", "group",
}


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers followed by a selector or range and
    not used as functions, keywords or label names."""
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    without_ranges = re.sub(r"\[[^\]]*\]|\boffset\s+\w+", " ", without_strings)
    without_groupings = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)",
                               "", without_ranges)
    names = set()
    for match in re.finditer(r"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*", without_groupings):
        word = match.group(0)
        after = without_groupings[match.end():].lstrip()
        if word in PROMQL_WORDS or after.startswith("("):
            continue  # function or keyword
        before = without_groupings[:match.start()].rstrip()
        if before.endswith(("{", ",")) and re.match(r"\s*(=~|!~|!=|=)", after):
            continue  # label matcher
        names.add(word)
    return names


def check_alerts() -> int:
    problems = Problems()
    known = known_metrics()
    alerts = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    names = set()
    for group in alerts["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            names.add(name)
            unknown = metric_names(rule["expr"]) - known
            problems.check(not unknown, f"{name}: unknown metric(s) {sorted(unknown)}")
            if "alert" in rule:
                problems.check(rule.get("labels", {}).get("severity") in {"warning", "critical"},
                               f"{name}: severity must be warning or critical")
                problems.check(rule.get("annotations", {}).get("summary"), f"{name}: no summary")
    tests = yaml.safe_load((ROOT / "deploy/prometheus/alerts.test.yml").read_text())
    tested = {case["alertname"] for test in tests["tests"]
              for case in test.get("alert_rule_test", [])}
    problems.check(not names - tested, f"alerts without a unit test: {sorted(names - tested)}")
    return problems.finish(f"alerts: {len(names)} rules, metrics known, each unit-tested")
