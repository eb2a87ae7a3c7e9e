//! Bindings whose field names differ from the route's captures: the check reads the value the
//! handler reads, so these need no route_path! (which checks capture names).
#![deny(warnings)] // the expansion must not add warnings
use auth_runtime::{UserIdParam, authorized};
use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserPath {
    user_id: String,
}

#[authorized(path_param = "user_id")]
async fn camel(Path(path): Path<UserPath>) -> String {
    path.user_id
}

#[derive(Deserialize)]
struct Account {
    account: String,
}

// path_param names the handler's binding of the field `account`.
#[authorized(path_param = "user_id")]
async fn rebound(Path(Account { account: user_id }): Path<Account>) -> String {
    user_id
}

/// An application's own user id type.
#[derive(Deserialize)]
struct UserId(String);

impl UserIdParam for UserId {
    fn as_user_id(&self) -> &str {
        &self.0
    }
}

#[authorized(path_param = "user_id")]
async fn newtype(Path(user_id): Path<UserId>) -> String {
    user_id.0
}

mod api {
    use super::*;

    /// A private path type behind a public handler.
    #[derive(Deserialize)]
    struct Private {
        user_id: String,
    }

    #[allow(private_interfaces)]
    #[authorized(path_param = "user_id")]
    pub async fn public(Path(path): Path<Private>) -> String {
        path.user_id
    }

    pub fn routes() -> Router {
        Router::new().route("/public/{user_id}", get(public))
    }
}

fn main() {
    let _app: Router = Router::new()
        .route("/users/{userId}/tasks", get(camel))
        .route("/accounts/{account}", get(rebound))
        .route("/ids/{id}", get(newtype))
        .merge(api::routes());
}
