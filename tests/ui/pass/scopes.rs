//! `scope` on its own (an OAuth access token with every scope) and beside `path_param` (the
//! owner; an access token also needs the scopes), with `or_role` and `claim`.
#![deny(warnings)]
use auth_runtime::{Claims, authorized, route_path};
use axum::Router;
use axum::extract::Path;
use axum::routing::get;

#[authorized(scope = "tasks:stats")]
async fn stats(claims: Claims) -> String {
    claims.scopes().collect::<Vec<_>>().join(" ")
}

#[authorized(scope = ["tasks:read", "tasks:export"])]
async fn export() {}

#[authorized(path_param = "user_id", scope = "tasks:read")]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    user_id
}

#[authorized(path_param = "user_id", or_role = "admin", scope = ["tasks:read"])]
async fn get_task(Path((user_id, id)): Path<(String, u64)>) -> String {
    format!("{user_id} {id}")
}

#[authorized(path_param = "org_id", claim = "activeOrganizationId", scope = "invoices:read")]
async fn list_invoices(Path(org_id): Path<String>) -> String {
    org_id
}

fn main() {
    let _app: Router = Router::new()
        .route("/api/stats", get(stats))
        .route("/api/export", get(export))
        .route(route_path!("/api/{user_id}/tasks", list_tasks), get(list_tasks))
        .route(route_path!("/api/{user_id}/tasks/{id}", get_task), get(get_task))
        .route(route_path!("/orgs/{org_id}/invoices", list_invoices), get(list_invoices));
}
