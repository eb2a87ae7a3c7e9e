//! The compile-time checks of #[authorized] and route_path!: each `tests/ui/fail/*.rs` must
//! fail with exactly its `.stderr` (generated with the toolchain in rust-toolchain.toml;
//! refresh with `TRYBUILD=overwrite cargo test --test ui`), each `tests/ui/pass/*.rs` must build.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
