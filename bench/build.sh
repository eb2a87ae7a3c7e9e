#!/usr/bin/env bash
# What a user pays to depend on auth-runtime: the README quick start, copied into a fresh
# application, beside the same application without auth-runtime (plain axum + tokio), and
# beside the quick start with `default-features = false` (HS256 only).
#
# For each app: the crates it pulls (distinct name and version in `cargo tree -e normal`, the
# app itself included) and its cold debug build time (`cargo build` into an empty target dir).
# ROUNDS rounds (default 3), the three apps built one after the other in each round; the
# ratios are the medians of the per-round ratios. Offline, with the project's lockfile
# versions.
#
#   bash bench/build.sh            # or ROUNDS=5 bash bench/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

quick_start=$(cat <<'EOF'
use auth_runtime::{Auth, authorized, route_path};
use axum::{Router, extract::Path, routing::get};

#[authorized(path_param = "user_id")]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    format!("tasks of {user_id}") // runs only when the token's `uid` is the user_id read here
}

fn app(auth: Auth) -> Router {
    Router::new()
        .route(route_path!("/api/{user_id}/tasks", list_tasks), get(list_tasks))
        .layer(auth.layer())
}

#[tokio::main]
async fn main() {
    // Fails at start-up, naming BETTER_AUTH_SECRET, if the secret is missing or weak.
    let auth = Auth::from_env().unwrap_or_else(|e| panic!("{e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
    axum::serve(listener, app(auth)).await.unwrap();
}
EOF
)

plain=$(cat <<'EOF'
use axum::{Router, extract::Path, routing::get};

async fn list_tasks(Path(user_id): Path<String>) -> String {
    format!("tasks of {user_id}")
}

#[tokio::main]
async fn main() {
    let app = Router::new().route("/api/{user_id}/tasks", get(list_tasks));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
EOF
)

# make_app NAME AUTH_DEPENDENCY_LINE SOURCE
make_app() {
    mkdir -p "$work/$1/src"
    cat > "$work/$1/Cargo.toml" <<EOF
[package]
name = "$1"
version = "0.1.0"
edition = "2021"

[dependencies]
$2
axum = "0.8"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[workspace]
EOF
    printf '%s\n' "$3" > "$work/$1/src/main.rs"
    cp "$root/Cargo.lock" "$work/$1/Cargo.lock"
}

make_app quick_start "auth-runtime = { path = \"$root/auth-runtime\" }" "$quick_start"
make_app hs256_only "auth-runtime = { path = \"$root/auth-runtime\", default-features = false }" "$quick_start"
make_app plain_axum "" "$plain"

apps="plain_axum quick_start hs256_only"
declare -A crates seconds
for app in $apps; do
    crates[$app]=$(cd "$work/$app" && cargo tree --offline -e normal --prefix none 2>/dev/null |
        sed 's/ (.*//; s/ \*$//' | sort -u | wc -l)
done

for round in $(seq "$rounds"); do
    for app in $apps; do
        rm -rf "$work/target-$app"
        start=$(date +%s.%N)
        (cd "$work/$app" && CARGO_TARGET_DIR="$work/target-$app" cargo build --offline --quiet)
        end=$(date +%s.%N)
        seconds[$app]+="$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}') "
    done
    echo "round $round:$(for app in $apps; do printf ' %s %ss' "$app" "$(echo "${seconds[$app]}" | awk '{print $NF}')"; done)"
done

# shellcheck source=bench/medians.sh
source bench/medians.sh

echo
echo "| app | crates | cold debug build, median of $rounds (s) | build / plain axum (median of per-round ratios) |"
echo "|---|---|---|---|"
for app in $apps; do
    printf '| %s | %s | %s | %s |\n' "$app" "${crates[$app]}" "$(median "${seconds[$app]}")" \
        "$(ratio_median "${seconds[$app]}" "${seconds[plain_axum]}")"
done
