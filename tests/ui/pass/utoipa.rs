//! `#[authorized]` above `#[utoipa::path]`, in every form: the operations carry the bearer
//! requirement with the rule's roles and the refusals, a status the operation declares keeps
//! its declaration, and handlers without `#[utoipa::path]` (here or in a block) still build.
#![deny(warnings)]
use auth_runtime::authorized;
use auth_runtime::utoipa::BearerSecurity;
use axum::extract::Path;
use utoipa::OpenApi;

#[authorized(path_param = "user_id")]
#[utoipa::path(get, path = "/api/{user_id}/tasks")]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    user_id
}

#[authorized(path_param = "user_id", or_role = ["admin", "support"])]
#[utoipa::path(
    get,
    path = "/api/{user_id}/tasks/{id}",
    responses(
        (status = 200, description = "The task"),
        (status = 403, description = "Declared by the operation"),
    ),
)]
async fn get_task(Path((user_id, id)): Path<(String, u64)>) -> String {
    format!("{user_id} {id}")
}

#[authorized(path_param = "org_id", claim = "activeOrganizationId")]
#[utoipa::path(get, path = "/orgs/{org_id}/invoices", responses())]
async fn list_invoices(Path(org_id): Path<String>) -> String {
    org_id
}

#[authorized(role = "admin")]
#[utoipa::path(delete, path = "/api/admin/users")]
async fn delete_users() {}

/// Not documented: no `#[utoipa::path]`, and none above either.
#[authorized(role = "admin")]
async fn undocumented() {}

const JWT: BearerSecurity = BearerSecurity::named("jwt");

#[derive(OpenApi)]
#[openapi(paths(list_tasks, get_task, list_invoices, delete_users), modifiers(&JWT))]
struct ApiDoc;

fn main() {
    #[authorized(path_param = "user_id")]
    #[utoipa::path(get, path = "/in/a/block/{user_id}")]
    async fn in_a_block(Path(user_id): Path<String>) -> String {
        user_id
    }
    let _ = axum::routing::get::<_, _, ()>(in_a_block);
    let _ = axum::routing::get::<_, _, ()>(undocumented);

    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let paths = &doc["paths"];
    let list = &paths["/api/{user_id}/tasks"]["get"];
    assert_eq!(list["security"], serde_json::json!([{ "jwt": [] }]));
    for status in ["400", "401", "403"] {
        assert!(list["responses"][status].is_object(), "{status}: {list}");
    }
    let get = &paths["/api/{user_id}/tasks/{id}"]["get"];
    assert_eq!(get["security"], serde_json::json!([{ "jwt": ["admin", "support"] }]));
    assert_eq!(get["responses"]["403"]["description"], "Declared by the operation");
    assert!(get["responses"]["200"].is_object());
    let invoices = &paths["/orgs/{org_id}/invoices"]["get"];
    assert!(invoices["responses"]["403"]["description"].as_str().unwrap().contains("`activeOrganizationId` claim"));
    let delete = &paths["/api/admin/users"]["delete"];
    assert_eq!(delete["security"], serde_json::json!([{ "jwt": ["admin"] }]));
    assert!(delete["responses"]["400"].is_null());
    assert_eq!(doc["components"]["securitySchemes"]["jwt"]["scheme"], "bearer");
}
