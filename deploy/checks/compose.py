"""docker-compose.yml: the infrastructure, and every service of the registry built from the
Dockerfile, configured, healthchecked, waiting on healthy infrastructure and scraped."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .common import (
    API_SERVICE,
    HTTP_PORT,
    METRICS_PORT,
    REQUIRED_ENV,
    ROOT,
    SERVICE_NAMES,
    Problems,
)

INFRASTRUCTURE = {"kafka", "postgres", "minio", "minio-init", "prometheus", "grafana"}
S3_ENV = ("HOTMART_S3_ENDPOINT_URL", "HOTMART_S3_ACCESS_KEY_ID", "HOTMART_S3_SECRET_ACCESS_KEY")


def scrape_jobs() -> dict[str, list[str]]:
    scrape = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    return {job["job_name"]: [t for sc in job.get("static_configs", []) for t in sc["targets"]]
            for job in scrape["scrape_configs"]}


def check_infrastructure(services: dict[str, Any], problems: Problems) -> None:
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


def check_service(name: str, service: dict[str, Any], jobs: dict[str, list[str]],
                  problems: Problems) -> None:
    build = service.get("build", {})
    problems.check(build.get("dockerfile") == "deploy/docker/Dockerfile"
                   and build.get("context") == "."
                   and build.get("args", {}).get("SERVICE") == name,
                   f"{name}: not built from deploy/docker/Dockerfile with SERVICE={name}")
    env = service.get("environment", {})
    prefix = name.upper()
    for key in (*REQUIRED_ENV, *S3_ENV, f"{prefix}_HTTP_HOST"):
        problems.check(key in env, f"{name}: environment lacks {key}")
    problems.check(str(env.get(f"{prefix}_HTTP_PORT")) == HTTP_PORT,
                   f"{name}: {prefix}_HTTP_PORT is not {HTTP_PORT}")
    test = " ".join(service.get("healthcheck", {}).get("test", []))
    problems.check(f"{HTTP_PORT}/readyz" in test or f"{HTTP_PORT}/healthz" in test,
                   f"{name}: no healthcheck on /readyz or /healthz")
    depends = service.get("depends_on", {})
    for dependency in ("kafka", "postgres", "minio"):
        problems.check(depends.get(dependency, {}).get("condition") == "service_healthy",
                       f"{name}: does not wait for {dependency} to be healthy")
    problems.check(str(env.get(f"{prefix}_METRICS_PORT")) == METRICS_PORT,
                   f"{name}: {prefix}_METRICS_PORT is not {METRICS_PORT}")
    problems.check(not any(METRICS_PORT in str(p).rsplit(":", 1)[-1]
                           for p in service.get("ports", [])),
                   f"{name}: publishes the metrics port {METRICS_PORT} on the host")
    problems.check(jobs.get(f"hotmart-{name}") == [f"{name}:{METRICS_PORT}"],
                   f"prometheus.yml: job hotmart-{name} does not scrape {name}:{METRICS_PORT}")


def check_api_service(services: dict[str, Any], problems: Problems) -> None:
    """The public API is published on its registry port and waits for the bucket."""
    api = services.get(API_SERVICE.name, {})
    published = f"{API_SERVICE.http_port}:{HTTP_PORT}"
    problems.check(published in [str(p) for p in api.get("ports", [])],
                   f"{API_SERVICE.name} is not published on {API_SERVICE.http_port}")
    problems.check(api.get("depends_on", {}).get("minio-init", {}).get(
        "condition") == "service_completed_successfully",
        f"{API_SERVICE.name} does not wait for the bucket job")
    for name, service in services.items():
        if name != API_SERVICE.name and name in SERVICE_NAMES:
            problems.check(not service.get("ports"), f"{name}: publishes a port on the host, "
                           f"only {API_SERVICE.name} serves the public API")


def check_mounts(services: dict[str, Any], problems: Problems) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("."):
                problems.check((ROOT / source).exists(),
                               f"{name}: mounts {source}, which does not exist")


def check_compose() -> int:
    problems = Problems()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, Any] = compose["services"]
    expected = INFRASTRUCTURE | set(SERVICE_NAMES)
    problems.check(set(services) == expected,
                   f"services are {sorted(services)}, expected {sorted(expected)}")
    check_infrastructure(services, problems)
    jobs = scrape_jobs()
    for name in SERVICE_NAMES:
        check_service(name, services.get(name, {}), jobs, problems)
    check_api_service(services, problems)
    problems.check(services.get("parse", {}).get("environment", {}).get("PARSE_CHUNK_SIZE")
                   is not None, "parse: PARSE_CHUNK_SIZE not set")
    check_mounts(services, problems)
    return problems.finish(f"compose: {len(services)} services; the registry's "
                           f"{len(SERVICE_NAMES)} built from the Dockerfile, healthchecked, "
                           "waiting on healthy infrastructure, scraped by prometheus.yml")
