//! OpenAPI through [utoipa](https://docs.rs/utoipa) (feature `utoipa`).
//!
//! Put `#[authorized(...)]` **above** `#[utoipa::path(...)]`: the attribute then adds to that
//! operation
//!
//! - the security requirement of the bearer scheme, listing the roles of `role` / `or_role`
//!   (OpenAPI 3.1 lets a non-OAuth requirement list role names);
//! - the refusals its rule can answer, each with a `{"detail": "…"}` body: 401 (missing or
//!   invalid token, with `WWW-Authenticate`), 403 in the rule's own words (not the owner, a
//!   claim that does not hold the path's value, none of the roles), and 400 (a path that names
//!   nobody) for the `path_param` forms. A status the operation declares itself keeps its
//!   declaration.
//!
//! [`BearerSecurity`](struct@BearerSecurity) registers the scheme once in the document. When `#[utoipa::path]` has a
//! literal `path`, the attribute also checks at compile time that it captures the parameter
//! the handler binds, as [`route_path!`](crate::route_path) does.
//!
//! ```
//! use auth_runtime::authorized;
//! use auth_runtime::utoipa::BearerSecurity;
//! use axum::extract::Path;
//! use utoipa::OpenApi;
//!
//! #[authorized(path_param = "user_id", or_role = "admin")]
//! #[utoipa::path(get, path = "/api/{user_id}/tasks", responses((status = 200, description = "The user's tasks")))]
//! async fn list_tasks(Path(user_id): Path<String>) -> String {
//!     format!("tasks of {user_id}")
//! }
//!
//! #[derive(OpenApi)]
//! #[openapi(paths(list_tasks), modifiers(&BearerSecurity))]
//! struct ApiDoc;
//!
//! let doc = ApiDoc::openapi();
//! let operation = doc.paths.paths["/api/{user_id}/tasks"].get.as_ref().unwrap();
//! assert!(operation.responses.responses.contains_key("401"));
//! assert!(operation.responses.responses.contains_key("403"));
//! ```
//!
//! The other order, `#[utoipa::path]` above `#[authorized]`, is a compile error: utoipa would
//! have written the operation before the attribute could add to it.

use ::utoipa::openapi::OpenApi;
use ::utoipa::openapi::security::{
    HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};

use crate::openapi;

pub use crate::openapi::BearerSecurity;

/// Registers the scheme: `modifiers(&BearerSecurity)` in `#[openapi(...)]`.
impl ::utoipa::Modify for BearerSecurity {
    fn modify(&self, openapi: &mut OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(openapi::SCHEME_DESCRIPTION))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(self.name(), SecurityScheme::Http(scheme));
        if self.name() == openapi::DEFAULT_SCHEME {
            return;
        }
        for item in openapi.paths.paths.values_mut() {
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
                for requirement in operation.security.iter_mut().flatten() {
                    rename(requirement, self.name());
                }
            }
        }
    }
}

/// Renames the `bearer` entry of a requirement (its map is private: through its serde form).
fn rename(requirement: &mut SecurityRequirement, name: &str) {
    let Ok(serde_json::Value::Object(mut map)) = serde_json::to_value(&*requirement) else {
        return;
    };
    let Some(roles) = map.remove(openapi::DEFAULT_SCHEME) else {
        return;
    };
    map.insert(name.to_owned(), roles);
    if let Ok(renamed) = serde_json::from_value(serde_json::Value::Object(map)) {
        *requirement = renamed;
    }
}

/// What the code `#[authorized]` generates calls (through `__private`).
pub(crate) mod support {
    use std::collections::BTreeMap;

    use ::utoipa::openapi::RefOr;
    use ::utoipa::openapi::content::ContentBuilder;
    use ::utoipa::openapi::header::HeaderBuilder;
    use ::utoipa::openapi::response::{Response, ResponseBuilder};
    use ::utoipa::openapi::schema::{ObjectBuilder, Type};

    use crate::authorized::AuthorizedHandler;
    use crate::openapi;
    use crate::rule::Rule;

    /// The responses of an operation, as utoipa's `IntoResponses` gives them.
    pub type Responses = BTreeMap<String, RefOr<Response>>;

    /// The refusals of a handler's rule, for the `IntoResponses` impl the attribute writes.
    pub fn responses_of<H, P>() -> Responses
    where
        H: AuthorizedHandler<P>,
    {
        responses(&H::RULE)
    }

    fn responses(rule: &Rule<'_>) -> Responses {
        rule.refusals()
            .into_iter()
            .map(|doc| {
                let detail = ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property(
                        "detail",
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .description(Some(openapi::DETAIL_DESCRIPTION)),
                    )
                    .required("detail");
                let mut response = ResponseBuilder::new().description(doc.description).content(
                    "application/json",
                    ContentBuilder::new().schema(Some(detail)).build(),
                );
                if let Some(challenge) = doc.challenge {
                    response = response.header(
                        "WWW-Authenticate",
                        HeaderBuilder::new()
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                            .description(Some(challenge))
                            .build(),
                    );
                }
                (doc.status.to_string(), RefOr::T(response.build()))
            })
            .collect()
    }
}
