#!/usr/bin/env bash
# Installs the Debian packages Tocsin needs to build, test and run, and the
# npm packages of the end-to-end tests. Idempotent and fast when everything is
# present: only missing packages are installed, with one `apt-get update`.
#
# Usage: scripts/bootstrap.sh [build|test]
#   build  compilers and libraries (make run)
#   test   build + what the tests drive: clang for TSan, sqlite3, outside programs
set -euo pipefail

mode="${1:-build}"

build_pkgs=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libsqlite3-dev libspdlog-dev libfmt-dev libssl-dev
  libyaml-cpp-dev libhowardhinnant-date-dev libcurl4-openssl-dev tzdata
  libgtest-dev libgmock-dev
)
test_pkgs=(
  clang libclang-rt-14-dev sqlite3 procps python3-aiosmtpd openssl faketime libfaketime
  prometheus-alertmanager chromium slowhttptest
)

pkgs=("${build_pkgs[@]}")
if [[ "$mode" == "test" ]]; then
  pkgs+=("${test_pkgs[@]}")
  # Node.js and npm for the browser tests, unless a Node.js is already there
  # (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
  if ! command -v npm >/dev/null; then
    pkgs+=(nodejs npm)
  fi
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "bootstrap: installing ${missing[*]}"
  sudo=""
  if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null; then
      sudo="sudo"
    else
      echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages of the browser tests (playwright-core, pinned by the lock file),
# installed again only when the lock file changed.
if [[ "$mode" == "test" ]]; then
  web_tests="$(dirname "$0")/../tests/e2e/web"
  stamp="$web_tests/node_modules/.package-lock.json"
  if [[ ! -f "$stamp" || "$web_tests/package-lock.json" -nt "$stamp" ]]; then
    echo "bootstrap: npm ci in tests/e2e/web"
    (cd "$web_tests" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
