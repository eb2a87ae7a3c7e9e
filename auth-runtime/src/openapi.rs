//! What the OpenAPI integrations (utoipa, aide) share: the bearer scheme and the words of its
//! documentation. What a rule requires and refuses is the rule's own
//! ([`Rule::refusals`](crate::rule::Rule::refusals)).

/// The name the security requirements use, and the scheme's name unless one is chosen.
pub(crate) const DEFAULT_SCHEME: &str = "bearer";

/// How the scheme is described in `components.securitySchemes`.
pub(crate) const SCHEME_DESCRIPTION: &str =
    "A JWT issued by Better Auth, sent as `Authorization: Bearer <token>`.";

/// The description of the `detail` field of every refusal's body.
pub(crate) const DETAIL_DESCRIPTION: &str = "Why the request was refused.";

/// The HTTP bearer (JWT) scheme the operations of `#[authorized]` handlers (and `Claims`)
/// require, to register once in the document: with utoipa, `modifiers(&BearerSecurity)` in
/// `#[openapi(...)]` (it implements `Modify`); with aide, `BearerSecurity.apply(api)` in
/// `finish_api_with`.
///
/// The scheme is named `bearer` unless you choose another name with [`BearerSecurity::named`];
/// the requirements the attribute and the extractors wrote are then renamed with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BearerSecurity {
    name: &'static str,
}

impl BearerSecurity {
    /// The scheme named `bearer`.
    pub const DEFAULT: BearerSecurity = BearerSecurity::named(DEFAULT_SCHEME);

    /// The scheme under another name, e.g. to match an existing document's `bearerAuth`.
    ///
    /// # Panics
    ///
    /// When `name` is not an OpenAPI component name (ASCII letters, digits, `.`, `-`, `_`): a
    /// compile error in a `const`, as in `const JWT: BearerSecurity =
    /// BearerSecurity::named("jwt");` then `modifiers(&JWT)` or `JWT.apply(api)`.
    pub const fn named(name: &'static str) -> BearerSecurity {
        check_scheme_name(name);
        BearerSecurity { name }
    }

    /// The scheme's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

/// The scheme named `bearer`, as a value (like a unit struct's): `modifiers(&BearerSecurity)`,
/// `BearerSecurity.apply(api)`.
#[allow(non_upper_case_globals)]
pub const BearerSecurity: BearerSecurity = BearerSecurity::DEFAULT;

impl Default for BearerSecurity {
    fn default() -> Self {
        BearerSecurity::DEFAULT
    }
}

/// Checks a scheme name: OpenAPI's component names are `^[a-zA-Z0-9.\-_]+$`.
pub(crate) const fn check_scheme_name(name: &str) {
    let bytes = name.as_bytes();
    assert!(
        !bytes.is_empty(),
        "a security scheme's name cannot be empty"
    );
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        assert!(
            b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_',
            "a security scheme's name is made of ASCII letters, digits, `.`, `-` and `_` (OpenAPI's component names)"
        );
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names_follow_openapi() {
        check_scheme_name("bearer");
        check_scheme_name("Better-Auth_JWT.v1");
        for bad in ["", "has space", "ü", "a/b"] {
            assert!(
                std::panic::catch_unwind(|| check_scheme_name(bad)).is_err(),
                "{bad:?} was accepted"
            );
        }
    }
}
