//! Expansion snapshots: each `auth-runtime/doc/expand/NAME.rs` holds an annotated handler; the macro's
//! real output, formatted by prettyplease, must equal `NAME.expanded.rs` beside it (the runtime's docs include them).
//! `UPDATE_EXPANSIONS=1 cargo test -p auth-macros` rewrites the snapshots.

use std::path::Path;

use quote::ToTokens;

/// Expands every `#[authorized]` handler of `source`; files named `utoipa_*` with the `utoipa`
/// feature's expansion, the others without, whatever this build enables.
fn expand_file(source: &str, options: crate::utoipa::Options) -> String {
    let mut file: syn::File = syn::parse_str(source).expect("the input parses");
    let mut items = Vec::new();
    for item in file.items.drain(..) {
        let syn::Item::Fn(mut func) = item else {
            items.push(item);
            continue;
        };
        let Some(pos) = func
            .attrs
            .iter()
            .position(|attr| attr.path().is_ident("authorized"))
        else {
            items.push(syn::Item::Fn(func));
            continue;
        };
        let attr = func.attrs.remove(pos);
        let args = match attr.meta {
            syn::Meta::List(list) => list.tokens,
            _ => proc_macro2::TokenStream::new(),
        };
        let output = crate::expand::authorized_with(args, func.into_token_stream(), options);
        let expanded: syn::File = syn::parse2(output).expect("the expansion parses");
        items.extend(expanded.items);
    }
    file.items = items;
    prettyplease::unparse(&file)
}

#[test]
fn expansions_match_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../auth-runtime/doc/expand");
    let update = std::env::var_os("UPDATE_EXPANSIONS").is_some();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("auth-runtime/doc/expand exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "rs")
                && !path.to_string_lossy().ends_with(".expanded.rs")
        })
        .collect();
    entries.sort();
    for input in entries {
        let expected_path = input.with_extension("expanded.rs");
        let source = std::fs::read_to_string(&input).expect("readable");
        let utoipa = input
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("utoipa_"));
        let actual = expand_file(&source, crate::utoipa::Options { utoipa });
        if update {
            std::fs::write(&expected_path, &actual).expect("writable");
        } else {
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
                panic!(
                    "{} is missing: run UPDATE_EXPANSIONS=1 cargo test -p auth-macros",
                    expected_path.display()
                )
            });
            assert_eq!(
                actual,
                expected,
                "{} is stale: run UPDATE_EXPANSIONS=1 cargo test -p auth-macros and review the diff",
                expected_path.display()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 4,
        "expected the expansion examples, found {checked}"
    );
}

#[test]
fn utoipa_path_without_the_feature_is_an_error() {
    let source = "#[authorized(role = \"admin\")]\n#[utoipa::path(get, path = \"/users\")]\nasync fn list_users() {}\n";
    let expanded = expand_file(source, crate::utoipa::Options { utoipa: false });
    assert!(
        expanded.contains("enable auth-runtime's `utoipa` feature"),
        "{expanded}"
    );
    assert!(!expanded.contains("IntoResponses"), "{expanded}");
}
