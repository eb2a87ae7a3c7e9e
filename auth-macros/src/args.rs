//! The attribute's arguments, and the rule they make:
//!
//! | arguments | admits |
//! |---|---|
//! | `path_param = "user_id"` | the owner: the token's user id is the value the handler reads |
//! | `path_param = "user_id", or_role = "admin"` | the owner, or a token with the role |
//! | `path_param = "org_id", claim = "activeOrganizationId"` | a token whose claim holds the value |
//! | `role = "admin"` | a token with the role, whatever the path |
//! | `scope = "tasks:read"` | an OAuth access token with the scope |
//! | `path_param = "user_id", scope = "tasks:read"` | the owner; an access token also needs the scope |
//!
//! `role` and `or_role` also take a list, `["admin", "support"]`: any of them. `scope` takes a
//! list too, `["tasks:read", "tasks:write"]`: all of them (OAuth's meaning).

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Expr, ExprArray, ExprLit, Ident, Lit, LitStr};

use crate::errors::Errors;

/// The path parameter the decision reads.
pub(crate) struct PathParam {
    /// As written, for messages and the generated constants.
    pub(crate) name: String,
    /// The literal, so that errors about it point at the user's string.
    pub(crate) lit: LitStr,
}

/// One or more roles, as written.
pub(crate) struct Roles {
    pub(crate) names: Vec<String>,
}

/// What the attribute checks.
pub(crate) enum Rule {
    /// The value the handler binds as `path_param` must be the token's user id, or be held by
    /// `claim`; `or_roles` admit any path.
    Path {
        param: PathParam,
        claim: Option<LitStr>,
        or_roles: Option<Roles>,
        /// `scope`: what an OAuth access token must also hold (all of them).
        scopes: Option<Roles>,
    },
    /// Any of the roles admits the token; no path is read.
    Role(Roles),
    /// An OAuth access token with every scope; no path is read.
    Scope(Roles),
}

const USAGE: &str = "write #[authorized(path_param = \"user_id\")] for the owner of the path, or #[authorized(role = \"admin\")] for a role";

const ARGUMENTS: &str = "#[authorized] takes `path_param`, `or_role`, `claim`, `role` or `scope`, e.g. #[authorized(path_param = \"user_id\", or_role = \"admin\")], #[authorized(role = \"admin\")] or #[authorized(scope = \"tasks:read\")]";

/// An argument as parsed, with the key it was given under (for errors about combinations).
struct Arg<T> {
    key: Ident,
    value: Option<T>,
}

#[derive(Default)]
struct Parsed {
    path_param: Option<Arg<PathParam>>,
    role: Option<Arg<Roles>>,
    or_role: Option<Arg<Roles>>,
    claim: Option<Arg<LitStr>>,
    scope: Option<Arg<Roles>>,
}

pub(crate) fn parse(attr: TokenStream, errors: &mut Errors) -> Option<Rule> {
    let mut parsed = Parsed::default();
    let parser = syn::meta::parser(|meta| {
        let Some(key) = meta.path.get_ident().cloned() else {
            errors.push(syn::Error::new_spanned(
                &meta.path,
                format!("unknown argument: {ARGUMENTS}"),
            ));
            return skip_value(&meta);
        };
        let name = key.to_string();
        if !matches!(
            name.as_str(),
            "path_param" | "role" | "or_role" | "claim" | "scope"
        ) {
            errors.push(syn::Error::new_spanned(
                &key,
                format!("unknown argument `{name}`: {ARGUMENTS}"),
            ));
            return skip_value(&meta);
        }
        let value: Expr = meta.value()?.parse()?;
        match name.as_str() {
            "path_param" => set(&mut parsed.path_param, key, errors, |e| {
                path_param(value, e)
            }),
            "role" => set(&mut parsed.role, key, errors, |e| roles("role", value, e)),
            "or_role" => set(&mut parsed.or_role, key, errors, |e| {
                roles("or_role", value, e)
            }),
            "scope" => set(&mut parsed.scope, key, errors, |e| scopes(value, e)),
            _ => set(&mut parsed.claim, key, errors, |e| claim(value, e)),
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(attr.clone()) {
        errors.push(error);
        return None;
    }
    rule(parsed, &attr, errors)
}

/// Records an argument, or reports it as given twice (its value then goes unchecked).
fn set<T>(
    slot: &mut Option<Arg<T>>,
    key: Ident,
    errors: &mut Errors,
    value: impl FnOnce(&mut Errors) -> Option<T>,
) {
    if slot.is_some() {
        let hint = if key == "role" || key == "or_role" {
            format!(": for any of several roles write {key} = [\"admin\", \"support\"]")
        } else if key == "scope" {
            ": for several scopes (all required) write scope = [\"tasks:read\", \"tasks:write\"]"
                .to_owned()
        } else {
            ": keep one".to_owned()
        };
        errors.push(syn::Error::new_spanned(
            &key,
            format!("`{key}` is given twice{hint}"),
        ));
        return;
    }
    let value = value(errors);
    *slot = Some(Arg { key, value });
}

/// Checks how the arguments combine, and makes the rule.
fn rule(parsed: Parsed, attr: &TokenStream, errors: &mut Errors) -> Option<Rule> {
    let Parsed {
        path_param,
        role,
        or_role,
        claim,
        scope,
    } = parsed;
    let mut ok = true;
    if let (Some(_), Some(scope)) = (&role, &scope) {
        ok = false;
        errors.push(syn::Error::new_spanned(
            &scope.key,
            "`scope` does not combine with `role`: a role comes with a session token, a scope with an OAuth access token; write scope = \"…\" alone for access tokens, or path_param with or_role and scope",
        ));
    }
    if path_param.is_none() {
        if let Some(or_role) = &or_role {
            ok = false;
            errors.push(syn::Error::new_spanned(
                &or_role.key,
                "`or_role` admits a role besides the owner, and needs `path_param`: write path_param = \"user_id\", or_role = \"admin\"; for the role alone write role = \"admin\"",
            ));
        }
        if let Some(claim) = &claim {
            ok = false;
            errors.push(syn::Error::new_spanned(
                &claim.key,
                "`claim` compares a path parameter with a claim, and needs `path_param`: write path_param = \"org_id\", claim = \"activeOrganizationId\"",
            ));
        }
    }
    if let (Some(_), Some(role)) = (&path_param, &role) {
        ok = false;
        errors.push(syn::Error::new_spanned(
            &role.key,
            "`role` admits a role whatever the path, so it does not combine with `path_param`: write or_role = \"admin\" to admit the owner or the role",
        ));
    }
    if path_param.is_none()
        && role.is_none()
        && or_role.is_none()
        && claim.is_none()
        && scope.is_none()
    {
        ok = false;
        let span = attr
            .clone()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |token| token.span());
        errors.push(syn::Error::new(
            span,
            format!("missing `path_param`, `role` or `scope`: {USAGE}"),
        ));
    }
    if !ok {
        return None;
    }
    match (path_param, role, scope) {
        (Some(param), None, scope) => Some(Rule::Path {
            param: param.value?,
            claim: match claim {
                Some(claim) => Some(claim.value?),
                None => None,
            },
            or_roles: match or_role {
                Some(roles) => Some(roles.value?),
                None => None,
            },
            scopes: match scope {
                Some(scopes) => Some(scopes.value?),
                None => None,
            },
        }),
        (None, Some(roles), None) => Some(Rule::Role(roles.value?)),
        (None, None, Some(scopes)) => Some(Rule::Scope(scopes.value?)),
        _ => None,
    }
}

/// Skips an unknown argument's value, so that the arguments after it are still checked.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: Expr = meta.value()?.parse()?;
    } else if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
        let _: TokenStream = meta.input.parse()?;
    }
    Ok(())
}

fn string_literal(value: &Expr) -> Option<&LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit),
        _ => None,
    }
}

fn path_param(value: Expr, errors: &mut Errors) -> Option<PathParam> {
    let Some(lit) = string_literal(&value) else {
        errors.push(syn::Error::new_spanned(
            value,
            "`path_param` takes a string literal: path_param = \"user_id\"",
        ));
        return None;
    };
    let name = lit.value();
    if syn::parse_str::<Ident>(&name).is_ok() && !name.starts_with("r#") {
        Some(PathParam {
            name,
            lit: lit.clone(),
        })
    } else {
        errors.push(syn::Error::new(
            lit.span(),
            format!(
                "`{name}` is not a Rust identifier: the handler must bind the path parameter by this name, e.g. path_param = \"user_id\" with Path(user_id)"
            ),
        ));
        None
    }
}

fn claim(value: Expr, errors: &mut Errors) -> Option<LitStr> {
    let Some(lit) = string_literal(&value) else {
        errors.push(syn::Error::new_spanned(
            value,
            "`claim` takes a string literal naming a claim of the token: claim = \"activeOrganizationId\"",
        ));
        return None;
    };
    let name = lit.value();
    if name.trim().is_empty() || name.trim() != name {
        errors.push(syn::Error::new(
            lit.span(),
            "a claim name is compared exactly and cannot be empty or start or end with whitespace",
        ));
        return None;
    }
    Some(lit.clone())
}

/// `"tasks:read"` or `["tasks:read", "tasks:write"]`: RFC 6749 §3.3 scope-tokens, compared
/// exactly with those of the token's space-separated `scope` claim.
fn scopes(value: Expr, errors: &mut Errors) -> Option<Roles> {
    let list = List {
        key: "scope",
        one: "tasks:read",
        two: "tasks:write",
        noun: "scope",
    };
    list.parse(value, errors, |scope| {
        if scope.contains(' ') {
            Some(format!(
                "`{scope}` contains a space, which separates scopes in a token: for several scopes (all required) write scope = [\"{}\"]",
                scope.split_whitespace().collect::<Vec<_>>().join("\", \"")
            ))
        } else if !scope
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
        {
            Some(format!(
                "`{scope}` is not an OAuth scope: printable ASCII without quotes or backslashes (RFC 6749 §3.3)"
            ))
        } else {
            None
        }
    })
}

/// `"admin"` or `["admin", "support"]` for `role` or `or_role`.
fn roles(key: &'static str, value: Expr, errors: &mut Errors) -> Option<Roles> {
    let list = List {
        key,
        one: "admin",
        two: "support",
        noun: "role",
    };
    list.parse(value, errors, |role| {
        if role.contains(',') {
            Some(format!(
                "`{role}` contains a comma: a token's comma-separated roles are split before they are compared, so no role contains one; for any of several roles write {key} = [\"{}\"]",
                role.split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .collect::<Vec<_>>()
                    .join("\", \"")
            ))
        } else if role.trim() != role {
            Some(format!(
                "`{role}` starts or ends with whitespace: roles are compared exactly, so write it without"
            ))
        } else {
            None
        }
    })
}

/// An argument that takes one string or a list of them (`role`, `or_role`, `scope`), with the
/// examples its messages give.
struct List {
    key: &'static str,
    one: &'static str,
    two: &'static str,
    noun: &'static str,
}

impl List {
    /// Every element is checked, so that all mistakes show: not a string literal, empty,
    /// listed twice, or what `problem` finds in it.
    fn parse(
        &self,
        value: Expr,
        errors: &mut Errors,
        problem: impl Fn(&str) -> Option<String>,
    ) -> Option<Roles> {
        let List {
            key,
            one,
            two,
            noun,
        } = self;
        let lits: Vec<&Expr> = match &value {
            Expr::Array(ExprArray { elems, .. }) if elems.is_empty() => {
                errors.push(syn::Error::new_spanned(
                    &value,
                    format!("`{key}` needs at least one {noun}: {key} = \"{one}\""),
                ));
                return None;
            }
            Expr::Array(ExprArray { elems, .. }) => elems.iter().collect(),
            single => vec![single],
        };
        let mut names: Vec<String> = Vec::with_capacity(lits.len());
        let mut ok = true;
        for expr in lits {
            let Some(lit) = string_literal(expr) else {
                ok = false;
                errors.push(syn::Error::new(
                    expr.span(),
                    format!(
                        "`{key}` takes a string literal or a list of them: {key} = \"{one}\" or {key} = [\"{one}\", \"{two}\"]"
                    ),
                ));
                continue;
            };
            let name = lit.value();
            let message = if name.is_empty() {
                Some(format!("a {noun} cannot be empty"))
            } else if let Some(message) = problem(&name) {
                Some(message)
            } else if names.contains(&name) {
                Some(format!("`{name}` is listed twice: keep one"))
            } else {
                None
            };
            match message {
                Some(message) => {
                    ok = false;
                    errors.push(syn::Error::new(lit.span(), message));
                }
                None => names.push(name),
            }
        }
        ok.then_some(Roles { names })
    }
}
