#!/usr/bin/env bash
# Runs every benchmark against the release build and prints a report; each
# measurement sits next to the trivial-endpoint baseline (GET /healthz)
# measured in the same run on the same server. Writes bench/results/latest.md.
#
# The server is pinned to CPU 0 and wrk to CPU 1 (2-core machines: otherwise
# the load generator and the server fight over one core).
#
# Knobs: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_INCIDENTS (1000000),
# BENCH_ENTRIES_PER_INCIDENT (10), BENCH_SKIP_SEED=1 to skip the big dataset,
# BENCH_ENGAGEMENTS (100000) for the engine bench, BENCH_SKIP_ENGINE=1 to skip
# the in-process benchmarks (engine, alert storm, ingest, patterns).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
INCIDENTS="${BENCH_INCIDENTS:-1000000}"
PER_INCIDENT="${BENCH_ENTRIES_PER_INCIDENT:-10}"
BIN=build/release/src/app/tocsin
SEED=build/release/bench/tocsin_seed
TOKEN="tcn_bench_token_0123456789abcdef"
PORT=18181
WORK="$(mktemp -d /tmp/tocsin-bench.XXXXXX)"
RESULTS=bench/results/latest.md
mkdir -p bench/results
export BENCH_TOKEN="$TOKEN"

[[ -x "$BIN" && -x "$SEED" ]] || { echo "build first: cmake --build --preset release --target tocsin tocsin_seed" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

SERVER_PID=""
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

start_server() {  # $1 = database file; SERVER_LOG_LEVEL (warn)
  TOCSIN_BOOTSTRAP_KEY="$TOKEN" TOCSIN_LOG_ACCESS=false TOCSIN_LOG_LEVEL="${SERVER_LOG_LEVEL:-warn}" \
    taskset -c 0 "$BIN" serve --listen "127.0.0.1:$PORT" --db "$1" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
}

api() {  # method path [json]
  curl -sf -X "$1" "http://127.0.0.1:$PORT$2" -H "Authorization: Bearer $TOKEN" ${3:+-d "$3"} >/dev/null
}

# Runs wrk and prints "rps p50_ms p99_ms errors".
run_wrk() {  # name script url [seconds]
  local out="$WORK/$1.wrk"
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${4:-$SECONDS_PER_RUN}s" --latency -s "bench/lua/$2" "$3" >"$out" 2>&1
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { err = $NF }
    /Socket errors/ { err += 0 }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, err + 0 }' "$out"
}

declare -A RPS P50 P99 ERR
measure() {  # key script url
  read -r RPS[$1] P50[$1] P99[$1] ERR[$1] < <(run_wrk "$1" "$2" "$3")
  printf '  %-28s %10s req/s  p50 %7s ms  p99 %7s ms  non-2xx %s\n' "$1" "${RPS[$1]}" "${P50[$1]}" "${P99[$1]}" "${ERR[$1]}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "== write path (fresh database, synchronous=FULL, ${CONNECTIONS} connections, ${SECONDS_PER_RUN}s each)"
start_server "$WORK/write.db"
api POST /api/v1/response-plans '{"name":"bench-new","incidentTemplate":{"title":"Bench","impact":3}}'
api POST /api/v1/response-plans '{"name":"bench-dedupe","incidentTemplate":{"title":"Bench","impact":3,"dedupeString":"bench"}}'
measure healthz get.lua "http://127.0.0.1:$PORT/healthz"
BENCH_RUN="run$$" measure create_contact create_contact.lua "http://127.0.0.1:$PORT/"
BENCH_PLAN=bench-new measure start_incident start_incident.lua "http://127.0.0.1:$PORT/"
BENCH_PLAN=bench-dedupe measure dedupe_hit start_incident.lua "http://127.0.0.1:$PORT/"
measure healthz_after get.lua "http://127.0.0.1:$PORT/healthz"
stop_server

LIST_LINE="(skipped: BENCH_SKIP_SEED=1)"
CHECK_LINE="(no big database)"
if [[ "${BENCH_SKIP_SEED:-0}" != "1" ]]; then
  echo "== list at ${INCIDENTS} incidents x ${PER_INCIDENT} timeline entries (10% open)"
  "$SEED" "$WORK/big.db" "$INCIDENTS" "$PER_INCIDENT" 10
  SERVER_LOG_LEVEL=info start_server "$WORK/big.db"
  # A database over store.blockingCheckMaxMb is checked (PRAGMA quick_check,
  # every page) in the background after the server is ready, on the server's
  # core: measure the steady state after it, and report how long it took.
  CHECK_START=$SECONDS
  for _ in $(seq 1 3600); do
    grep -q "integrity check" "$WORK/server.log" && break
    sleep 1
  done
  CHECK_LINE="$(grep -o 'msg="database [a-z]* its integrity check".*' "$WORK/server.log" || echo "not finished after 1 h")"
  echo "background integrity check: $CHECK_LINE (waited $((SECONDS - CHECK_START)) s)"
  measure healthz_big get.lua "http://127.0.0.1:$PORT/healthz"
  # A 3-second run first, not reported: the first requests after a start read
  # the newest rows from disk and fill the decode caches, as they would once
  # on a server that has been answering lists for a while.
  run_wrk list_warmup get.lua "http://127.0.0.1:$PORT/api/v1/incidents?status=OPEN" 3 >/dev/null
  measure list_open get.lua "http://127.0.0.1:$PORT/api/v1/incidents?status=OPEN"
  measure timeline get.lua "http://127.0.0.1:$PORT/api/v1/incidents?status=OPEN&limit=1"
  stop_server
  LIST_LINE="| \`GET /api/v1/incidents?status=OPEN\` (${INCIDENTS} incidents, $((INCIDENTS * PER_INCIDENT)) entries) | ${RPS[list_open]} | ${P50[list_open]} | ${P99[list_open]} | $(ratio "${RPS[list_open]}" "${RPS[healthz_big]}") | p99 ≤ 20 ms |"
fi

# The dashboard in Chromium (needs scripts/bootstrap.sh test: node, chromium, playwright-core).
DASH_LINE="| dashboard \`#/incidents\` | (skipped: run scripts/bootstrap.sh test first) | | | | |"
if command -v node >/dev/null && [[ -x "${CHROMIUM:-/usr/bin/chromium}" &&
      -d tests/e2e/web/node_modules/playwright-core ]]; then
  echo "== dashboard (bench/dashboard_bench.mjs)"
  if node bench/dashboard_bench.mjs --bin "$BIN" --seed "$SEED" --row "$WORK/dashboard.row" |
      tee bench/results/dashboard.md; then
    DASH_LINE="$(cat "$WORK/dashboard.row")"
  else
    DASH_LINE="| dashboard \`#/incidents\` | (failed: see above) | | | | |"
  fi
fi

{
  echo "# Benchmark results"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "server pinned to CPU 0, \`wrk -t1 -c${CONNECTIONS} -d${SECONDS_PER_RUN}s\` pinned to CPU 1, release build,"
  echo "SQLite WAL with synchronous=FULL. Command: \`make bench\` (bench/run_all.sh)."
  echo
  echo "| benchmark | req/s | p50 ms | p99 ms | ratio to /healthz | target |"
  echo "|---|---|---|---|---|---|"
  echo "| \`GET /healthz\` (baseline) | ${RPS[healthz]} | ${P50[healthz]} | ${P99[healthz]} | 1.00 | |"
  echo "| \`POST /api/v1/contacts\` (durable create) | ${RPS[create_contact]} | ${P50[create_contact]} | ${P99[create_contact]} | $(ratio "${RPS[create_contact]}" "${RPS[healthz]}") | ≥ 0.5 × baseline |"
  echo "| \`POST /api/v1/incidents\` (new incident, durable) | ${RPS[start_incident]} | ${P50[start_incident]} | ${P99[start_incident]} | $(ratio "${RPS[start_incident]}" "${RPS[healthz]}") | ≥ 5,000/s |"
  echo "| \`POST /api/v1/incidents\` (dedupe hit, durable) | ${RPS[dedupe_hit]} | ${P50[dedupe_hit]} | ${P99[dedupe_hit]} | $(ratio "${RPS[dedupe_hit]}" "${RPS[healthz]}") | ≥ 10,000/s |"
  echo "$LIST_LINE"
  echo "$DASH_LINE"
  echo
  echo "New incidents per second versus AWS Incident Manager's StartIncident quota of 5/s: $(ratio "${RPS[start_incident]}" 5)×."
  echo "Non-2xx responses: create_contact ${ERR[create_contact]}, start_incident ${ERR[start_incident]}, dedupe_hit ${ERR[dedupe_hit]}."
  echo "The list was measured after the big database's background integrity check: ${CHECK_LINE}."
} | tee "$RESULTS"

# The in-process benchmarks print Markdown tables of their own, each with its
# baseline measured in the same run; they are appended to the report.
if [[ "${BENCH_SKIP_ENGINE:-0}" != "1" ]]; then
  for spec in "engine_bench ${BENCH_ENGAGEMENTS:-100000}" "alert_storm_bench" "ingest_bench" \
              "pattern_bench"; do
    read -r name args <<<"$spec"
    bin="build/release/bench/tocsin_${name}"
    echo "== ${name} (${bin} ${args:-})"
    {
      echo
      echo "## \`tocsin_${name}${args:+ ${args}}\`"
      echo
      if [[ -x "$bin" ]]; then
        # shellcheck disable=SC2086  # args is a list of words.
        "$bin" ${args:-} 2>&1 || echo "(failed: exit $?)"
      else
        echo "(not built: cmake --build --preset release --target tocsin_${name})"
      fi
    } | tee -a "$RESULTS"
  done
fi
