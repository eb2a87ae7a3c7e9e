#!/usr/bin/env bash
# Runs the micro-benchmarks RUNS times (default 3, each a whole `cargo bench --bench verify`
# run, so the compared benchmarks are interleaved) and prints the median of each ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
cargo bench --bench verify --no-run --quiet 2>/dev/null

# "├─ name   fastest │ slowest │ median │ …" -> "name median_in_ns"
medians() {
    awk -F'│' '/(├|╰)─ [a-z_]+ +[0-9]/ {
        for (k = 1; k <= NF; k++) if ($k ~ /─ /) break;
        split($k, head, /─ /); split(head[2], nf, / +/); name = nf[1];
        split($(k + 2), m, / +/); value = m[2]; unit = m[3];
        ns = value * (unit == "µs" ? 1000 : unit == "ms" ? 1000000 : 1);
        print name, ns
    }'
}

declare -A series
for run in $(seq "$runs"); do
    out=$(cargo bench --bench verify --quiet -- --sample-count 1000 2>/dev/null)
    echo "run $run:"
    echo "$out" | grep -E '├|╰' | grep -E '[0-9]' | sed 's/^/  /'
    while read -r name ns; do
        series[$name]+="$ns "
    done < <(echo "$out" | medians)
done

median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio_median() { # a b: median over runs of a_i/b_i
    paste <(printf '%s\n' $1) <(printf '%s\n' $2) | awk '{print $1/$2}' | sort -g |
        awk '{a[NR]=$1} END {printf "%.3f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
echo
echo "medians over $runs runs (ns):"
for name in auth_runtime_verify sum jsonwebtoken_decode protected_route unprotected_route jwks_eddsa_warm_cache; do
    printf '  %-24s %s\n' "$name" "$(median "${series[$name]}")"
done
echo "verify / floor sum:        $(ratio_median "${series[auth_runtime_verify]}" "${series[sum]}")"
echo "verify / jsonwebtoken:     $(ratio_median "${series[auth_runtime_verify]}" "${series[jsonwebtoken_decode]}")"
echo "router: protected - open:  $(paste <(printf '%s\n' ${series[protected_route]}) <(printf '%s\n' ${series[unprotected_route]}) | awk '{print $1-$2}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ns"
