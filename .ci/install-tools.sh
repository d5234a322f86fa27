#!/usr/bin/env bash
# Installs, each only when it is missing (safe to run again), what omnistack's tests need from
# the system's package manager: the same prerequisites README.md lists. The linters and test
# servers (hadolint, actionlint, check-jsonschema, moto, openapi-spec-validator, schemathesis)
# are not here: the tests install their pinned versions into target/tools/venv themselves
# (tests/tools). Needs root; called by .ci/run and by the GitHub workflow.
set -euo pipefail

log() { printf '    %s\n' "$*"; }

updated=""
apt_install() { # package...
  log "installing $*"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$updated" ]; then apt-get update -qq; updated=1; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Python's venv module with ensurepip, which Debian and Ubuntu package apart from python3.
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3 python3-venv
# docker-compose v1 validates compose files without a Docker engine.
command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
# The saas preset's TypeScript client: npm installs it from its lockfile, Node runs its tests.
{ command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } || apt_install nodejs npm
# The generated projects' tests make and drop databases with psql.
command -v psql >/dev/null 2>&1 || apt_install postgresql-client
