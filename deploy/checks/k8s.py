"""A rendered Kubernetes overlay: one namespace, config without secrets, and for every
service of the registry a hardened Deployment with probes, drain, ports, a PDB, a scraped
Service, and an autoscaler (an HPA for the API, KEDA on its consumer groups otherwise)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .common import (
    HTTP_PORT,
    METRICS_PORT,
    ROOT,
    SECRET_KEYS,
    SECRET_NAME,
    SERVICE_DRAIN_SECONDS,
    SERVICES,
    Problems,
    load_yaml_documents,
    topic_partitions,
)
from .common import registry as registry_module

Objects = dict[str, list[dict[str, Any]]]
Service = registry_module.Service
KEDA_SCHEMA = ROOT / "deploy/k8s/schemas/keda-scaledobject-v1alpha1.json"


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def named(objects: Objects, kind: str, name: str) -> dict[str, Any] | None:
    return next((d for d in objects.get(kind, []) if d["metadata"]["name"] == name), None)


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


def check_namespace_and_config(docs: list[dict[str, Any]], objects: Objects,
                               problems: Problems) -> dict[str, str]:
    """One namespace holding everything; no Secret; one ConfigMap without secret keys."""
    namespaces = [d["metadata"]["name"] for d in objects.get("Namespace", [])]
    problems.check(len(namespaces) == 1, f"expected one Namespace, found {namespaces}")
    for doc in docs:
        if doc["kind"] != "Namespace":
            problems.check(doc["metadata"].get("namespace") in namespaces,
                           f"{doc['kind']}/{doc['metadata']['name']} is not in the namespace")
    problems.check("Secret" not in objects, "a Secret is rendered: secrets are not committed")
    configmaps = objects.get("ConfigMap", [])
    problems.check(len(configmaps) == 1, "expected one ConfigMap")
    config: dict[str, str] = configmaps[0].get("data", {}) if configmaps else {}
    for key in SECRET_KEYS:
        problems.check(key not in config, f"ConfigMap holds {key}, which belongs in the Secret")
    for key in ("HOTMART_KAFKA_BOOTSTRAP_SERVERS", "HOTMART_S3_BUCKET", "HOTMART_S3_REGION"):
        problems.check(config.get(key), f"ConfigMap lacks {key}")
    return config


def check_keda_schema(objects: Objects, problems: Problems) -> None:
    import jsonschema

    validator = jsonschema.Draft7Validator(json.loads(KEDA_SCHEMA.read_text()))
    for scaled_object in objects.get("ScaledObject", []):
        for error in validator.iter_errors(scaled_object):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.check(False, f"ScaledObject/{scaled_object['metadata']['name']} {where}: "
                           f"{error.message}")


def check_pod(name: str, pod: dict[str, Any], app: dict[str, Any], problems: Problems) -> None:
    """Image, hardening, probes, drain and resources of the app container."""
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


def check_wiring(service: str, name: str, app: dict[str, Any], pod_labels: dict[str, str],
                 objects: Objects, problems: Problems) -> dict[str, str | None]:
    """Ports and their env, the NetworkPolicy on metrics, envFrom; returns the env."""
    prefix = service.upper()
    env = {e["name"]: e.get("value") for e in app.get("env", [])}
    problems.check(env.get(f"{prefix}_HTTP_HOST") == "0.0.0.0"
                   and env.get(f"{prefix}_HTTP_PORT") == HTTP_PORT,
                   f"{name}: {prefix}_HTTP_HOST/PORT are not 0.0.0.0:{HTTP_PORT}")
    ports = app.get("ports", [])
    problems.check(any(p.get("containerPort") == int(HTTP_PORT) and p.get("name") == "http"
                       for p in ports), f"{name}: no port http/{HTTP_PORT}")
    problems.check(env.get(f"{prefix}_METRICS_PORT") == METRICS_PORT
                   and any(p.get("containerPort") == int(METRICS_PORT)
                           and p.get("name") == "metrics" for p in ports),
                   f"{name}: no port metrics/{METRICS_PORT} set as {prefix}_METRICS_PORT")
    problems.check(metrics_admitted_from_prometheus_only(objects.get("NetworkPolicy", []),
                                                         pod_labels),
                   f"{name}: no NetworkPolicy admits its metrics port from Prometheus alone")
    env_from = app.get("envFrom", [])
    cm_refs = [e["configMapRef"]["name"] for e in env_from if "configMapRef" in e]
    secret_refs = [e["secretRef"]["name"] for e in env_from if "secretRef" in e]
    problems.check(cm_refs and all(named(objects, "ConfigMap", n) for n in cm_refs),
                   f"{name}: envFrom names no rendered ConfigMap ({cm_refs})")
    problems.check(secret_refs == [SECRET_NAME],
                   f"{name}: envFrom does not name the Secret {SECRET_NAME}")
    return env


def check_disruption_and_service(service: str, name: str, pod_labels: dict[str, str],
                                 objects: Objects, problems: Problems) -> set[str]:
    """One PDB; a Service scraped on the metrics port; returns its port names."""
    pdbs = [p for p in objects.get("PodDisruptionBudget", [])
            if selects(p["spec"]["selector"].get("matchLabels", {}), pod_labels)]
    problems.check(len(pdbs) == 1, f"{name}: {len(pdbs)} PodDisruptionBudgets select it")
    services = [s for s in objects.get("Service", [])
                if selects(s["spec"].get("selector", {}), pod_labels)]
    ports = {p["name"]: p for s in services for p in s["spec"]["ports"]}
    problems.check(ports.get("metrics", {}).get("targetPort") in ("metrics", METRICS_PORT),
                   f"{name}: no Service port named metrics targeting the metrics port")
    annotations = [s["metadata"].get("annotations", {}) for s in services]
    problems.check(all(a.get("prometheus.io/port") == METRICS_PORT for a in annotations),
                   f"{name}: Service's prometheus.io/port is not {METRICS_PORT}")
    problems.check(all(a.get("prometheus.io/scrape") == "true" for a in annotations),
                   f"{name}: Service lacks prometheus.io/scrape")
    problems.check(all(s["metadata"].get("labels", {}).get("app.kubernetes.io/component")
                       == service for s in services),
                   f"{name}: Service lacks app.kubernetes.io/component={service}, which "
                   "names the scrape job")
    return set(ports)


def check_hpa(name: str, objects: Objects, problems: Problems) -> None:
    hpas = [h for h in objects.get("HorizontalPodAutoscaler", [])
            if h["spec"]["scaleTargetRef"]["name"] == name]
    if problems.check(len(hpas) == 1 and hpas[0]["apiVersion"] == "autoscaling/v2",
                      f"{name}: needs one autoscaling/v2 HPA"):
        spec = hpas[0]["spec"]
        problems.check(any(m.get("resource", {}).get("name") == "cpu"
                           for m in spec.get("metrics", [])), f"{name}: HPA does not scale on CPU")
        problems.check(spec["minReplicas"] <= spec["maxReplicas"],
                       f"{name}: HPA minReplicas > maxReplicas")


def check_keda(service: Service, name: str, env: dict[str, str | None], config: dict[str, str],
               partitions: dict[str, int], objects: Objects, problems: Problems) -> None:
    """One ScaledObject whose kafka triggers each name one of the service's consumer groups
    in the registry, with its topic, and whose replicas fit that topic's partitions."""
    scaled = [s for s in objects.get("ScaledObject", [])
              if s["spec"]["scaleTargetRef"]["name"] == name]
    if not problems.check(len(scaled) == 1, f"{name}: {len(scaled)} ScaledObjects target it"):
        return
    spec = scaled[0]["spec"]
    problems.check(spec["scaleTargetRef"].get("kind", "Deployment") == "Deployment",
                   f"{name}: ScaledObject does not target a Deployment")
    triggers = [t for t in spec["triggers"] if t["type"] == "kafka"]
    problems.check(triggers, f"{name}: needs a kafka trigger")
    low, high = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    problems.check(1 <= low <= high, f"{name}: replicas {low}..{high} (min must be >= 1, "
                   "the service also serves metrics)")
    groups = {g.group_id: g.topic for g in service.groups}
    for trigger in triggers:
        meta = trigger["metadata"]
        group, topic = meta.get("consumerGroup"), meta.get("topic")
        if not problems.check(group in groups, f"{name}: consumerGroup {group!r} is not one of "
                              f"the service's groups in the registry {sorted(groups)}"):
            continue
        problems.check(topic == groups[group],
                       f"{name}: topic {topic!r}, the group {group} reads {groups[group]}")
        source = meta.get("bootstrapServersFromEnv")
        if source:
            problems.check(source in config or source in env,
                           f"{name}: bootstrapServersFromEnv {source} is not in the "
                           "Deployment's environment")
        else:
            problems.check(meta.get("bootstrapServers")
                           == config.get("HOTMART_KAFKA_BOOTSTRAP_SERVERS"),
                           f"{name}: KEDA's bootstrapServers differ from the ConfigMap's")
        problems.check(high <= partitions[groups[group]],
                       f"{name}: maxReplicaCount {high} exceeds the "
                       f"{partitions[groups[group]]} partitions of {groups[group]} (extra "
                       "consumers would sit idle)")


def check_service(service: Service, objects: Objects, config: dict[str, str],
                  partitions: dict[str, int], problems: Problems) -> None:
    name = f"hotmart-{service.name}"
    deployment = named(objects, "Deployment", name)
    if not problems.check(deployment, f"Deployment {name} missing"):
        return
    assert deployment is not None
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    pod_labels = spec["template"]["metadata"].get("labels", {})
    problems.check(selects(spec["selector"].get("matchLabels", {}), pod_labels),
                   f"{name}: selector does not match its pod labels")
    problems.check("replicas" not in spec,
                   f"{name}: sets spec.replicas, which would fight its autoscaler")
    app = {c["name"]: c for c in pod["containers"]}.get("app")
    if not problems.check(app, f"{name}: no container named app"):
        return
    assert app is not None
    check_pod(name, pod, app, problems)
    env = check_wiring(service.name, name, app, pod_labels, objects, problems)
    ports = check_disruption_and_service(service.name, name, pod_labels, objects, problems)
    if service.public_api:
        problems.check("http" in ports, f"{name}: no Service port named http (API)")
    if service.groups:
        check_keda(service, name, env, config, partitions, objects, problems)
    else:
        check_hpa(name, objects, problems)


def check_k8s(rendered: Path, overlay: str) -> int:
    problems = Problems()
    docs = load_yaml_documents(rendered)
    objects: Objects = {}
    for doc in docs:
        objects.setdefault(doc["kind"], []).append(doc)
    config = check_namespace_and_config(docs, objects, problems)
    partitions = topic_partitions(int(config.get("HOTMART_ROW_TOPIC_PARTITIONS", "8")))
    check_keda_schema(objects, problems)
    for service in SERVICES:
        check_service(service, objects, config, partitions, problems)
    return problems.finish(f"{overlay}: {len(docs)} objects; probes, hardening, drain, "
                           "PDBs, Services, HPA and KEDA (schema, the registry's groups and "
                           "topics, partition caps) consistent")
