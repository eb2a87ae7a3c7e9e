//! Every form of the attribute on real axum routes, with other extractors, state and a body;
//! route_path! accepts a role handler on any route.
#![deny(warnings)] // the expansion must not add warnings
use auth_runtime::{Claims, authorized, route_path};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

#[derive(Clone)]
struct AppState;

#[authorized(role = "admin")]
async fn list_users(State(_): State<AppState>, claims: Claims) -> String {
    claims.user_id().to_owned()
}

#[authorized(role = ["admin", "support"])]
pub async fn import_users(Json(body): Json<Vec<String>>) -> String {
    body.len().to_string()
}

#[authorized(path_param = "user_id", or_role = ["admin"])]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    user_id
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgPath {
    org_id: String,
    invoice: u64,
}

#[authorized(path_param = "org_id", claim = "activeOrganizationId")]
async fn get_invoice(Path(OrgPath { org_id, invoice }): Path<OrgPath>) -> String {
    format!("{org_id}/{invoice}")
}

#[authorized(path_param = "org_id", claim = "orgIds", or_role = "support")]
async fn list_members(Path((org_id, page)): Path<(String, u32)>, Json(filter): Json<String>) -> String {
    format!("{org_id} {page} {filter}")
}

fn main() {
    let _app: Router = Router::new()
        .route(route_path!("/api/admin/users", list_users, import_users), get(list_users).post(import_users))
        .route(route_path!("/api/{user_id}/tasks", list_tasks), get(list_tasks))
        .route("/orgs/{orgId}/invoices/{invoice}", get(get_invoice))
        .route(route_path!("/orgs/{org_id}/members/{page}", list_members), get(list_members))
        .with_state(AppState);
}
