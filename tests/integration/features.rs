//! auth-runtime's Cargo features as an application meets them: `tests/features/hs256-only` is
//! an application that depends on it with `default-features = false` (HS256 only). Its `hs256`
//! binary (the README quick start) must build; its `jwks` binary, which asks for JWKS mode
//! without the `jwks` feature, must be a compile error that names the feature.
//!
//! Built offline in `target/features`, with the versions of the project's own `Cargo.lock`
//! (copied beside the fixture, where cargo keeps only what the fixture uses).

use std::process::{Command, Output};

fn check(bin: &str) -> Output {
    // One at a time: both tests copy the lockfile that cargo then trims.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::copy(
        format!("{root}/Cargo.lock"),
        format!("{root}/tests/features/hs256-only/Cargo.lock"),
    )
    .expect("the project's lockfile");
    let mut cargo = Command::new(env!("CARGO"));
    // Cargo sets these for the test process; they describe this package, not the fixture.
    for (var, _) in std::env::vars_os() {
        let var = var.to_string_lossy();
        if var.starts_with("CARGO_") && var != "CARGO_HOME" {
            cargo.env_remove(&*var);
        }
    }
    cargo
        .args(["check", "--offline", "--bin", bin, "--manifest-path"])
        .arg(format!("{root}/tests/features/hs256-only/Cargo.toml"))
        .env("CARGO_TARGET_DIR", format!("{root}/target/features"))
        .output()
        .expect("cargo runs")
}

#[test]
fn without_default_features_the_hs256_quick_start_builds() {
    let output = check("hs256");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn jwks_mode_without_the_jwks_feature_is_a_compile_error_naming_it() {
    let output = check("jwks");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("no `Jwks` in the root"), "{stderr}");
    assert!(
        stderr.contains("the item is gated behind the `jwks` feature"),
        "{stderr}"
    );
}
