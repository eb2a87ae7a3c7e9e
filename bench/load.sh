#!/usr/bin/env bash
# Load benchmark: the same binary and handler with and without #[authorized], under wrk on
# loopback, runs interleaved; prints requests/s and p99 of each run, the medians and the ratio.
# Stops by itself (ROUNDS x 2 runs of DURATION seconds). Loopback only.
#
#   bash bench/load.sh                      # 5 rounds of 10 s, wrk -t2 -c64
#   ROUNDS=3 DURATION=5 bash bench/load.sh
#   WITH_FASTAPI=1 bash bench/load.sh       # also the FastAPI + PyJWT original (bench/fastapi),
#                                           # installed from PyPI into a scratch virtualenv
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
duration=${DURATION:-10}
threads=${THREADS:-2}
connections=${CONNECTIONS:-64}
port=${PORT:-18080}

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)"
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get install -y -qq wrk >/dev/null 2>&1 || { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq wrk; }
fi

cargo build --release --quiet --example bench_server --example mint
export BETTER_AUTH_SECRET="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
token=$(target/release/examples/mint bench-user --ttl 3600)

BIND_ADDR="127.0.0.1:$port" target/release/examples/bench_server >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
done

# Sanity: the protected route answers 200 with the token and 401 without.
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/protected/bench-user/tasks")" = 200 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/protected/bench-user/tasks")" = 401 ]

run() { # route -> "requests/s p99"
    wrk -t"$threads" -c"$connections" -d"${duration}s" --latency \
        -H "Authorization: Bearer $token" "http://127.0.0.1:$port/$1/bench-user/tasks" |
        awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {print rps, p99, (bad ? bad : 0)}'
}

echo "wrk -t$threads -c$connections -d${duration}s, $rounds interleaved rounds, $(nproc) cores"
printf '%-6s %-10s %12s %10s\n' round route "requests/s" p99
open_rps=(); protected_rps=()
for round in $(seq "$rounds"); do
    for route in open protected; do
        read -r rps p99 bad < <(run "$route")
        [ "$bad" = 0 ] || { echo "error: $bad non-2xx answers on /$route"; exit 1; }
        printf '%-6s %-10s %12s %10s\n' "$round" "$route" "$rps" "$p99"
        if [ "$route" = open ]; then open_rps+=("$rps"); else protected_rps+=("$rps"); fi
    done
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
open_median=$(median "${open_rps[@]}")
protected_median=$(median "${protected_rps[@]}")
echo "median requests/s: open $open_median, protected $protected_median"
awk -v p="$protected_median" -v o="$open_median" 'BEGIN {printf "ratio protected/open: %.3f\n", p/o}'

if [ "${WITH_FASTAPI:-0}" = 1 ]; then
    kill "$server"; wait "$server" 2>/dev/null || true
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
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/protected/bench-user/tasks")" = 200 ]
    fastapi_rps=()
    for round in $(seq "$rounds"); do
        read -r rps p99 bad < <(run protected)
        [ "$bad" = 0 ] || { echo "error: $bad non-2xx answers from FastAPI"; exit 1; }
        printf '%-6s %-10s %12s %10s\n' "$round" "fastapi" "$rps" "$p99"
        fastapi_rps+=("$rps")
    done
    fastapi_median=$(median "${fastapi_rps[@]}")
    echo "median requests/s: FastAPI + PyJWT protected $fastapi_median"
    awk -v p="$protected_median" -v f="$fastapi_median" 'BEGIN {printf "auth-runtime protected / FastAPI protected: %.1fx\n", p/f}'
    pkill -P "$server" 2>/dev/null || true
fi
