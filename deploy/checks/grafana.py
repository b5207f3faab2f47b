"""The Grafana dashboard: well-formed panels, every query's metrics known, every metric the
services define shown somewhere, its provisioning; the PromQL is written out for promtool."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .common import ROOT, Problems, exposed_series, known_metrics, service_metrics
from .prometheus import metric_names

DASHBOARD = ROOT / "deploy/grafana/dashboards/hotmart-import.json"
PROVISIONING = ROOT / "deploy/grafana/provisioning"
GRAFANA_VARIABLES = {
    "__rate_interval": "1m", "__interval": "1m", "__range": "1h", "__range_s": "3600",
    "__interval_ms": "60000", "service": ".*", "datasource": "prometheus",
}
VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")


def substitute(expr: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = next(g for g in match.groups() if g)
        if name not in GRAFANA_VARIABLES:
            raise KeyError(name)
        return GRAFANA_VARIABLES[name]
    return VARIABLE.sub(replace, expr)


def panels_of(dashboard: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def shown_series() -> dict[str, set[str]]:
    """metric -> the series any of which a panel may show for it (a histogram: its bucket);
    every metric the services define, and Prometheus' up."""
    wanted = {"up": {"up"}}
    for name, kind in service_metrics().items():
        series = exposed_series(name, kind)
        wanted[name] = {f"{name}_bucket"} if kind == "Histogram" else series
    return wanted


class Layout:
    """Panel ids unique, grid positions inside 24 columns and not overlapping."""

    def __init__(self, problems: Problems) -> None:
        self.problems, self.ids, self.cells = problems, set[int](), set[tuple[int, int]]()

    def place(self, panel: dict[str, Any]) -> None:
        title = panel.get("title", "?")
        self.problems.check(panel.get("id") not in self.ids, f"panel id {panel.get('id')} repeats")
        self.ids.add(panel.get("id", -1))
        grid = panel.get("gridPos", {})
        x, y, w, h = (grid.get(k, 0) for k in "xywh")
        self.problems.check(all(k in grid for k in "hwxy") and x + w <= 24,
                            f"panel {title!r}: bad gridPos {grid}")
        area = {(col, row) for col in range(x, x + w) for row in range(y, y + h)}
        self.problems.check(not area & self.cells, f"panel {title!r} overlaps another")
        self.cells |= area


def panel_queries(panel: dict[str, Any], known: set[str], problems: Problems,
                  used: set[str]) -> list[dict[str, str]]:
    """The panel's queries as recording rules for promtool; notes the metrics they use."""
    title = panel.get("title", "?")
    problems.check(panel.get("datasource", {}).get("uid") == "${datasource}",
                   f"panel {title!r} does not use the ${{datasource}} variable")
    targets = panel.get("targets", [])
    problems.check(targets, f"panel {title!r} has no query")
    refs = [t.get("refId") for t in targets]
    problems.check(len(refs) == len(set(refs)), f"panel {title!r}: refIds repeat")
    rules = []
    for target in targets:
        expr = target.get("expr", "")
        if not problems.check(expr, f"panel {title!r} {target.get('refId')}: no expr"):
            continue
        try:
            concrete = substitute(expr)
        except KeyError as error:
            problems.check(False, f"panel {title!r}: unknown variable ${error.args[0]}")
            continue
        names = metric_names(concrete)
        used |= names
        unknown = names - known
        problems.check(not unknown, f"panel {title!r}: unknown metric(s) {sorted(unknown)}")
        rules.append({"record": f"dashboard:panel_{panel['id']}:{target['refId']}",
                      "expr": concrete})
    return rules


def check_provisioning(problems: Problems) -> None:
    """The data source docker-compose's Grafana gets, and the folder the dashboard provider
    reads, which compose mounts deploy/grafana/dashboards on."""
    sources = yaml.safe_load((PROVISIONING / "datasources/prometheus.yml").read_text())
    problems.check(sources.get("apiVersion") == 1 and any(
        d.get("type") == "prometheus" and d.get("url") == "http://prometheus:9090"
        for d in sources.get("datasources", [])),
        "datasource provisioning has no Prometheus at http://prometheus:9090")
    providers = yaml.safe_load((PROVISIONING / "dashboards/hotmart-import.yml").read_text())
    paths = {p.get("options", {}).get("path") for p in providers.get("providers", [])}
    grafana = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["grafana"]
    mounts = dict(str(v).split(":")[:2] for v in grafana.get("volumes", []))
    problems.check(mounts.get("./deploy/grafana/dashboards") in paths,
                   f"the dashboard provider reads {sorted(map(str, paths))}, compose mounts "
                   f"the dashboards on {mounts.get('./deploy/grafana/dashboards')}")


def check_grafana(rules_out: Path) -> int:
    problems = Problems()
    try:
        dashboard = json.loads(DASHBOARD.read_text())
    except json.JSONDecodeError as error:
        print(f"- {DASHBOARD.relative_to(ROOT)} is not JSON: {error}")
        return 1
    for key in ("uid", "title", "schemaVersion", "panels"):
        problems.check(key in dashboard, f"dashboard has no {key}")
    variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
    problems.check(variables.get("datasource", {}).get("type") == "datasource",
                   "no ${datasource} variable of type datasource")
    layout, known = Layout(problems), known_metrics()
    rules: list[dict[str, str]] = []
    used: set[str] = set()
    for panel in panels_of(dashboard):
        layout.place(panel)
        if panel.get("type") != "row":
            rules += panel_queries(panel, known, problems, used)
    for metric, series in sorted(shown_series().items()):
        problems.check(series & used, f"no panel shows {metric}")
    check_provisioning(problems)
    rules_out.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]},
                                        sort_keys=False))
    charts = sum(1 for panel in panels_of(dashboard) if panel.get("type") != "row")
    return problems.finish(f"dashboard: {charts} panels, {len(rules)} queries, metrics known, "
                           f"every service metric shown; PromQL written to {rules_out.name} "
                           "for promtool")
