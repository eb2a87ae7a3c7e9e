//! OpenAPI through [aide](https://docs.rs/aide) (feature `aide`).
//!
//! The extractor `#[authorized]` injects implements aide's [`OperationInput`]: an aide route of
//! an `#[authorized]` handler gets, with nothing else written,
//!
//! - the security requirement of the bearer scheme, listing the roles of `role` / `or_role`;
//! - the refusals its rule can answer, each with a `{"detail": "…"}` body: 401 (with
//!   `WWW-Authenticate`), 403 in the rule's own words, and 400 for the `path_param` forms.
//!
//! [`Claims`] declares the requirement and its 401 too, and `Option<Claims>` declares the
//! requirement as optional (`[{"bearer": []}, {}]`: a request without a token is served) with
//! the 401 of a token that is sent but invalid. [`BearerSecurity::apply`] registers the scheme;
//! call it once the routes are collected, in `finish_api_with`:
//!
//! ```
//! use aide::axum::{ApiRouter, routing::get};
//! use aide::openapi::OpenApi;
//! use auth_runtime::aide::BearerSecurity;
//! use auth_runtime::authorized;
//! use axum::extract::Path;
//!
//! #[authorized(role = "admin")]
//! async fn list_users() -> String {
//!     "every user".to_owned()
//! }
//!
//! let mut api = OpenApi::default();
//! let _router: axum::Router = ApiRouter::new()
//!     .api_route("/api/admin/users", get(list_users))
//!     .finish_api_with(&mut api, |api| BearerSecurity.apply(api));
//! let doc = serde_json::to_value(&api).unwrap();
//! let operation = &doc["paths"]["/api/admin/users"]["get"];
//! assert_eq!(operation["security"], serde_json::json!([{ "bearer": ["admin"] }]));
//! assert!(operation["responses"]["403"].is_object());
//! ```
//!
//! [`Claims`]: crate::Claims

use ::aide::OperationInput;
use ::aide::generate::GenContext;
use ::aide::openapi::{
    Operation, Parameter, ReferenceOr, Response, SecurityRequirement, SecurityScheme, StatusCode,
};
use ::aide::transform::TransformOpenApi;
use serde_json::json;

use crate::authorized::{Authorized, AuthorizedHandler};
use crate::extract::Claims;
use crate::openapi;
use crate::rule::Rule;

pub use crate::openapi::BearerSecurity;

/// The header parameter [`Claims`] adds as a marker: aide's `Option<T>` marks
/// the parameters of `T` as not required, which is how [`BearerSecurity::apply`] tells
/// `Option<Claims>` from `Claims`. OpenAPI ignores an `Authorization` header parameter, and
/// `apply` removes it.
const MARKER: &str = "Authorization";

impl BearerSecurity {
    /// Registers the scheme, names the requirements after it, and turns what
    /// [`Claims`] and `Option<Claims>` declared into their requirements: for
    /// `finish_api_with(&mut api, |api| BearerSecurity.apply(api))`.
    pub fn apply<'a>(&self, mut api: TransformOpenApi<'a>) -> TransformOpenApi<'a> {
        let openapi = api.inner_mut();
        if let Some(paths) = openapi.paths.as_mut() {
            for item in paths.paths.values_mut() {
                let ReferenceOr::Item(item) = item else {
                    continue;
                };
                let operations = [
                    &mut item.get,
                    &mut item.put,
                    &mut item.post,
                    &mut item.delete,
                    &mut item.options,
                    &mut item.head,
                    &mut item.patch,
                    &mut item.trace,
                ];
                for operation in operations.into_iter().flatten() {
                    self.complete(operation);
                }
            }
        }
        let scheme = SecurityScheme::Http {
            scheme: "bearer".to_owned(),
            bearer_format: Some("JWT".to_owned()),
            description: Some(openapi::SCHEME_DESCRIPTION.to_owned()),
            extensions: Default::default(),
        };
        api.security_scheme(self.name(), scheme)
    }

    fn complete(&self, operation: &mut Operation) {
        let mut optional = None;
        operation.parameters.retain(|parameter| match parameter {
            ReferenceOr::Item(Parameter::Header { parameter_data, .. })
                if parameter_data.name == MARKER =>
            {
                optional = Some(!parameter_data.required);
                false
            }
            _ => true,
        });
        let has_requirement = operation
            .security
            .iter()
            .any(|requirement| requirement.contains_key(openapi::DEFAULT_SCHEME));
        // `Claims` alone: required; `Option<Claims>`: optional, unless an `#[authorized]`
        // extractor on the same handler already requires a token.
        if let Some(optional) = optional
            && !has_requirement
        {
            operation.security.push(requirement(&[]));
            if optional {
                operation.security.push(SecurityRequirement::new());
                for (status, response) in responses(&Rule::AUTHENTICATED) {
                    insert_response(operation, status, response);
                }
            }
        }
        if self.name() != openapi::DEFAULT_SCHEME {
            for requirement in &mut operation.security {
                if let Some(roles) = requirement.shift_remove(openapi::DEFAULT_SCHEME) {
                    requirement.insert(self.name().to_owned(), roles);
                }
            }
        }
    }
}

impl<H, P> OperationInput for Authorized<H, P>
where
    H: AuthorizedHandler<P>,
{
    fn operation_input(_ctx: &mut GenContext, operation: &mut Operation) {
        add_requirement(operation, &H::RULE);
    }

    fn inferred_early_responses(
        _ctx: &mut GenContext,
        _operation: &mut Operation,
    ) -> Vec<(Option<u16>, Response)> {
        responses(&H::RULE)
    }
}

impl<T> OperationInput for Claims<T> {
    fn operation_input(_ctx: &mut GenContext, operation: &mut Operation) {
        let present = operation.parameters.iter().any(|parameter| {
            matches!(parameter, ReferenceOr::Item(Parameter::Header { parameter_data, .. }) if parameter_data.name == MARKER)
        });
        if present {
            return;
        }
        let marker = json!({
            "in": "header",
            "name": MARKER,
            "required": true,
            "description": "The bearer token (auth-runtime's marker: BearerSecurity::apply replaces it with the security requirement).",
            "schema": { "type": "string" },
        });
        if let Ok(marker) = serde_json::from_value(marker) {
            operation.parameters.push(ReferenceOr::Item(marker));
        }
    }

    fn inferred_early_responses(
        _ctx: &mut GenContext,
        _operation: &mut Operation,
    ) -> Vec<(Option<u16>, Response)> {
        responses(&Rule::AUTHENTICATED)
    }
}

/// The requirement of the rule, unless the operation has one already (an `#[authorized]`
/// extractor and `Claims` on one handler: the attribute's rule is the stricter one).
fn add_requirement(operation: &mut Operation, rule: &Rule<'_>) {
    if operation
        .security
        .iter()
        .any(|requirement| requirement.contains_key(openapi::DEFAULT_SCHEME))
    {
        return;
    }
    operation.security.push(requirement(rule.listed()));
}

fn requirement(roles: &[&str]) -> SecurityRequirement {
    let mut requirement = SecurityRequirement::new();
    requirement.insert(
        openapi::DEFAULT_SCHEME.to_owned(),
        roles.iter().map(|&role| role.to_owned()).collect(),
    );
    requirement
}

fn responses(rule: &Rule<'_>) -> Vec<(Option<u16>, Response)> {
    rule.refusals()
        .into_iter()
        .filter_map(|doc| {
            let mut response = json!({
                "description": doc.description,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "detail": {
                                    "type": "string",
                                    "description": openapi::DETAIL_DESCRIPTION,
                                },
                            },
                            "required": ["detail"],
                        },
                    },
                },
            });
            if let Some(challenge) = doc.challenge {
                response["headers"] = json!({
                    "WWW-Authenticate": {
                        "description": challenge,
                        "schema": { "type": "string" },
                    },
                });
            }
            let response: Response = serde_json::from_value(response).ok()?;
            Some((Some(doc.status), response))
        })
        .collect()
}

/// A refusal `Option<Claims>` can answer, unless the operation declares that status.
fn insert_response(operation: &mut Operation, status: Option<u16>, response: Response) {
    let Some(status) = status else { return };
    let responses = operation.responses.get_or_insert_with(Default::default);
    responses
        .responses
        .entry(StatusCode::Code(status))
        .or_insert(ReferenceOr::Item(response));
}
