//! A small aide app: the extractor `#[authorized]` injects, and `Claims`, document the
//! operations with nothing else written, the same way the utoipa integration does for the same
//! handlers; the document is valid OpenAPI 3.1 and is served by the app it describes.

use test_support as common;

use aide::axum::ApiRouter;
use aide::axum::routing::get;
use aide::openapi::OpenApi;
use auth_runtime::testing::token_for;
use auth_runtime::utoipa::BearerSecurity;
use auth_runtime::{Auth, Claims, Hs256, authorized};
use axum::extract::Path;
use axum::{Extension, Json};
use common::{fetch, request};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::OpenApi as _;

const SECRET: &str = "aide-test-secret-0123456789-abcdefghijklmnop";

/// aide names path parameters from a struct's fields (a bare `Path<String>` has no name).
#[derive(Deserialize, JsonSchema)]
struct UserPath {
    user_id: String,
}

#[derive(Deserialize, JsonSchema)]
struct OrgPath {
    org_id: String,
}

/// The user's tasks: the owner, or an admin.
#[authorized(path_param = "user_id", or_role = "admin")]
#[utoipa::path(get, path = "/api/{user_id}/tasks", params(("user_id" = String, Path)))]
async fn list_tasks(Path(UserPath { user_id }): Path<UserPath>) -> Json<Vec<String>> {
    Json(vec![format!("a task of {user_id}")])
}

/// A member of the organisation in the path.
#[authorized(path_param = "org_id", claim = "activeOrganizationId")]
#[utoipa::path(get, path = "/orgs/{org_id}/invoices", params(("org_id" = String, Path)))]
async fn list_invoices(Path(path): Path<OrgPath>) -> String {
    path.org_id
}

/// Admins or support staff.
#[authorized(role = ["admin", "support"])]
#[utoipa::path(get, path = "/api/admin/users")]
async fn list_users() -> String {
    "every user".to_owned()
}

/// A service's access token with the scope.
#[authorized(scope = "tasks:stats")]
#[utoipa::path(get, path = "/api/stats")]
async fn stats() -> String {
    "counts".to_owned()
}

/// Any signed-in user.
async fn me(claims: Claims) -> String {
    claims.user_id().to_owned()
}

/// Anyone; a signed-in user is greeted by name.
async fn greet(claims: Option<Claims>) -> String {
    match claims {
        Some(claims) => format!("hello {}", claims.user_id()),
        None => "hello".to_owned(),
    }
}

/// The owner, who may also be read through `Option<Claims>`: the attribute's requirement stays.
#[authorized(path_param = "user_id")]
async fn profile(claims: Option<Claims>, Path(UserPath { user_id }): Path<UserPath>) -> String {
    format!("{user_id} {}", claims.is_some())
}

async fn health() -> &'static str {
    "ok"
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_tasks, list_invoices, list_users, stats),
    modifiers(&BearerSecurity)
)]
struct UtoipaDoc;

fn app() -> (axum::Router, Value) {
    let mut api = OpenApi {
        info: aide::openapi::Info {
            title: "aide app".to_owned(),
            version: "1".to_owned(),
            ..Default::default()
        },
        ..Default::default()
    };
    let router = ApiRouter::new()
        .api_route("/api/{user_id}/tasks", get(list_tasks))
        .api_route("/orgs/{org_id}/invoices", get(list_invoices))
        .api_route("/api/admin/users", get(list_users))
        .api_route("/api/stats", get(stats))
        .api_route("/me", get(me))
        .api_route("/greet", get(greet))
        .api_route("/profile/{user_id}", get(profile))
        .api_route("/health", get(health))
        .finish_api_with(&mut api, |api| {
            auth_runtime::aide::BearerSecurity.apply(api)
        });
    let doc = serde_json::to_value(&api).expect("the document serializes");
    let auth = Auth::builder()
        .hs256(Hs256::secret(SECRET))
        .build()
        .expect("a valid configuration");
    let served = doc.clone();
    let router = router
        .route(
            "/openapi.json",
            axum::routing::get(|Extension(doc): Extension<Value>| async move { Json(doc) }),
        )
        .layer(Extension(served))
        .layer(auth.layer());
    (router, doc)
}

#[tokio::test]
async fn the_injected_extractor_documents_each_rule() {
    let (router, doc) = app();
    let paths = &doc["paths"];

    let list = &paths["/api/{user_id}/tasks"]["get"];
    assert_eq!(list["security"], json!([{ "bearer": ["admin"] }]));
    assert_eq!(
        list["responses"]["403"]["description"],
        "The token is valid, but its user id is not the `user_id` of the path and it has none of the roles `admin`."
    );
    for status in ["400", "401", "403"] {
        assert!(list["responses"][status].is_object(), "{status}: {list}");
    }
    assert!(list["responses"]["401"]["headers"]["WWW-Authenticate"].is_object());

    let invoices = &paths["/orgs/{org_id}/invoices"]["get"];
    assert_eq!(invoices["security"], json!([{ "bearer": [] }]));
    assert_eq!(
        invoices["responses"]["403"]["description"],
        "The token is valid, but its `activeOrganizationId` claim does not hold the `org_id` of the path."
    );

    let users = &paths["/api/admin/users"]["get"];
    assert_eq!(
        users["security"],
        json!([{ "bearer": ["admin", "support"] }])
    );
    assert!(
        users["responses"]["400"].is_null(),
        "a role rule reads no path"
    );

    let stats = &paths["/api/stats"]["get"];
    assert_eq!(stats["security"], json!([{ "bearer": ["tasks:stats"] }]));
    assert_eq!(
        stats["responses"]["403"]["description"],
        "The access token is valid, but it lacks one of the scopes `tasks:stats`."
    );

    let me = &paths["/me"]["get"];
    assert_eq!(me["security"], json!([{ "bearer": [] }]));
    assert!(me["responses"]["401"].is_object());
    assert!(me["responses"]["403"].is_null());
    assert!(
        me.get("parameters").is_none(),
        "the marker is removed: {me}"
    );

    let greet = &paths["/greet"]["get"];
    assert_eq!(
        greet["security"],
        json!([{ "bearer": [] }, {}]),
        "Option<Claims>: a token is optional"
    );
    assert!(
        greet["responses"]["401"].is_object(),
        "a token sent but invalid is refused"
    );
    assert!(greet.get("parameters").is_none(), "{greet}");

    let profile = &paths["/profile/{user_id}"]["get"];
    assert_eq!(
        profile["security"],
        json!([{ "bearer": [] }]),
        "still required"
    );

    let health = &paths["/health"]["get"];
    assert!(health.get("security").is_none());
    assert!(health["responses"]["401"].is_null());

    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    common::validate_openapi(&doc);

    // The app answers as its document says.
    let addr = common::serve(router).await;
    let served = fetch("/openapi.json").send(addr).await;
    assert_eq!(served.json(), doc);
    assert_eq!(fetch("/api/alice/tasks").send(addr).await.status, 401);
    let bob = token_for("bob").secret(SECRET).sign();
    let alice = token_for("alice").secret(SECRET).sign();
    assert_eq!(
        fetch("/api/alice/tasks")
            .bearer(&bob)
            .send(addr)
            .await
            .status,
        403
    );
    assert_eq!(
        fetch("/api/alice/tasks")
            .bearer(&alice)
            .send(addr)
            .await
            .status,
        200
    );
    assert_eq!(fetch("/greet").send(addr).await.body, "hello");
    assert_eq!(
        fetch("/greet")
            .bearer("not.a.token")
            .send(addr)
            .await
            .status,
        401
    );
    assert_eq!(
        request("GET", "/me").bearer(&alice).send(addr).await.body,
        "alice"
    );
    assert_eq!(fetch("/health").send(addr).await.status, 200);
}

/// The same handlers, documented by utoipa and by aide: the same requirement and the same
/// refusals, word for word.
#[test]
fn aide_and_utoipa_document_the_same_rules() {
    let (_, aide) = app();
    let utoipa = serde_json::to_value(UtoipaDoc::openapi()).expect("serializes");
    for path in [
        "/api/{user_id}/tasks",
        "/orgs/{org_id}/invoices",
        "/api/admin/users",
    ] {
        let (a, u) = (&aide["paths"][path]["get"], &utoipa["paths"][path]["get"]);
        assert_eq!(a["security"], u["security"], "{path}");
        for status in ["400", "401", "403"] {
            let (a, u) = (&a["responses"][status], &u["responses"][status]);
            assert_eq!(a["description"], u["description"], "{path} {status}");
            assert_eq!(
                a["headers"]["WWW-Authenticate"]["description"],
                u["headers"]["WWW-Authenticate"]["description"],
                "{path} {status}"
            );
            assert_eq!(
                a["content"]["application/json"]["schema"]["required"],
                u["content"]["application/json"]["schema"]["required"],
                "{path} {status}"
            );
        }
    }
}

#[test]
fn a_named_scheme_renames_the_requirements() {
    const JWT: auth_runtime::aide::BearerSecurity =
        auth_runtime::aide::BearerSecurity::named("jwt");
    let mut api = OpenApi::default();
    let _router: axum::Router = ApiRouter::new()
        .api_route("/api/admin/users", get(list_users))
        .api_route("/greet", get(greet))
        .finish_api_with(&mut api, |api| JWT.apply(api));
    let doc = serde_json::to_value(&api).expect("serializes");
    assert_eq!(
        doc["paths"]["/api/admin/users"]["get"]["security"],
        json!([{ "jwt": ["admin", "support"] }])
    );
    assert_eq!(
        doc["paths"]["/greet"]["get"]["security"],
        json!([{ "jwt": [] }, {}])
    );
    assert!(doc["components"]["securitySchemes"]["jwt"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_null());
}
