"""Checks of the deployment artifacts that no off-the-shelf tool makes; run by deploy/validate.sh.

Each sub-command prints what it found wrong and exits non-zero, or prints a one-line summary.
It runs in the tools venv (.venv-tools: PyYAML, jsonschema, dockerfile, docker), never in
the project's own venv, and imports nothing from the project but ``hotmart_common/topics.py``
(loaded as a file: it has no imports).

    python deploy/validate_checks.py locks
    python deploy/validate_checks.py dockerfile
    python deploy/validate_checks.py compose
    python deploy/validate_checks.py k8s RENDERED.yaml OVERLAY
    python deploy/validate_checks.py grafana OUT_RULES.yaml
    python deploy/validate_checks.py alerts
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("upload", "parse", "matcher", "journey", "revenue", "finalizer")
CONSUMERS = SERVICES[1:]
# What each consumer reads (consumer group <service>-service), as the services subscribe.
CONSUMED_TOPIC = {
    "parse": "import.confirmed",
    "matcher": "import.rows",
    "journey": "import.rows",
    "revenue": "import.rows",
    "finalizer": "import.chunk.done",
}
# The metrics the services expose (the observability contract); a histogram also has
# _bucket, _sum and _count series.
COUNTERS_AND_GAUGES = {
    "hotmart_import_rows_processed_total",
    "hotmart_import_imports_total",
    "hotmart_import_revenue_total",
    "hotmart_import_dlq_messages_total",
    "hotmart_import_consumer_lag",
    "hotmart_import_stalled_imports",
    "faststream_received_messages_total",
    "faststream_received_processed_messages_exceptions_total",
    "faststream_published_messages_total",
    "up",
}
HISTOGRAMS = {
    "hotmart_import_batch_duration_seconds",
    "hotmart_import_import_duration_seconds",
    "faststream_received_processed_messages_duration_seconds",
}
KNOWN_METRICS = COUNTERS_AND_GAUGES | {
    f"{name}{suffix}" for name in HISTOGRAMS for suffix in ("_bucket", "_sum", "_count")
}
REQUIRED_ENV = (
    "HOTMART_KAFKA_BOOTSTRAP_SERVERS",
    "HOTMART_DATABASE_URL",
    "HOTMART_S3_BUCKET",
    "HOTMART_S3_REGION",
)
SECRET_NAME = "hotmart-import-secrets"
# Where each service serves /metrics in compose and Kubernetes (its API port answers 404).
METRICS_PORT = "9464"
# Keys the Secret must hold (deploy/k8s/README.md): the ConfigMap must not.
SECRET_KEYS = ("HOTMART_DATABASE_URL", "HOTMART_S3_ACCESS_KEY_ID", "HOTMART_S3_SECRET_ACCESS_KEY")
SERVICE_DRAIN_SECONDS = 10


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def check(self, ok: object, message: str) -> bool:
        if not ok:
            self.items.append(message)
        return bool(ok)

    def finish(self, summary: str) -> int:
        if self.items:
            for item in self.items:
                print(f"- {item}")
            return 1
        print(summary)
        return 0


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    with path.open() as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ------------------------------------------------------------------------------- locks
LOCK_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
FORBIDDEN_IN_LOCK = re.compile(r"https?://|--(?:extra-)?index[-]url|--find-links|^-e\s|file:")


def read_lock(path: Path, problems: Problems) -> dict[str, str]:
    """name -> version of a hashed lock; flags unhashed pins and anything naming a host."""
    text = path.read_text()
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", text):
        first = block.splitlines()[0] if block.strip() else ""
        if not first or first.startswith("#"):
            continue
        match = LOCK_LINE.match(first)
        if not problems.check(match, f"{path.relative_to(ROOT)}: cannot read {first!r}"):
            continue
        assert match is not None
        pins[normalize(match.group(1))] = match.group(3)
        problems.check("--hash=sha256:" in block,
                       f"{path.relative_to(ROOT)}: {match.group(1)} has no hash")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        problems.check(not FORBIDDEN_IN_LOCK.search(stripped),
                       f"{path.relative_to(ROOT)}:{number}: names a host or an index: {stripped}")
    return pins


def declared(pyproject: Path) -> set[str]:
    data = tomllib.loads(pyproject.read_text())
    names = set()
    for requirement in data["project"].get("dependencies", []):
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if match:
            names.add(normalize(match.group(1)))
    return names


def check_locks() -> int:
    problems = Problems()
    tested = read_lock(ROOT / "requirements.lock", problems)
    common = declared(ROOT / "libs/common/pyproject.toml")
    for service in SERVICES:
        lock = ROOT / "services" / service / "requirements.lock"
        if not problems.check(lock.exists(), f"{lock.relative_to(ROOT)} is missing "
                              "(run deploy/lock-services.sh)"):
            continue
        pins = read_lock(lock, problems)
        wanted = (declared(ROOT / "services" / service / "pyproject.toml") | common) - {
            "hotmart-import-common"}
        for name in sorted(wanted - pins.keys()):
            problems.check(False, f"{lock.relative_to(ROOT)} lacks {name}, declared in a "
                           "pyproject (re-run deploy/lock-services.sh)")
        problems.check("hotmart-import-common" not in pins,
                       f"{lock.relative_to(ROOT)} pins the local package hotmart-import-common")
        for name, version in sorted(pins.items()):
            if name in tested:
                problems.check(tested[name] == version,
                               f"{lock.relative_to(ROOT)}: {name}=={version}, but the tests "
                               f"run {tested[name]} (requirements.lock); re-run "
                               "deploy/lock-services.sh")
    for extra in ("deploy/docker/build-requirements.lock", "deploy/validate-requirements.lock"):
        path = ROOT / extra
        if problems.check(path.exists(), f"{extra} is missing (run deploy/lock-services.sh)"):
            read_lock(path, problems)
    return problems.finish(f"{len(SERVICES)} service locks and 2 tool locks: hashed, no host, "
                           "complete, same versions as requirements.lock")


# ------------------------------------------------------------------------- Dockerfile
def check_dockerfile() -> int:
    import dockerfile
    from docker.utils.build import exclude_paths

    problems = Problems()
    path = ROOT / "deploy/docker/Dockerfile"
    commands = dockerfile.parse_file(str(path))
    stages: list[list[Any]] = []
    for command in commands:
        if command.cmd == "FROM":
            stages.append([])
        elif stages:
            stages[-1].append(command)
    problems.check(len(stages) >= 2, "expected a multi-stage build (builder + runtime)")
    runtime = stages[-1] if stages else []
    by_cmd: dict[str, list[Any]] = {}
    for command in runtime:
        by_cmd.setdefault(command.cmd, []).append(command)

    for index, stage in enumerate(stages):
        problems.check(any(c.cmd == "ARG" and c.value[0].split("=")[0] == "SERVICE" for c in stage),
                       f"stage {index + 1} does not declare ARG SERVICE")
    users = [c.value[0] for c in by_cmd.get("USER", [])]
    problems.check(users, "the runtime stage sets no USER")
    if users:
        user = users[-1].split(":")[0]
        problems.check(user not in {"0", "root"}, f"runtime USER is root ({users[-1]})")
        problems.check(user.isdigit(), f"runtime USER {users[-1]} is not numeric (runAsNonRoot "
                       "cannot verify a name)")
    exposed = {v for c in by_cmd.get("EXPOSE", []) for v in c.value}
    problems.check("8080" in exposed or "8080/tcp" in exposed, "runtime does not EXPOSE 8080")
    problems.check(METRICS_PORT in exposed or f"{METRICS_PORT}/tcp" in exposed,
                   f"runtime does not EXPOSE the metrics port {METRICS_PORT}")
    health = " ".join(" ".join(c.value) for c in by_cmd.get("HEALTHCHECK", []))
    problems.check("/healthz" in health, "no HEALTHCHECK on /healthz")
    cmd = " ".join(" ".join(c.value) for c in by_cmd.get("CMD", []))
    problems.check("python -m ${SERVICE}_service" in cmd, f"CMD does not run python -m "
                   f"${{SERVICE}}_service: {cmd!r}")
    problems.check(any(c.cmd == "COPY" and "--from=builder" in c.flags for c in runtime),
                   "the runtime stage does not copy the venv from the builder")

    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    context = set(exclude_paths(str(ROOT), patterns))
    problems.check(not any(p.startswith((".venv", ".git/", ".run", "tests/")) for p in context),
                   ".dockerignore lets .venv, .git, .run or tests into the build context")
    copies = [c for stage in stages for c in stage if c.cmd == "COPY" and
              not any(f.startswith("--from") for f in c.flags)]
    for service in SERVICES:
        for command in copies:
            for source in command.value[:-1]:
                source = source.replace("${SERVICE}", service)
                target = ROOT / source
                if not problems.check(target.exists(), f"COPY {source} (SERVICE={service}): "
                                      "no such path"):
                    continue
                files = [target] if target.is_file() else [
                    p for p in target.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
                missing = [str(p.relative_to(ROOT)) for p in files
                           if str(p.relative_to(ROOT)) not in context]
                problems.check(not missing, f"COPY {source}: excluded by .dockerignore: "
                               f"{missing[:3]}")
    return problems.finish(f"Dockerfile: {len(stages)} stages, non-root {users[-1:]}, "
                           f"EXPOSE 8080, HEALTHCHECK /healthz; build context "
                           f"{len(context)} files, every COPY source in it")


# ------------------------------------------------------------------------------ compose
def check_compose() -> int:
    problems = Problems()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, Any] = compose["services"]
    infra = {"kafka", "postgres", "minio", "minio-init", "prometheus", "grafana"}
    problems.check(set(services) == infra | set(SERVICES),
                   f"services are {sorted(services)}, expected {sorted(infra | set(SERVICES))}")

    problems.check(str(services["kafka"].get("image", "")).startswith("apache/kafka:"),
                   "kafka is not the apache/kafka image")
    kafka_env = services["kafka"].get("environment", {})
    problems.check("controller" in str(kafka_env.get("KAFKA_PROCESS_ROLES", "")),
                   "kafka does not run in KRaft mode (KAFKA_PROCESS_ROLES with controller)")
    problems.check(re.match(r"postgres:18(\.|$|-)", str(services["postgres"].get("image", ""))),
                   "postgres is not PostgreSQL 18 (the services refuse an older server)")
    init_cmd = " ".join(services["minio-init"].get("command", []))
    problems.check("imports/" in init_cmd and '"Days":7' in init_cmd,
                   "minio-init does not set the 7-day expiry on imports/")

    scrape = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: [t for sc in job.get("static_configs", []) for t in sc["targets"]]
            for job in scrape["scrape_configs"]}
    for name in SERVICES:
        service = services.get(name, {})
        build = service.get("build", {})
        problems.check(build.get("dockerfile") == "deploy/docker/Dockerfile"
                       and build.get("context") == "."
                       and build.get("args", {}).get("SERVICE") == name,
                       f"{name}: not built from deploy/docker/Dockerfile with SERVICE={name}")
        env = service.get("environment", {})
        for key in (*REQUIRED_ENV, "HOTMART_S3_ENDPOINT_URL", "HOTMART_S3_ACCESS_KEY_ID",
                    "HOTMART_S3_SECRET_ACCESS_KEY", f"{name.upper()}_HTTP_HOST"):
            problems.check(key in env, f"{name}: environment lacks {key}")
        problems.check(str(env.get(f"{name.upper()}_HTTP_PORT")) == "8080",
                       f"{name}: {name.upper()}_HTTP_PORT is not 8080")
        test = " ".join(service.get("healthcheck", {}).get("test", []))
        problems.check("8080/readyz" in test or "8080/healthz" in test,
                       f"{name}: no healthcheck on /readyz or /healthz")
        depends = service.get("depends_on", {})
        for dependency in ("kafka", "postgres", "minio"):
            problems.check(depends.get(dependency, {}).get("condition") == "service_healthy",
                           f"{name}: does not wait for {dependency} to be healthy")
        problems.check(str(env.get(f"{name.upper()}_METRICS_PORT")) == METRICS_PORT,
                       f"{name}: {name.upper()}_METRICS_PORT is not {METRICS_PORT}")
        problems.check(not any(METRICS_PORT in str(p).rsplit(":", 1)[-1]
                               for p in service.get("ports", [])),
                       f"{name}: publishes the metrics port {METRICS_PORT} on the host")
        problems.check(jobs.get(f"hotmart-{name}") == [f"{name}:{METRICS_PORT}"],
                       f"prometheus.yml: job hotmart-{name} does not scrape "
                       f"{name}:{METRICS_PORT}")
    problems.check("8000:8080" in [str(p) for p in services["upload"].get("ports", [])],
                   "upload is not published on 8000")
    problems.check(services["upload"].get("depends_on", {}).get("minio-init", {}).get(
        "condition") == "service_completed_successfully",
        "upload does not wait for the bucket job")
    problems.check(services["parse"].get("environment", {}).get("PARSE_CHUNK_SIZE") is not None,
                   "parse: PARSE_CHUNK_SIZE not set")

    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("."):
                problems.check((ROOT / source).exists(),
                               f"{name}: mounts {source}, which does not exist")
    return problems.finish(f"compose: {len(services)} services; the six built from the "
                           "Dockerfile, healthchecked, waiting on healthy infrastructure, "
                           "scraped by prometheus.yml")


# ----------------------------------------------------------------------------- Kubernetes
def topic_partitions(row_partitions: int) -> dict[str, int]:
    spec = importlib.util.spec_from_file_location(
        "hotmart_topics", ROOT / "libs/common/hotmart_common/topics.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: dict[str, int] = module.topic_partitions(row_partitions)
    return result


def metrics_admitted_from_prometheus_only(policies: list[dict[str, Any]],
                                          pod_labels: dict[str, str]) -> bool:
    """Some Ingress policy selects the pod, and every rule that opens the metrics port
    (by name or number) names where from; no rule opens every port."""
    rules = [rule for policy in policies
             if "Ingress" in policy["spec"].get("policyTypes", ["Ingress"])
             and selects(policy["spec"]["podSelector"].get("matchLabels", {}), pod_labels)
             for rule in policy["spec"].get("ingress", [])]
    opening = [rule for rule in rules if not rule.get("ports") or any(
        str(port.get("port")) in ("metrics", METRICS_PORT) for port in rule["ports"])]
    return bool(rules) and bool(opening) and all(rule.get("from") for rule in opening)


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_k8s(rendered: Path, overlay: str) -> int:
    import jsonschema

    problems = Problems()
    docs = load_yaml_documents(rendered)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)

    def named(kind: str, name: str) -> dict[str, Any] | None:
        return next((d for d in by_kind.get(kind, []) if d["metadata"]["name"] == name), None)

    namespaces = [d["metadata"]["name"] for d in by_kind.get("Namespace", [])]
    problems.check(len(namespaces) == 1, f"expected one Namespace, found {namespaces}")
    for doc in docs:
        if doc["kind"] != "Namespace":
            problems.check(doc["metadata"].get("namespace") in namespaces,
                           f"{doc['kind']}/{doc['metadata']['name']} is not in the namespace")
    problems.check("Secret" not in by_kind, "a Secret is rendered: secrets are not committed")
    configmaps = by_kind.get("ConfigMap", [])
    problems.check(len(configmaps) == 1, "expected one ConfigMap")
    config: dict[str, str] = configmaps[0].get("data", {}) if configmaps else {}
    for key in SECRET_KEYS:
        problems.check(key not in config, f"ConfigMap holds {key}, which belongs in the Secret")
    for key in ("HOTMART_KAFKA_BOOTSTRAP_SERVERS", "HOTMART_S3_BUCKET", "HOTMART_S3_REGION"):
        problems.check(config.get(key), f"ConfigMap lacks {key}")
    partitions = topic_partitions(int(config.get("HOTMART_ROW_TOPIC_PARTITIONS", "8")))

    schema = json.loads((ROOT / "deploy/k8s/schemas/keda-scaledobject-v1alpha1.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    for scaled_object in by_kind.get("ScaledObject", []):
        for error in validator.iter_errors(scaled_object):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.check(False, f"ScaledObject/{scaled_object['metadata']['name']} {where}: "
                           f"{error.message}")

    for service in SERVICES:
        name = f"hotmart-{service}"
        deployment = named("Deployment", name)
        if not problems.check(deployment, f"Deployment {name} missing"):
            continue
        assert deployment is not None
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        pod_labels = spec["template"]["metadata"].get("labels", {})
        problems.check(selects(spec["selector"].get("matchLabels", {}), pod_labels),
                       f"{name}: selector does not match its pod labels")
        problems.check("replicas" not in spec,
                       f"{name}: sets spec.replicas, which would fight its autoscaler")
        containers = {c["name"]: c for c in pod["containers"]}
        app = containers.get("app")
        if not problems.check(app, f"{name}: no container named app"):
            continue
        assert app is not None
        image = app.get("image", "")
        problems.check("/" in image and ":" in image.rsplit("/", 1)[-1]
                       and not image.endswith(":latest"),
                       f"{name}: image {image!r} has no registry and release tag")
        problems.check(pod.get("securityContext", {}).get("runAsNonRoot") is True,
                       f"{name}: runAsNonRoot is not set")
        security = app.get("securityContext", {})
        problems.check(security.get("readOnlyRootFilesystem") is True,
                       f"{name}: root filesystem is not read-only")
        problems.check(security.get("allowPrivilegeEscalation") is False,
                       f"{name}: privilege escalation allowed")
        problems.check("ALL" in security.get("capabilities", {}).get("drop", []),
                       f"{name}: capabilities not dropped")
        problems.check(app.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz",
                       f"{name}: liveness probe is not /healthz")
        problems.check(app.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz",
                       f"{name}: readiness probe is not /readyz")
        problems.check(app.get("startupProbe"), f"{name}: no startup probe")
        pre_stop = app.get("lifecycle", {}).get("preStop", {})
        sleep = pre_stop.get("sleep", {}).get("seconds")
        command = pre_stop.get("exec", {}).get("command", [])
        if sleep is None and command[:1] == ["sleep"]:
            sleep = int(command[1])
        if problems.check(sleep, f"{name}: no preStop sleep"):
            grace = pod.get("terminationGracePeriodSeconds", 30)
            problems.check(grace >= sleep + SERVICE_DRAIN_SECONDS + 5,
                           f"{name}: terminationGracePeriodSeconds {grace} does not cover "
                           f"preStop {sleep} s + drain {SERVICE_DRAIN_SECONDS} s + margin")
        resources = app.get("resources", {})
        problems.check(resources.get("requests", {}).get("cpu")
                       and resources.get("requests", {}).get("memory")
                       and resources.get("limits", {}).get("memory"),
                       f"{name}: needs cpu/memory requests and a memory limit")
        env = {e["name"]: e.get("value") for e in app.get("env", [])}
        problems.check(env.get(f"{service.upper()}_HTTP_HOST") == "0.0.0.0"
                       and env.get(f"{service.upper()}_HTTP_PORT") == "8080",
                       f"{name}: {service.upper()}_HTTP_HOST/PORT are not 0.0.0.0:8080")
        problems.check(any(p.get("containerPort") == 8080 and p.get("name") == "http"
                           for p in app.get("ports", [])), f"{name}: no port http/8080")
        problems.check(env.get(f"{service.upper()}_METRICS_PORT") == METRICS_PORT
                       and any(p.get("containerPort") == int(METRICS_PORT)
                               and p.get("name") == "metrics" for p in app.get("ports", [])),
                       f"{name}: no port metrics/{METRICS_PORT} set as "
                       f"{service.upper()}_METRICS_PORT")
        problems.check(metrics_admitted_from_prometheus_only(
                           by_kind.get("NetworkPolicy", []), pod_labels),
                       f"{name}: no NetworkPolicy admits its metrics port from Prometheus "
                       "alone")
        env_from = app.get("envFrom", [])
        cm_refs = [e["configMapRef"]["name"] for e in env_from if "configMapRef" in e]
        secret_refs = [e["secretRef"]["name"] for e in env_from if "secretRef" in e]
        problems.check(cm_refs and all(named("ConfigMap", n) for n in cm_refs),
                       f"{name}: envFrom names no rendered ConfigMap ({cm_refs})")
        problems.check(secret_refs == [SECRET_NAME], f"{name}: envFrom does not name the "
                       f"Secret {SECRET_NAME}")

        pdbs = [p for p in by_kind.get("PodDisruptionBudget", [])
                if selects(p["spec"]["selector"].get("matchLabels", {}), pod_labels)]
        problems.check(len(pdbs) == 1, f"{name}: {len(pdbs)} PodDisruptionBudgets select it")
        services = [s for s in by_kind.get("Service", [])
                    if selects(s["spec"].get("selector", {}), pod_labels)]
        ports = {p["name"]: p for s in services for p in s["spec"]["ports"]}
        problems.check(ports.get("metrics", {}).get("targetPort") in ("metrics", METRICS_PORT),
                       f"{name}: no Service port named metrics targeting the metrics port")
        problems.check(all(s["metadata"].get("annotations", {}).get("prometheus.io/port")
                           == METRICS_PORT for s in services),
                       f"{name}: Service's prometheus.io/port is not {METRICS_PORT}")
        problems.check(all(s["metadata"].get("annotations", {}).get("prometheus.io/scrape")
                           == "true" for s in services),
                       f"{name}: Service lacks prometheus.io/scrape")
        problems.check(all(s["metadata"].get("labels", {}).get("app.kubernetes.io/component")
                           == service for s in services),
                       f"{name}: Service lacks app.kubernetes.io/component={service}, which "
                       "names the scrape job")

        if service == "upload":
            problems.check("http" in ports, "hotmart-upload: no Service port named http (API)")
            hpas = [h for h in by_kind.get("HorizontalPodAutoscaler", [])
                    if h["spec"]["scaleTargetRef"]["name"] == name]
            if problems.check(len(hpas) == 1 and hpas[0]["apiVersion"] == "autoscaling/v2",
                              "hotmart-upload: needs one autoscaling/v2 HPA"):
                metrics = hpas[0]["spec"].get("metrics", [])
                problems.check(any(m.get("resource", {}).get("name") == "cpu" for m in metrics),
                               "hotmart-upload: HPA does not scale on CPU")
                problems.check(hpas[0]["spec"]["minReplicas"] <= hpas[0]["spec"]["maxReplicas"],
                               "hotmart-upload: HPA minReplicas > maxReplicas")
            continue

        scaled = [s for s in by_kind.get("ScaledObject", [])
                  if s["spec"]["scaleTargetRef"]["name"] == name]
        if not problems.check(len(scaled) == 1, f"{name}: {len(scaled)} ScaledObjects target it"):
            continue
        so = scaled[0]["spec"]
        problems.check(so["scaleTargetRef"].get("kind", "Deployment") == "Deployment",
                       f"{name}: ScaledObject does not target a Deployment")
        triggers = [t for t in so["triggers"] if t["type"] == "kafka"]
        if not problems.check(len(triggers) == 1, f"{name}: needs one kafka trigger"):
            continue
        meta = triggers[0]["metadata"]
        topic = CONSUMED_TOPIC[service]
        problems.check(meta.get("consumerGroup") == f"{service}-service",
                       f"{name}: consumerGroup {meta.get('consumerGroup')!r}, the service's "
                       f"group is {service}-service")
        problems.check(meta.get("topic") == topic,
                       f"{name}: topic {meta.get('topic')!r}, the service reads {topic}")
        source = meta.get("bootstrapServersFromEnv")
        if source:
            problems.check(source in config or source in env,
                           f"{name}: bootstrapServersFromEnv {source} is not in the "
                           "Deployment's environment")
        else:
            problems.check(meta.get("bootstrapServers")
                           == config.get("HOTMART_KAFKA_BOOTSTRAP_SERVERS"),
                           f"{name}: KEDA's bootstrapServers differ from the ConfigMap's")
        low, high = so.get("minReplicaCount", 0), so.get("maxReplicaCount", 100)
        problems.check(1 <= low <= high, f"{name}: replicas {low}..{high} (min must be >= 1, "
                       "the service also serves metrics)")
        problems.check(high <= partitions[topic],
                       f"{name}: maxReplicaCount {high} exceeds the {partitions[topic]} "
                       f"partitions of {topic} (extra consumers would sit idle)")
    return problems.finish(f"{overlay}: {len(docs)} objects; probes, hardening, drain, "
                           "PDBs, Services, HPA and KEDA (schema, groups, topics, partition "
                           "caps) consistent")


# ---------------------------------------------------------------------- Grafana / PromQL
GRAFANA_VARIABLES = {
    "__rate_interval": "1m", "__interval": "1m", "__range": "1h", "__range_s": "3600",
    "__interval_ms": "60000", "service": ".*", "datasource": "prometheus",
}
VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left",
    "group_right", "and", "or", "unless", "offset", "bool", "topk", "bottomk", "quantile",
    "stddev", "stdvar", "count_values", "group",
}


def substitute(expr: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = next(g for g in match.groups() if g)
        if name not in GRAFANA_VARIABLES:
            raise KeyError(name)
        return GRAFANA_VARIABLES[name]
    return VARIABLE.sub(replace, expr)


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


def panels_of(dashboard: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def check_grafana(rules_out: Path) -> int:
    problems = Problems()
    path = ROOT / "deploy/grafana/dashboards/hotmart-import.json"
    try:
        dashboard = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        print(f"- {path.relative_to(ROOT)} is not JSON: {error}")
        return 1
    for key in ("uid", "title", "schemaVersion", "panels"):
        problems.check(key in dashboard, f"dashboard has no {key}")
    variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
    problems.check(variables.get("datasource", {}).get("type") == "datasource",
                   "no ${datasource} variable of type datasource")
    ids: set[int] = set()
    cells: set[tuple[int, int]] = set()
    rules = []
    used: set[str] = set()
    for panel in panels_of(dashboard):
        title = panel.get("title", "?")
        problems.check(panel.get("id") not in ids, f"panel id {panel.get('id')} repeats")
        ids.add(panel.get("id", -1))
        grid = panel.get("gridPos", {})
        problems.check(all(k in grid for k in "hwxy") and grid.get("x", 0) + grid.get("w", 0)
                       <= 24, f"panel {title!r}: bad gridPos {grid}")
        area = {(x, y) for x in range(grid.get("x", 0), grid.get("x", 0) + grid.get("w", 0))
                for y in range(grid.get("y", 0), grid.get("y", 0) + grid.get("h", 0))}
        problems.check(not area & cells, f"panel {title!r} overlaps another")
        cells |= area
        if panel.get("type") == "row":
            continue
        problems.check(panel.get("datasource", {}).get("uid") == "${datasource}",
                       f"panel {title!r} does not use the ${{datasource}} variable")
        targets = panel.get("targets", [])
        problems.check(targets, f"panel {title!r} has no query")
        refs = [t.get("refId") for t in targets]
        problems.check(len(refs) == len(set(refs)), f"panel {title!r}: refIds repeat")
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
            unknown = names - KNOWN_METRICS
            problems.check(not unknown, f"panel {title!r}: unknown metric(s) {sorted(unknown)}")
            rules.append({"record": f"dashboard:panel_{panel['id']}:{target['refId']}",
                          "expr": concrete})
    for metric in ("hotmart_import_rows_processed_total", "hotmart_import_consumer_lag",
                   "hotmart_import_batch_duration_seconds_bucket", "hotmart_import_imports_total",
                   "hotmart_import_revenue_total", "hotmart_import_dlq_messages_total",
                   "hotmart_import_stalled_imports", "up"):
        problems.check(metric in used, f"no panel shows {metric}")
    # Provisioning: the data source docker-compose's Grafana gets, and the folder the
    # dashboard provider reads, which compose mounts deploy/grafana/dashboards on.
    provisioning = ROOT / "deploy/grafana/provisioning"
    sources = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())
    problems.check(sources.get("apiVersion") == 1 and any(
        d.get("type") == "prometheus" and d.get("url") == "http://prometheus:9090"
        for d in sources.get("datasources", [])),
        "datasource provisioning has no Prometheus at http://prometheus:9090")
    providers = yaml.safe_load((provisioning / "dashboards/hotmart-import.yml").read_text())
    paths = {p.get("options", {}).get("path") for p in providers.get("providers", [])}
    grafana = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["grafana"]
    mounts = dict(str(v).split(":")[:2] for v in grafana.get("volumes", []))
    problems.check(mounts.get("./deploy/grafana/dashboards") in paths,
                   f"the dashboard provider reads {sorted(map(str, paths))}, compose mounts "
                   f"the dashboards on {mounts.get('./deploy/grafana/dashboards')}")
    rules_out.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]},
                                        sort_keys=False))
    charts = sum(1 for panel in panels_of(dashboard) if panel.get("type") != "row")
    return problems.finish(f"dashboard: {charts} panels, {len(rules)} queries, metrics known; "
                           f"PromQL written to {rules_out.name} for promtool")


def check_alerts() -> int:
    problems = Problems()
    alerts = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    names = set()
    for group in alerts["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            names.add(name)
            unknown = metric_names(rule["expr"]) - KNOWN_METRICS
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
