#!/usr/bin/env bash
# What recording metrics costs per request, in instructions (callgrind: deterministic on a
# shared machine): 200 requests through an axum router to the same handler without and with
# #[authorized] (a stock EdDSA token, a cache hit), in a process without a metrics recorder and
# in one with metrics-exporter-prometheus's recorder installed (METRICS=1).
#
#   bash bench/metrics-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
n=200
cargo bench --bench instructions --no-run --quiet 2>/dev/null
exe=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
declare -A ir
for metrics in 0 1; do
    for route in open protected; do
        METRICS=$metrics valgrind --tool=callgrind --collect-atstart=no \
            --toggle-collect='instructions::measure_*' \
            --callgrind-out-file="$out/$route-$metrics" "$exe" "route_$route" "$n" >/dev/null 2>&1
        ir[$route-$metrics]=$(awk '/^(summary|totals):/ {print $2; exit}' "$out/$route-$metrics")
    done
done
echo "instructions per request (callgrind, $n requests, one stock EdDSA token, cache hits):"
printf '  %-10s %12s %12s\n' route "no recorder" "recorder"
for route in open protected; do
    printf '  %-10s %12s %12s\n' "$route" "$((ir[$route-0] / n))" "$((ir[$route-1] / n))"
done
awk -v o0="${ir[open-0]}" -v p0="${ir[protected-0]}" -v o1="${ir[open-1]}" -v p1="${ir[protected-1]}" 'BEGIN {
    printf "open / protected without a recorder:   %.3f (the instruction ratio of protected/open throughput)\n", o0 / p0
    printf "open / protected with the recorder:    %.3f\n", o1 / p1
    printf "with / without:                        %.3f (goal >= 0.95)\n", (o1 / p1) / (o0 / p0)
}'
