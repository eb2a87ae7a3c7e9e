//! `#[authorized]` above `#[utoipa::path]`: the operation's security requirement and refusals
//! are added to utoipa's attribute, from the rule; the other order is a compile error.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::{Attribute, Ident, ItemFn, LitStr};

use crate::errors::Errors;
use crate::handler::Binding;

/// What the build enables: the `utoipa` feature (through auth-runtime's).
#[derive(Clone, Copy)]
pub(crate) struct Options {
    pub(crate) utoipa: bool,
}

impl Options {
    pub(crate) fn from_features() -> Self {
        Options {
            utoipa: cfg!(feature = "utoipa"),
        }
    }
}

/// What the attribute documents: the roles the requirement lists, and for `path_param`
/// handlers the parameter and binding a literal utoipa `path` must capture.
pub(crate) struct Documented<'a> {
    pub(crate) roles: &'a [String],
    pub(crate) path: Option<(&'a str, &'a Binding<'a>)>,
    /// The responses: the `IntoResponses` impl's body.
    pub(crate) responses: TokenStream,
}

/// `#[utoipa::path(...)]` among the handler's attributes (those below `#[authorized]`).
fn utoipa_path_attr(func: &ItemFn) -> Option<usize> {
    func.attrs.iter().position(|attr| {
        let segments: Vec<String> = attr
            .path()
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        segments == ["utoipa", "path"]
    })
}

/// With the feature and `#[utoipa::path]` below: the handler with that attribute extended, and
/// the `IntoResponses` impl it names. With the feature and no `#[utoipa::path]` below: the
/// check that none stands above. Without the feature: an error if `#[utoipa::path]` is below.
pub(crate) fn document(
    func: &mut ItemFn,
    documented: &Documented<'_>,
    options: Options,
    errors: &mut Errors,
) -> TokenStream {
    let name = &func.sig.ident;
    let Some(index) = utoipa_path_attr(func) else {
        return if options.utoipa {
            order_check(name)
        } else {
            TokenStream::new()
        };
    };
    if !options.utoipa {
        errors.push(syn::Error::new_spanned(
            &func.attrs[index],
            "enable auth-runtime's `utoipa` feature, so that #[authorized] adds this operation's bearer security and its 401/403 answers to #[utoipa::path]",
        ));
        return TokenStream::new();
    }
    let attr = &mut func.attrs[index];
    if let Some(extended) = extend(attr, name, documented, errors) {
        *attr = extended;
    }
    let responses = &documented.responses;
    quote! {
        impl ::auth_runtime::__private::utoipa::IntoResponses for #name {
            fn responses() -> ::auth_runtime::__private::UtoipaResponses {
                #responses
            }
        }
    }
}

/// The attribute with the handler's refusals first in `responses(...)` (so that a status the
/// operation declares itself overrides them) and the security requirement added.
fn extend(
    attr: &Attribute,
    name: &Ident,
    documented: &Documented<'_>,
    errors: &mut Errors,
) -> Option<Attribute> {
    let syn::Meta::List(list) = &attr.meta else {
        // `#[utoipa::path]` without arguments: utoipa reports it.
        return None;
    };
    let mut tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
    let mut has_responses = false;
    let mut at_item_start = true;
    let mut i = 0;
    while i < tokens.len() {
        let start = std::mem::replace(
            &mut at_item_start,
            matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == ','),
        );
        if !start {
            i += 1;
            continue;
        }
        let TokenTree::Ident(key) = &tokens[i] else {
            i += 1;
            continue;
        };
        let next = tokens.get(i + 1);
        if key == "security" {
            errors.push(syn::Error::new(
                key.span(),
                "#[authorized] writes this operation's security requirement from its rule: remove `security(...)` from #[utoipa::path]",
            ));
        } else if key == "responses"
            && let Some(TokenTree::Group(group)) = next
            && group.delimiter() == Delimiter::Parenthesis
        {
            has_responses = true;
            let inner = group.stream();
            let separator = (!inner.is_empty()).then(|| quote!(,));
            let mut extended = Group::new(Delimiter::Parenthesis, quote!(#name #separator #inner));
            extended.set_span(group.span());
            tokens[i + 1] = TokenTree::Group(extended);
        } else if key == "path"
            && let Some(TokenTree::Punct(eq)) = next
            && eq.as_char() == '='
            && let Some(TokenTree::Literal(literal)) = tokens.get(i + 2)
            && let Some((param, binding)) = documented.path
            && let Ok(path) = syn::parse2::<LitStr>(TokenTree::Literal(literal.clone()).into())
        {
            check_path(&path, name, param, binding, errors);
        }
        i += 1;
    }

    let mut stream: TokenStream = tokens.into_iter().collect();
    let ends_with_comma = stream
        .clone()
        .into_iter()
        .last()
        .is_none_or(|token| matches!(token, TokenTree::Punct(p) if p.as_char() == ','));
    if !ends_with_comma {
        stream.extend(quote!(,));
    }
    if !has_responses {
        stream.extend(quote!(responses(#name),));
    }
    let roles = documented.roles;
    stream.extend(quote!(security(("bearer" = [#(#roles),*]))));

    let mut extended = attr.clone();
    if let syn::Meta::List(list) = &mut extended.meta {
        list.tokens = stream;
    }
    Some(extended)
}

/// The literal path of `#[utoipa::path]` must capture the parameter the handler binds, where it
/// binds it: the check `route_path!` makes, at the attribute (utoipa-axum routes by this path).
fn check_path(
    path: &LitStr,
    name: &Ident,
    param: &str,
    binding: &Binding<'_>,
    errors: &mut Errors,
) {
    let route = path.value();
    let (found, count) = find_capture(&route, param);
    let Some(found) = found else {
        errors.push(syn::Error::new(
            path.span(),
            format!(
                "this path does not capture `{{{param}}}`, which #[authorized] on `{name}` reads from the path: add `{{{param}}}` to it or change path_param"
            ),
        ));
        return;
    };
    if let Binding::Tuple {
        index,
        count: expected,
        ..
    } = binding
        && (found != *index || count != *expected)
    {
        errors.push(syn::Error::new(
            path.span(),
            format!(
                "`{name}` binds `{param}` as element {} of its {expected}-element Path tuple, so this path must have {expected} captures with `{{{param}}}` as capture {}",
                index + 1,
                index + 1
            ),
        ));
    }
}

/// The index of the capture `{name}` (or `{*name}`) among the route's captures, and their
/// count; `{{` and `}}` are escaped braces (as auth-runtime's `route_path!` reads a route).
fn find_capture(route: &str, name: &str) -> (Option<usize>, usize) {
    let mut found = None;
    let mut count = 0;
    let mut rest = route;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let end = after.find('}').unwrap_or(after.len());
        let capture = after[..end].trim_start_matches('*');
        if found.is_none() && capture == name {
            found = Some(count);
        }
        count += 1;
        rest = after.get(end + 1..).unwrap_or("");
    }
    (found, count)
}

/// For a handler without `#[utoipa::path]` below: a stand-in for the value utoipa defines for
/// the handler (`__path_NAME`, a unit struct), imported by a glob. utoipa's own, defined when
/// `#[utoipa::path]` stands above, shadows the glob; it is zero-sized, the stand-in is not, and
/// the check fails the build with a message saying to swap the attributes.
fn order_check(name: &Ident) -> TokenStream {
    let module = format_ident!("__authorized_{}", name);
    let value = format_ident!("__path_{}", name, span = name.span());
    let message = format!(
        "`#[utoipa::path]` stands above `#[authorized]` on `{name}`, so utoipa documented it without its bearer security and 401/403 answers: swap the two attributes, #[authorized(...)] first"
    );
    let check = quote_spanned! {name.span()=>
        const _: () = if ::core::mem::size_of_val(&#value) == 0 {
            ::core::panic!(#message);
        };
    };
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        mod #module {
            #[allow(non_upper_case_globals)]
            pub const #value: u8 = 0;
        }
        #[allow(unused_imports)]
        use #module::*;
        #check
    }
}

#[cfg(test)]
mod tests {
    use super::find_capture;

    #[test]
    fn finds_captures_as_route_path_does() {
        assert_eq!(
            find_capture("/api/{user_id}/tasks", "user_id"),
            (Some(0), 1)
        );
        assert_eq!(
            find_capture("/api/{org}/{user_id}", "user_id"),
            (Some(1), 2)
        );
        assert_eq!(find_capture("/api/{user}/tasks", "user_id"), (None, 1));
        assert_eq!(find_capture("/api/{user_id_x}/tasks", "user_id"), (None, 1));
        assert_eq!(find_capture("/api/{{user_id}}/tasks", "user_id"), (None, 0));
        assert_eq!(find_capture("/files/{*user_id}", "user_id"), (Some(0), 1));
        assert_eq!(find_capture("/api/user_id", "user_id"), (None, 0));
        assert_eq!(find_capture("/api/{user_id", "user_id"), (Some(0), 1));
    }
}
