#!/usr/bin/env bash
# Runs the micro-benchmarks RUNS times (default 3, each a whole `cargo bench --bench verify`
# run, so the compared benchmarks are interleaved) and prints the median of each ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
cargo bench --bench verify --no-run --quiet 2>/dev/null

# "├─ name   fastest │ slowest │ median │ …" -> "name median_in_ns"
medians() {
    awk -F'│' '/(├|╰)─ [a-z0-9_]+ +[0-9]/ {
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

# shellcheck source=bench/medians.sh
source bench/medians.sh
echo
echo "medians over $runs runs (ns):"
for name in sum hs256_uncached auth_runtime_verify jsonwebtoken_decode protected_route unprotected_route \
    eddsa_first_seen eddsa_bare_ring eddsa_bare_verify_strict eddsa_cache_hit es256_uncached \
    es256_bare_ring es512_uncached es512_bare_p521 rs256_uncached rs256_bare_ring ps256_uncached \
    ps256_bare_ring; do
    printf '  %-24s %s\n' "$name" "$(median "${series[$name]}")"
done
echo "HS256 verify / floor sum:           $(ratio_median "${series[hs256_uncached]}" "${series[sum]}")"
echo "HS256 verify / jsonwebtoken:         $(ratio_median "${series[hs256_uncached]}" "${series[jsonwebtoken_decode]}")"
echo "HS256 cache hit / HS256 verify:      $(ratio_median "${series[auth_runtime_verify]}" "${series[hs256_uncached]}")"
echo "EdDSA cache hit / HS256 verify:      $(ratio_median "${series[eddsa_cache_hit]}" "${series[hs256_uncached]}")"
echo "EdDSA first seen / bare ring:        $(ratio_median "${series[eddsa_first_seen]}" "${series[eddsa_bare_ring]}")"
echo "EdDSA first seen / verify_strict:    $(ratio_median "${series[eddsa_first_seen]}" "${series[eddsa_bare_verify_strict]}")"
echo "ES256 verify / bare ring:            $(ratio_median "${series[es256_uncached]}" "${series[es256_bare_ring]}")"
echo "ES512 verify / bare p521:            $(ratio_median "${series[es512_uncached]}" "${series[es512_bare_p521]}")"
echo "RS256 verify / bare ring:            $(ratio_median "${series[rs256_uncached]}" "${series[rs256_bare_ring]}")"
echo "PS256 verify / bare ring:            $(ratio_median "${series[ps256_uncached]}" "${series[ps256_bare_ring]}")"
echo "router: protected - open:            $(paste <(printf '%s\n' ${series[protected_route]}) <(printf '%s\n' ${series[unprotected_route]}) | awk '{print $1-$2}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ns"

# Instruction counts (callgrind, deterministic on a shared machine) of the EdDSA paths, where
# valgrind is installed: `benches/instructions.rs`, 200 tokens each.
if command -v valgrind >/dev/null; then
    cargo bench --bench instructions --no-run --quiet 2>/dev/null
    exe=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
    out=$(mktemp -d)
    declare -A ir
    for path in first_seen bare bare_ring cache_hit hs256; do
        valgrind --tool=callgrind --collect-atstart=no --toggle-collect='instructions::measure_*' \
            --callgrind-out-file="$out/$path" "$exe" "$path" 200 >/dev/null 2>&1
        ir[$path]=$(awk '/^(summary|totals):/ {print $2; exit}' "$out/$path")
    done
    rm -rf "$out"
    echo
    echo "instructions per token (callgrind, 200 tokens):"
    for path in first_seen bare bare_ring cache_hit hs256; do
        printf '  %-12s %s\n' "$path" "$((ir[$path] / 200))"
    done
    awk -v f="${ir[first_seen]}" -v b="${ir[bare]}" -v r="${ir[bare_ring]}" -v c="${ir[cache_hit]}" -v h="${ir[hs256]}" 'BEGIN {
        printf "EdDSA first seen / bare ring:        %.3f (instructions)\n", f / r
        printf "EdDSA first seen / verify_strict:    %.3f (instructions)\n", f / b
        printf "EdDSA cache hit / HS256 verify:      %.3f (instructions)\n", c / h
    }'
fi
