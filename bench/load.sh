#!/usr/bin/env bash
# Load benchmark: the same binary and handler with and without #[authorized], under wrk on
# loopback, runs interleaved; prints requests/s and p99 of each run, the medians and the ratio,
# for each key source:
#   hs256  tokens signed with BETTER_AUTH_SECRET (the `mint` example, as Better Auth's sign hook)
#   jwks   stock Better Auth EdDSA tokens, issued by a real better-auth 1.7.29 server
#          (tests/better-auth/bench-tokens.mjs), whose JWKS bench_server fetches
# Every request is a random one of USERS users' GET /<route>/<user id>/tasks with that user's
# token (bench/mix.lua), so each token is used many times, spread over the run.
# Stops by itself (per mode: ROUNDS x 2 runs of DURATION seconds). Loopback only.
#
#   bash bench/load.sh                        # both modes, 1000 users, 5 rounds of 10 s, wrk -t2 -c64
#   MODES=jwks ROUNDS=3 DURATION=5 bash bench/load.sh
#   WITH_FASTAPI=1 bash bench/load.sh         # also the FastAPI + PyJWT original (bench/fastapi,
#                                             # HS256), installed from PyPI into a scratch virtualenv
#   WITH_METRICS=1 bash bench/load.sh         # also a second server recording every metric into
#                                             # a Prometheus recorder (METRICS=1), interleaved:
#                                             # its protected/open over the first one's
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
duration=${DURATION:-10}
threads=${THREADS:-2}
connections=${CONNECTIONS:-64}
port=${PORT:-18080}
users=${USERS:-1000}
modes=${MODES:-"hs256 jwks"}

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)"
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get install -y -qq wrk >/dev/null 2>&1 || { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq wrk; }
fi

cargo build --release --quiet --example bench_server -p auth-workspace
cargo build --release --quiet -p tasks --bin mint
work=$(mktemp -d)
server=""; issuer=""; metrics_server=""
with_metrics=${WITH_METRICS:-0}
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    [ -z "$metrics_server" ] || kill "$metrics_server" 2>/dev/null || true
    [ -z "$issuer" ] || kill "$issuer" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export BETTER_AUTH_SECRET="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export TOKENS_FILE="$work/tokens"

start_server() { # env assignments for bench_server; with WITH_METRICS=1 a second one on port+1
    env "$@" BIND_ADDR="127.0.0.1:$port" target/release/examples/bench_server >/dev/null &
    server=$!
    wait_for "$port"
    if [ "$with_metrics" = 1 ]; then
        env "$@" METRICS=1 BIND_ADDR="127.0.0.1:$((port + 1))" target/release/examples/bench_server >/dev/null &
        metrics_server=$!
        wait_for "$((port + 1))"
    fi
}

wait_for() { # port
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return
        sleep 0.1
    done
    echo "error: bench_server did not start"; exit 1
}

stop_server() {
    kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""
    if [ -n "$metrics_server" ]; then
        kill "$metrics_server" 2>/dev/null || true; wait "$metrics_server" 2>/dev/null || true
        metrics_server=""
    fi
}

# Sanity: a user's token on their own path answers 200, and 401 without it.
sanity() {
    read -r id token < "$TOKENS_FILE"
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/protected/$id/tasks")" = 200 ]
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/protected/$id/tasks")" = 401 ]
}

run() { # route [port] -> "requests/s p99 non-2xx"
    ROUTE=$1 wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s bench/mix.lua \
        "http://127.0.0.1:${2:-$port}" |
        awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {print rps, p99, (bad ? bad : 0)}'
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

compare() { # mode: interleaved rounds of open and protected, then medians and the ratio
    printf '%-6s %-6s %-17s %12s %10s\n' mode round route "requests/s" p99
    local open_rps=() protected_rps=() ratios=() metrics_ratios=() costs=()
    for round in $(seq "$rounds"); do
        local variants="open protected"
        # A B B A: each pair of runs of a server next to each other, the two servers in turn.
        [ "$with_metrics" = 1 ] && variants="$variants protected+metrics open+metrics"
        for variant in $variants; do
            local route=${variant%+metrics} at=$port
            [ "$variant" = "$route" ] || at=$((port + 1))
            read -r rps p99 bad < <(run "$route" "$at")
            [ "$bad" = 0 ] || { echo "error: $bad non-2xx answers on /$route"; exit 1; }
            printf '%-6s %-6s %-17s %12s %10s\n' "$1" "$round" "$variant" "$rps" "$p99"
            case $variant in
            open) open_rps+=("$rps") ;;
            protected) protected_rps+=("$rps") ;;
            open+metrics) metrics_open=$rps ;;
            protected+metrics) metrics_protected=$rps ;;
            esac
        done
        ratios+=("$(awk -v p="${protected_rps[-1]}" -v o="${open_rps[-1]}" 'BEGIN {printf "%.3f", p/o}')")
        if [ "$with_metrics" = 1 ]; then
            metrics_ratios+=("$(awk -v p="$metrics_protected" -v o="$metrics_open" 'BEGIN {printf "%.3f", p/o}')")
            costs+=("$(awk -v m="${metrics_ratios[-1]}" -v r="${ratios[-1]}" 'BEGIN {printf "%.3f", m/r}')")
        fi
    done
    echo "$1: median requests/s: open $(median "${open_rps[@]}"), protected $(median "${protected_rps[@]}")"
    # Each round's protected run right after its open run: the ratio of a pair is what a
    # neighbour's load on the machine moves least.
    echo "$1: protected/open per round: ${ratios[*]}"
    echo "$1: median of the per-round ratios protected/open: $(median "${ratios[@]}")"
    if [ "$with_metrics" = 1 ]; then
        echo "$1: with metrics recorded, protected/open per round: ${metrics_ratios[*]}"
        echo "$1: median of the per-round (protected/open with metrics) / (protected/open without): $(median "${costs[@]}")"
    fi
}

echo "wrk -t$threads -c$connections -d${duration}s, $rounds interleaved rounds, $users users' tokens, $(nproc) cores"
for mode in $modes; do
    case $mode in
    hs256)
        for i in $(seq "$users"); do
            printf 'user-%s %s\n' "$i" "$(target/release/mint "user-$i" --ttl 3600)"
        done > "$TOKENS_FILE"
        start_server
        ;;
    jwks)
        if [ ! -d tests/better-auth/node_modules ]; then
            (cd tests/better-auth && npm ci --silent --no-audit --no-fund)
        fi
        mkfifo "$work/in" "$work/out"
        # The issuer serves its JWKS until its stdin closes: fd 4 holds it open.
        node tests/better-auth/bench-tokens.mjs "$users" "$TOKENS_FILE" < "$work/in" > "$work/out" &
        issuer=$!
        exec 4> "$work/in"
        read -r ready origin < "$work/out"
        [ "$ready" = READY ] || { echo "error: the Better Auth issuer did not start"; exit 1; }
        start_server -u BETTER_AUTH_SECRET BETTER_AUTH_URL="$origin"
        ;;
    *) echo "error: unknown mode $mode (hs256 or jwks)"; exit 2 ;;
    esac
    sanity
    compare "$mode"
    stop_server
    if [ -n "$issuer" ]; then exec 4>&-; wait "$issuer" 2>/dev/null || true; issuer=""; fi
done

if [ "${WITH_FASTAPI:-0}" = 1 ]; then
    for i in $(seq "$users"); do
        printf 'user-%s %s\n' "$i" "$(target/release/mint "user-$i" --ttl 3600)"
    done > "$TOKENS_FILE"
    venv=$(realpath -m "${FASTAPI_VENV:-target/bench-fastapi-venv}")
    if [ ! -x "$venv/bin/uvicorn" ]; then
        echo "installing FastAPI + PyJWT into $venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q -r bench/fastapi/requirements.txt
    fi
    (cd bench/fastapi && exec "$venv/bin/uvicorn" app:app --host 127.0.0.1 --port "$port" \
        --workers 2 --loop uvloop --http httptools --no-access-log --log-level warning) &
    server=$!
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$port/open/x/tasks" >/dev/null 2>&1 && break
        sleep 0.1
    done
    sanity
    fastapi_rps=()
    for round in $(seq "$rounds"); do
        read -r rps p99 bad < <(run protected)
        [ "$bad" = 0 ] || { echo "error: $bad non-2xx answers from FastAPI"; exit 1; }
        printf '%-6s %-6s %-10s %12s %10s\n' fastapi "$round" protected "$rps" "$p99"
        fastapi_rps+=("$rps")
    done
    echo "median requests/s: FastAPI + PyJWT protected $(median "${fastapi_rps[@]}")"
    pkill -P "$server" 2>/dev/null || true
fi
