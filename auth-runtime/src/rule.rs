//! What a route requires, as one value, and the one decision that applies it.
//!
//! `#[authorized(...)]` writes its arguments as a [`Rule`] constant on the hidden type beside
//! the handler; the one extractor it injects ([`Authorized`](crate::authorized::Authorized))
//! decides with [`Rule::admit`], tracing and metrics print the rule with its `Display`, and the
//! OpenAPI integrations describe it with [`Rule::refusals`]. [`Claims`](crate::Claims) and the
//! public [`authorize_owner`](crate::authorize_owner) / [`authorize_role`](crate::authorize_role)
//! helpers decide with a rule of their own through the same function. Adding a kind of rule
//! means adding a field here, its arm in `admit`, `Display` and `refusals`, and the argument
//! that sets it in `auth-macros/src/args.rs` and `expand.rs` (the crate docs list them).

use std::fmt;

use crate::claims::names_something;
use crate::error::{AuthError, TokenError};
use crate::verified::VerifiedToken;

/// What the value a handler reads from its path must be, for the token to own it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder<'a> {
    /// The token's user id.
    UserId,
    /// The named claim: equal to it (a string), or among its elements (an array of strings).
    Claim(&'a str),
}

/// What a route requires of a request's token. Built by `#[authorized]` as a constant; not
/// built by hand (see [`authorize_owner`](crate::authorize_owner) and
/// [`authorize_role`](crate::authorize_role) for the same decisions in code of your own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule<'a> {
    /// `path_param` (its name, for documentation and tracing) and what must hold its value.
    path: Option<(&'a str, Holder<'a>)>,
    /// With `path`: roles that admit whatever the path (`or_role`). Without: the route needs
    /// one of them (`role`).
    roles: &'a [&'a str],
    /// Every one is required of an OAuth access token. Without `path` and `roles`: only access
    /// tokens are admitted (`scope`).
    scopes: &'static [&'static str],
    /// `Option<Claims>`: no token is an anonymous request, not a refusal.
    optional: bool,
}

impl Rule<'static> {
    /// Any valid token (the [`Claims`](crate::Claims) extractor).
    pub const AUTHENTICATED: Rule<'static> = Rule {
        path: None,
        roles: &[],
        scopes: &[],
        optional: false,
    };

    /// A valid token or none (`Option<Claims>`).
    pub const OPTIONAL: Rule<'static> = Rule {
        optional: true,
        ..Rule::AUTHENTICATED
    };

    /// `scope = …` alone: an OAuth access token holding every one of `scopes`.
    pub const fn all_scopes(scopes: &'static [&'static str]) -> Self {
        Rule {
            scopes,
            ..Rule::AUTHENTICATED
        }
    }
}

impl<'a> Rule<'a> {
    /// `path_param = param`: the token's user id is the value the handler reads.
    pub const fn owner(param: &'a str) -> Self {
        Rule {
            path: Some((param, Holder::UserId)),
            roles: &[],
            scopes: &[],
            optional: false,
        }
    }

    /// `path_param = param, claim = claim`: the claim holds the value the handler reads.
    pub const fn claim(param: &'a str, claim: &'a str) -> Self {
        Rule {
            path: Some((param, Holder::Claim(claim))),
            ..Rule::owner(param)
        }
    }

    /// `role = …`: a token with one of `roles`.
    pub const fn any_role(roles: &'a [&'a str]) -> Self {
        Rule {
            path: None,
            roles,
            scopes: &[],
            optional: false,
        }
    }

    /// `or_role = …` on a path rule: one of `roles` admits whatever the path.
    pub const fn or_role(self, roles: &'a [&'a str]) -> Self {
        Rule { roles, ..self }
    }

    /// `scope = …` on a path rule: an access token also needs every one of `scopes`.
    pub const fn with_scopes(self, scopes: &'static [&'static str]) -> Self {
        Rule { scopes, ..self }
    }

    /// Whether the decision needs the value the handler reads from its path.
    pub(crate) const fn reads_path(&self) -> bool {
        self.path.is_some()
    }

    /// The decision for a verified token and, for a path rule, the value the handler reads.
    /// Admitted, the reason (`owner`, `claim`, `role`, `scope`, `authenticated`); refused, the
    /// refusal, whose status says 403 or 401.
    ///
    /// The order is part of the answer's truth: on a path rule the path comes first (another
    /// user's data is refused as such, 403 without a challenge: no role or scope the client
    /// could ask for would change it), then the token's kind. An OAuth access token goes on
    /// only by the scopes a rule names (this is the one place that says so); its role claim is
    /// never read (roles come from session tokens only).
    pub(crate) fn admit(
        &self,
        token: &VerifiedToken,
        path_value: Option<&str>,
    ) -> Result<&'static str, AuthError> {
        match self.path {
            Some((_, holder)) => {
                let value = path_value.unwrap_or_default();
                let reason = match holder {
                    Holder::UserId if owns(token, value) => "owner",
                    Holder::Claim(claim) if token.claim_includes(claim, value) => "claim",
                    _ if token.has_any_role(self.roles) => "role",
                    Holder::UserId => return Err(AuthError::Forbidden),
                    Holder::Claim(_) => return Err(AuthError::ClaimMismatch),
                };
                self.admit_kind(token)?;
                Ok(reason)
            }
            None if !self.roles.is_empty() => {
                self.admit_kind(token)?;
                if token.has_any_role(self.roles) {
                    Ok("role")
                } else {
                    Err(AuthError::MissingRole)
                }
            }
            None if !self.scopes.is_empty() => {
                if !token.is_access_token() {
                    return Err(TokenError::NotAccessToken.into());
                }
                self.admit_kind(token)?;
                Ok("scope")
            }
            None => {
                self.admit_kind(token)?;
                Ok("authenticated")
            }
        }
    }

    /// Whether the token's kind may go on: a session token always; an OAuth access token only
    /// with every scope of a rule that names some.
    fn admit_kind(&self, token: &VerifiedToken) -> Result<(), AuthError> {
        if !token.is_access_token() {
            Ok(())
        } else if self.scopes.is_empty() {
            Err(AuthError::MissingScope(&[]))
        } else if token.has_scopes(self.scopes) {
            Ok(())
        } else {
            Err(AuthError::MissingScope(self.scopes))
        }
    }
}

/// Whether the token's user id is `path_value`, exactly (code point by code point: no case
/// folding, normalisation or trimming). A blank value owns nothing (a user id is never blank
/// either), and neither does a token a client holds for itself
/// ([`VerifiedToken::is_client_token`]): its `sub` is a client id, not a user's.
fn owns(token: &VerifiedToken, path_value: &str) -> bool {
    names_something(path_value) && !token.is_client_token() && token.user_id() == path_value
}

/// For the tracing event (never a metric label: roles and claim names are the application's).
impl fmt::Display for Rule<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, items: &[&str], separator: &str| {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(separator)?;
                }
                f.write_str(item)?;
            }
            Ok(())
        };
        match self.path {
            Some((_, Holder::UserId)) => f.write_str("owner")?,
            Some((_, Holder::Claim(claim))) => write!(f, "claim {claim}")?,
            None if !self.roles.is_empty() => {
                f.write_str("role ")?;
                return list(f, self.roles, "|");
            }
            None if !self.scopes.is_empty() => {
                f.write_str("scope ")?;
                return list(f, self.scopes, " ");
            }
            None if self.optional => return f.write_str("optional"),
            None => return f.write_str("authenticated"),
        }
        if !self.roles.is_empty() {
            f.write_str(" or role ")?;
            list(f, self.roles, "|")?;
        }
        if !self.scopes.is_empty() {
            f.write_str(", scope ")?;
            list(f, self.scopes, " ")?;
        }
        Ok(())
    }
}

/// A refusal a rule can answer, as the OpenAPI integrations document it.
#[cfg(any(feature = "utoipa", feature = "aide"))]
pub(crate) struct DocResponse {
    pub(crate) status: u16,
    pub(crate) description: String,
    /// The description of the `WWW-Authenticate` header it carries, if any.
    pub(crate) challenge: Option<&'static str>,
}

/// The description of a 401's `WWW-Authenticate` header.
#[cfg(any(feature = "utoipa", feature = "aide"))]
const UNAUTHORIZED_CHALLENGE: &str = "`Bearer`, with `error=\"invalid_token\"` and an `error_description` when a token was sent (RFC 6750).";

/// The description of a role or scope refusal's `WWW-Authenticate` header.
#[cfg(any(feature = "utoipa", feature = "aide"))]
pub(crate) const INSUFFICIENT_SCOPE_CHALLENGE: &str =
    "`Bearer error=\"insufficient_scope\"` (RFC 6750).";

#[cfg(any(feature = "utoipa", feature = "aide"))]
impl Rule<'_> {
    /// The refusals [`admit`](Self::admit) (and the authentication before it) can answer, in
    /// the order of their status, in words the document shows.
    pub(crate) fn refusals(&self) -> Vec<DocResponse> {
        let mut refusals = Vec::with_capacity(3);
        if let Some((param, _)) = self.path {
            refusals.push(DocResponse {
                status: 400,
                description: format!(
                    "The path cannot be read into the handler's `Path` type (a segment that is not UTF-8, not a number where one is read), so its `{param}` names nobody."
                ),
                challenge: None,
            });
        }
        let scope_only = self.path.is_none() && self.roles.is_empty() && !self.scopes.is_empty();
        let not_access_token = match scope_only {
            true => ", or a session token where an OAuth access token for this API is required",
            false => "",
        };
        refusals.push(DocResponse {
            status: 401,
            description: format!("Missing or invalid bearer token: no `Authorization: Bearer` header, or a token that is malformed, expired, not yet valid, wrongly signed, or issued for another issuer or audience{not_access_token}."),
            challenge: Some(UNAUTHORIZED_CHALLENGE),
        });
        let forbidden = match self.path {
            Some((param, holder)) => {
                let owner = match holder {
                    Holder::UserId => format!("its user id is not the `{param}` of the path"),
                    Holder::Claim(claim) => {
                        format!("its `{claim}` claim does not hold the `{param}` of the path")
                    }
                };
                let scopes = match self.scopes {
                    [] => String::new(),
                    scopes => format!(
                        " An OAuth access token also needs every one of the scopes {}.",
                        code_list(scopes)
                    ),
                };
                // Another user's path is refused as the path rule's own (no challenge: no
                // role or scope would help); only an access token missing a scope on its own
                // user's path is told to step up.
                let challenge = (!self.scopes.is_empty()).then_some(INSUFFICIENT_SCOPE_CHALLENGE);
                let roles = match self.roles {
                    [] => String::new(),
                    roles => format!(" and it has none of the roles {}", code_list(roles)),
                };
                Some((
                    format!("The token is valid, but {owner}{roles}.{scopes}"),
                    challenge,
                ))
            }
            None if !self.roles.is_empty() => Some((
                format!(
                    "The token is valid, but it has none of the roles {}.",
                    code_list(self.roles)
                ),
                Some(INSUFFICIENT_SCOPE_CHALLENGE),
            )),
            None if !self.scopes.is_empty() => Some((
                format!(
                    "The access token is valid, but it lacks one of the scopes {}.",
                    code_list(self.scopes)
                ),
                Some(INSUFFICIENT_SCOPE_CHALLENGE),
            )),
            None => None,
        };
        if let Some((description, challenge)) = forbidden {
            refusals.push(DocResponse {
                status: 403,
                description,
                challenge,
            });
        }
        refusals
    }

    /// The names a security requirement lists: the roles that admit a token whatever the path,
    /// or the scopes a `scope` rule needs (OpenAPI 3.1 lets a non-OAuth requirement list
    /// them). The utoipa integration has the macro write them; aide asks the rule.
    #[cfg(any(test, feature = "aide"))]
    pub(crate) fn listed(&self) -> &[&str] {
        match (self.path, self.roles) {
            (None, []) => self.scopes,
            (_, roles) => roles,
        }
    }
}

/// `` `admin` `` or `` `admin`, `support` ``.
#[cfg(any(feature = "utoipa", feature = "aide"))]
fn code_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_display_names_the_rule_for_tracing() {
        for (rule, shown) in [
            (Rule::owner("user_id"), "owner"),
            (
                Rule::owner("user_id").or_role(&["admin", "support"]),
                "owner or role admin|support",
            ),
            (
                Rule::claim("org_id", "orgIds").with_scopes(&["a", "b"]),
                "claim orgIds, scope a b",
            ),
            (Rule::any_role(&["admin"]), "role admin"),
            (Rule::all_scopes(&["tasks:stats"]), "scope tasks:stats"),
            (Rule::AUTHENTICATED, "authenticated"),
            (Rule::OPTIONAL, "optional"),
        ] {
            assert_eq!(rule.to_string(), shown);
        }
    }

    #[cfg(any(feature = "utoipa", feature = "aide"))]
    #[test]
    fn each_rule_lists_its_refusals_and_names() {
        let statuses =
            |rule: &Rule<'_>| rule.refusals().iter().map(|r| r.status).collect::<Vec<_>>();
        let owner = Rule::owner("user_id");
        assert_eq!(statuses(&owner), [400, 401, 403]);
        assert!(owner.listed().is_empty());
        assert_eq!(
            owner.refusals()[2].description,
            "The token is valid, but its user id is not the `user_id` of the path."
        );
        assert!(owner.refusals()[2].challenge.is_none());

        let or_role = Rule::claim("user_id", "activeOrganizationId").or_role(&["admin", "support"]);
        assert_eq!(or_role.listed(), ["admin", "support"]);
        assert_eq!(
            or_role.refusals()[2].description,
            "The token is valid, but its `activeOrganizationId` claim does not hold the `user_id` of the path and it has none of the roles `admin`, `support`."
        );
        assert_eq!(
            or_role.refusals()[2].challenge,
            None,
            "refused as the path rule: no role the client could ask for"
        );

        let roles = Rule::any_role(&["admin"]);
        assert_eq!(statuses(&roles), [401, 403]);
        assert_eq!(roles.listed(), ["admin"]);

        assert_eq!(statuses(&Rule::AUTHENTICATED), [401]);

        let scopes = Rule::all_scopes(&["tasks:stats"]);
        assert_eq!(statuses(&scopes), [401, 403]);
        assert_eq!(scopes.listed(), ["tasks:stats"]);
        assert_eq!(
            scopes.refusals()[1].description,
            "The access token is valid, but it lacks one of the scopes `tasks:stats`."
        );
    }
}
