"""The one Dockerfile every service image is built from, and its build context."""

from __future__ import annotations

import re
from typing import Any

from .common import HTTP_PORT, METRICS_PORT, ROOT, SERVICE_NAMES, Problems

DOCKERFILE = ROOT / "deploy/docker/Dockerfile"


def stages_of(commands: list[Any]) -> list[list[Any]]:
    stages: list[list[Any]] = []
    for command in commands:
        if command.cmd == "FROM":
            stages.append([])
        elif stages:
            stages[-1].append(command)
    return stages


def environment(commands: list[Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for command in commands:
        if command.cmd == "ENV":
            env.update(zip(command.value[::2], command.value[1::2], strict=True))
    return env


def check_build_argument(stages: list[list[Any]], problems: Problems) -> None:
    """Every stage takes ARG SERVICE, and the builder accepts exactly the registry's names."""
    for index, stage in enumerate(stages):
        problems.check(any(c.cmd == "ARG" and c.value[0].split("=")[0] == "SERVICE"
                           for c in stage), f"stage {index + 1} does not declare ARG SERVICE")
    runs = " ".join(" ".join(c.value) for c in (stages[0] if stages else []) if c.cmd == "RUN")
    match = re.search(r'case "\$\{SERVICE\}" in\s+([\w|]+)\)', runs)
    accepted = match.group(1).split("|") if match else []
    problems.check(accepted == list(SERVICE_NAMES),
                   f"the builder accepts SERVICE={'|'.join(accepted) or '?'}, the registry "
                   f"lists {'|'.join(SERVICE_NAMES)}")


def check_runtime(runtime: list[Any], problems: Problems) -> list[str]:
    """Non-root, the two ports, a health check, the service's module; returns the USERs."""
    by_cmd: dict[str, list[Any]] = {}
    for command in runtime:
        by_cmd.setdefault(command.cmd, []).append(command)
    users = [c.value[0] for c in by_cmd.get("USER", [])]
    problems.check(users, "the runtime stage sets no USER")
    if users:
        user = users[-1].split(":")[0]
        problems.check(user not in {"0", "root"}, f"runtime USER is root ({users[-1]})")
        problems.check(user.isdigit(), f"runtime USER {users[-1]} is not numeric (runAsNonRoot "
                       "cannot verify a name)")
    exposed = {v.removesuffix("/tcp") for c in by_cmd.get("EXPOSE", []) for v in c.value}
    problems.check(HTTP_PORT in exposed, f"runtime does not EXPOSE {HTTP_PORT}")
    problems.check(METRICS_PORT in exposed,
                   f"runtime does not EXPOSE the metrics port {METRICS_PORT}")
    env = environment(runtime)
    for name in SERVICE_NAMES:
        prefix = name.upper()
        problems.check(env.get(f"{prefix}_HTTP_HOST") == "0.0.0.0"
                       and env.get(f"{prefix}_HTTP_PORT") == HTTP_PORT
                       and env.get(f"{prefix}_METRICS_PORT") == METRICS_PORT,
                       f"runtime ENV does not set {prefix}_HTTP_HOST=0.0.0.0, "
                       f"{prefix}_HTTP_PORT={HTTP_PORT}, {prefix}_METRICS_PORT={METRICS_PORT}")
    health = " ".join(" ".join(c.value) for c in by_cmd.get("HEALTHCHECK", []))
    problems.check("/healthz" in health, "no HEALTHCHECK on /healthz")
    cmd = " ".join(" ".join(c.value) for c in by_cmd.get("CMD", []))
    problems.check("python -m ${SERVICE}_service" in cmd, f"CMD does not run python -m "
                   f"${{SERVICE}}_service: {cmd!r}")
    problems.check(any(c.cmd == "COPY" and "--from=builder" in c.flags for c in runtime),
                   "the runtime stage does not copy the venv from the builder")
    return users


def check_context(stages: list[list[Any]], problems: Problems) -> set[str]:
    """What .dockerignore lets into the context: no venv, .git, .run or tests, and every
    COPY source (for each service) in it."""
    from docker.utils.build import exclude_paths

    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    context = set(exclude_paths(str(ROOT), patterns))
    problems.check(not any(p.startswith((".venv", ".git/", ".run", "tests/")) for p in context),
                   ".dockerignore lets .venv, .git, .run or tests into the build context")
    copies = [c for stage in stages for c in stage if c.cmd == "COPY" and
              not any(f.startswith("--from") for f in c.flags)]
    for service in SERVICE_NAMES:
        for command in copies:
            for source in command.value[:-1]:
                check_copied(source.replace("${SERVICE}", service), service, context, problems)
    return context


def check_copied(source: str, service: str, context: set[str], problems: Problems) -> None:
    target = ROOT / source
    if not problems.check(target.exists(), f"COPY {source} (SERVICE={service}): no such path"):
        return
    files = [target] if target.is_file() else [
        p for p in target.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    missing = [str(p.relative_to(ROOT)) for p in files if str(p.relative_to(ROOT)) not in context]
    problems.check(not missing, f"COPY {source}: excluded by .dockerignore: {missing[:3]}")


def check_dockerfile() -> int:
    import dockerfile

    problems = Problems()
    stages = stages_of(list(dockerfile.parse_file(str(DOCKERFILE))))
    problems.check(len(stages) >= 2, "expected a multi-stage build (builder + runtime)")
    check_build_argument(stages, problems)
    users = check_runtime(stages[-1] if stages else [], problems)
    context = check_context(stages, problems)
    return problems.finish(f"Dockerfile: {len(stages)} stages, non-root {users[-1:]}, "
                           f"EXPOSE {HTTP_PORT}, HEALTHCHECK /healthz, the registry's "
                           f"{len(SERVICE_NAMES)} services; build context {len(context)} "
                           "files, every COPY source in it")
