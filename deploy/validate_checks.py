"""Checks of the deployment artifacts that no off-the-shelf tool makes; run by deploy/validate.sh.

Each sub-command prints what it found wrong and exits non-zero, or prints a one-line summary.
It runs in the tools venv (.venv-tools: PyYAML, jsonschema, dockerfile, docker), never in
the project's own venv. The checks live in ``deploy/checks/``, one module per subject; the
facts they hold the artifacts to come from the project itself: the services, their consumer
groups and ports from ``hotmart_common/registry.py``, the topics' partitions from
``hotmart_common/topics.py`` (both standard-library only), the metric names from the
services' metrics modules.

    python deploy/validate_checks.py locks
    python deploy/validate_checks.py dockerfile
    python deploy/validate_checks.py compose
    python deploy/validate_checks.py k8s RENDERED.yaml OVERLAY
    python deploy/validate_checks.py grafana OUT_RULES.yaml
    python deploy/validate_checks.py alerts
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from checks.compose import check_compose
from checks.grafana import check_grafana
from checks.images import check_dockerfile
from checks.k8s import check_k8s
from checks.locks import check_locks
from checks.prometheus import check_alerts


def main(argv: list[str]) -> int:
    commands: dict[str, Callable[..., int]] = {
        "locks": check_locks,
        "dockerfile": check_dockerfile,
        "compose": check_compose,
        "k8s": lambda rendered, overlay: check_k8s(Path(rendered), overlay),
        "grafana": lambda out: check_grafana(Path(out)),
        "alerts": check_alerts,
    }
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
