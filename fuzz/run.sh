#!/usr/bin/env bash
# A short libFuzzer run of every target: FUZZ_SECONDS each (default 20).
# cargo fuzz needs a nightly toolchain; where the machine has none, this says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-20}

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz: skipped: no nightly toolchain on this machine (cargo fuzz needs one)"
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo +nightly install cargo-fuzz --locked --quiet
fi

for target in token signed_claims request; do
    echo "fuzz: $target for ${seconds}s"
    # -malloc_limit_mb: any single allocation over 64 MiB is a failure (no unbounded allocation).
    # No sanitizer: auth-runtime has no unsafe code (ASan would check the dependencies' unsafe
    # Rust), and the build takes a third of the time in CI; libFuzzer still finds panics, hangs
    # and allocations over the limit. `cargo +nightly fuzz run token` keeps ASan by hand.
    cargo +nightly fuzz run --sanitizer none "$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=64 -print_final_stats=1 \
        2>&1 | grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|.*panicked)' || true
    # grep hides libFuzzer's progress lines; the pipeline's status is cargo's.
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz: $target FAILED"; exit 1; }
done
