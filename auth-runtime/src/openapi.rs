//! What the OpenAPI integrations (utoipa, aide) say about a protected operation: the roles its
//! security requirement lists and the refusals it can answer, in one place so that both
//! integrations word them alike, from the constants `#[authorized]` records on each handler.

use crate::authorized::{AuthorizedHandler, RoleHandler, ScopeHandler};
use crate::route::AuthorizedRoute;

/// The name the security requirements use, and the scheme's name unless one is chosen.
pub(crate) const DEFAULT_SCHEME: &str = "bearer";

/// How the scheme is described in `components.securitySchemes`.
pub(crate) const SCHEME_DESCRIPTION: &str =
    "A JWT issued by Better Auth, sent as `Authorization: Bearer <token>`.";

/// The description of the `detail` field of every refusal's body.
pub(crate) const DETAIL_DESCRIPTION: &str = "Why the request was refused.";

/// The description of a 401's `WWW-Authenticate` header.
const UNAUTHORIZED_CHALLENGE: &str = "`Bearer`, with `error=\"invalid_token\"` and an `error_description` when a token was sent (RFC 6750).";

/// The description of a role refusal's `WWW-Authenticate` header.
const INSUFFICIENT_SCOPE_CHALLENGE: &str = "`Bearer error=\"insufficient_scope\"` (RFC 6750).";

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

/// A handler's rule, as the document describes it.
pub(crate) enum DocRule {
    /// `path_param`, with `claim` and `or_role` when given.
    Path {
        param: &'static str,
        claim: Option<&'static str>,
        or_roles: &'static [&'static str],
        scopes: &'static [&'static str],
    },
    /// `role`: any of the roles.
    Roles(&'static [&'static str]),
    /// `scope`: an OAuth access token with all of the scopes.
    Scopes(&'static [&'static str]),
    /// `Claims`: any valid token (documented through aide only).
    #[cfg_attr(not(feature = "aide"), allow(dead_code))]
    Authenticated,
}

/// A refusal the operation can answer.
pub(crate) struct DocResponse {
    pub(crate) status: u16,
    pub(crate) description: String,
    /// The description of the `WWW-Authenticate` header it carries, if any.
    pub(crate) challenge: Option<&'static str>,
}

impl DocRule {
    /// The rule `#[authorized(path_param = …)]` recorded on `H`.
    pub(crate) fn path<H, P>() -> Self
    where
        H: AuthorizedHandler<P> + AuthorizedRoute,
    {
        DocRule::Path {
            // `ROUTE` is only `None` after an error of the attribute, which fails the build.
            param: H::ROUTE.map_or("path parameter", |route| route.param),
            claim: H::CLAIM,
            or_roles: H::OR_ROLES,
            scopes: H::SCOPES,
        }
    }

    /// The rule `#[authorized(scope = …)]` recorded on `H`.
    pub(crate) fn scopes<H: ScopeHandler>() -> Self {
        DocRule::Scopes(H::SCOPES)
    }

    /// The rule `#[authorized(role = …)]` recorded on `H`.
    pub(crate) fn roles<H: RoleHandler>() -> Self {
        DocRule::Roles(H::ROLES)
    }

    /// The roles the security requirement lists: those that admit a token (OpenAPI 3.1 lets
    /// a non-OAuth requirement list role names). The owner of a path needs none, so an
    /// `or_role` rule lists the roles that admit a token whatever the path.
    #[cfg_attr(not(feature = "aide"), allow(dead_code))] // utoipa's are written by the macro
    pub(crate) fn roles_listed(&self) -> &'static [&'static str] {
        match self {
            DocRule::Path { or_roles, .. } => or_roles,
            DocRule::Roles(roles) | DocRule::Scopes(roles) => roles,
            DocRule::Authenticated => &[],
        }
    }

    /// The refusals, in the order of their status.
    pub(crate) fn responses(&self) -> Vec<DocResponse> {
        let mut responses = Vec::with_capacity(3);
        if let DocRule::Path { param, .. } = self {
            responses.push(DocResponse {
                status: 400,
                description: format!(
                    "The path cannot be read into the handler's `Path` type (a segment that is not UTF-8, not a number where one is read), so its `{param}` names nobody."
                ),
                challenge: None,
            });
        }
        let not_access_token = match self {
            DocRule::Scopes(_) => {
                ", or a session token where an OAuth access token for this API is required"
            }
            _ => "",
        };
        responses.push(DocResponse {
            status: 401,
            description: format!("Missing or invalid bearer token: no `Authorization: Bearer` header, or a token that is malformed, expired, not yet valid, wrongly signed, or issued for another issuer or audience{not_access_token}."),
            challenge: Some(UNAUTHORIZED_CHALLENGE),
        });
        let forbidden = match self {
            DocRule::Path {
                param,
                claim,
                or_roles,
                scopes,
            } => {
                let owner = match claim {
                    None => format!("its user id is not the `{param}` of the path"),
                    Some(claim) => {
                        format!("its `{claim}` claim does not hold the `{param}` of the path")
                    }
                };
                let scopes = match scopes {
                    [] => String::new(),
                    scopes => format!(
                        " An OAuth access token also needs every one of the scopes {}.",
                        role_list(scopes)
                    ),
                };
                // Another user's path is refused as the path rule's own (no challenge: no
                // role or scope would help); only an access token missing a scope on its own
                // user's path is told to step up.
                let challenge = (!scopes.is_empty()).then_some(INSUFFICIENT_SCOPE_CHALLENGE);
                if or_roles.is_empty() {
                    Some((format!("The token is valid, but {owner}.{scopes}"), challenge))
                } else {
                    Some((
                        format!(
                            "The token is valid, but {owner} and it has none of the roles {}.{scopes}",
                            role_list(or_roles)
                        ),
                        challenge,
                    ))
                }
            }
            DocRule::Roles(roles) => Some((
                format!(
                    "The token is valid, but it has none of the roles {}.",
                    role_list(roles)
                ),
                Some(INSUFFICIENT_SCOPE_CHALLENGE),
            )),
            DocRule::Scopes(scopes) => Some((
                format!(
                    "The access token is valid, but it lacks one of the scopes {}.",
                    role_list(scopes)
                ),
                Some(INSUFFICIENT_SCOPE_CHALLENGE),
            )),
            DocRule::Authenticated => None,
        };
        if let Some((description, challenge)) = forbidden {
            responses.push(DocResponse {
                status: 403,
                description,
                challenge,
            });
        }
        responses
    }
}

/// `` `admin` `` or `` `admin`, `support` ``.
fn role_list(roles: &[&str]) -> String {
    roles
        .iter()
        .map(|role| format!("`{role}`"))
        .collect::<Vec<_>>()
        .join(", ")
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

    fn statuses(rule: &DocRule) -> Vec<u16> {
        rule.responses().iter().map(|r| r.status).collect()
    }

    #[test]
    fn each_rule_lists_its_refusals_and_roles() {
        let owner = DocRule::Path {
            param: "user_id",
            claim: None,
            or_roles: &[],
            scopes: &[],
        };
        assert_eq!(statuses(&owner), [400, 401, 403]);
        assert!(owner.roles_listed().is_empty());
        assert_eq!(
            owner.responses()[2].description,
            "The token is valid, but its user id is not the `user_id` of the path."
        );
        assert!(owner.responses()[2].challenge.is_none());

        let or_role = DocRule::Path {
            param: "user_id",
            claim: Some("activeOrganizationId"),
            or_roles: &["admin", "support"],
            scopes: &[],
        };
        assert_eq!(or_role.roles_listed(), ["admin", "support"]);
        assert_eq!(
            or_role.responses()[2].description,
            "The token is valid, but its `activeOrganizationId` claim does not hold the `user_id` of the path and it has none of the roles `admin`, `support`."
        );
        assert_eq!(
            or_role.responses()[2].challenge,
            None,
            "refused as the path rule: no role the client could ask for"
        );

        let roles = DocRule::Roles(&["admin"]);
        assert_eq!(statuses(&roles), [401, 403]);
        assert_eq!(roles.roles_listed(), ["admin"]);

        assert_eq!(statuses(&DocRule::Authenticated), [401]);

        let scopes = DocRule::Scopes(&["tasks:stats"]);
        assert_eq!(statuses(&scopes), [401, 403]);
        assert_eq!(scopes.roles_listed(), ["tasks:stats"]);
        assert_eq!(
            scopes.responses()[1].description,
            "The access token is valid, but it lacks one of the scopes `tasks:stats`."
        );
    }

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
