#!/usr/bin/env bash
# Regenerates the hashed locks the container images and deploy/validate.sh install from:
#
#   services/<name>/requirements.lock     one service + libs/common, nothing else
#   deploy/docker/build-requirements.lock the build backend (hatchling) for the builder stage
#   deploy/validate-requirements.lock     the tools deploy/validate.sh runs
#
# Called by `make lock` after requirements.lock: the service locks take it as a constraint
# (-c), so every image ships exactly the versions the test suite ran against.
# Like requirements.lock these name no package-registry host (uv emits no index URL).
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-.venv/bin/uv}
PYTHON=${PYTHON:-.venv/bin/python}
export UV_PYTHON_DOWNLOADS=never
SERVICES=($(python3 libs/common/hotmart_common/registry.py names))  # the registry (stdlib only)

compile() {  # compile OUTPUT INPUT... [uv options]
    local out=$1; shift
    "$UV" pip compile --quiet -p "$PYTHON" --generate-hashes \
        --custom-compile-command "make lock" "$@" -o "$out"
}

for service in "${SERVICES[@]}"; do
    # The service pyprojects name hotmart-import-common with a workspace source; uv resolves
    # it to libs/common through the root pyproject's workspace, so passing libs/common's
    # pyproject as a second input brings in its dependencies and --no-emit-package keeps the
    # local package itself out of the lock (the Dockerfile installs it from source).
    compile "services/$service/requirements.lock" \
        "services/$service/pyproject.toml" libs/common/pyproject.toml \
        -c requirements.lock --no-emit-package hotmart-import-common
done

compile deploy/docker/build-requirements.lock deploy/docker/build-requirements.in
compile deploy/validate-requirements.lock deploy/validate-requirements.in

echo "locked: ${SERVICES[*]/%/-service}, docker build backend, validate tools"
