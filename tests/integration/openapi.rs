//! The example's `GET /openapi.json`: a valid OpenAPI 3.1 document (checked by the Python
//! `openapi-spec-validator`, installed by the test into the target directory) whose every
//! operation says what its handler's `#[authorized]` enforces, and whose paths are the routes
//! the service answers.

use test_support as common;

use std::collections::BTreeSet;
use std::net::SocketAddr;

use auth_runtime::testing::token_for;
use common::service::{SECRET, Service};
use common::{fetch, request, validate_openapi as validate};
use serde_json::{Value, json};

/// What each route's attribute says, as api.rs writes it.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// `path_param = "user_id"`, with `or_role`'s roles and `scope`'s scope.
    Owner(&'static [&'static str], &'static str),
    /// `role = …`.
    Role(&'static [&'static str]),
    /// `scope = …`: OAuth access tokens only.
    Scope(&'static str),
    /// No attribute.
    Open,
}

/// Every route of the example, with its method and its handler's rule.
const ROUTES: &[(&str, &str, Rule)] = &[
    (
        "/api/{user_id}/tasks",
        "get",
        Rule::Owner(&["admin"], "tasks:read"),
    ),
    (
        "/api/{user_id}/tasks",
        "post",
        Rule::Owner(&[], "tasks:write"),
    ),
    (
        "/api/{user_id}/tasks/{id}",
        "get",
        Rule::Owner(&["admin"], "tasks:read"),
    ),
    (
        "/api/{user_id}/tasks/{id}",
        "put",
        Rule::Owner(&[], "tasks:write"),
    ),
    (
        "/api/{user_id}/tasks/{id}",
        "delete",
        Rule::Owner(&[], "tasks:write"),
    ),
    (
        "/api/{user_id}/tasks/{id}/complete",
        "patch",
        Rule::Owner(&[], "tasks:write"),
    ),
    ("/api/admin/users", "get", Rule::Role(&["admin"])),
    ("/api/stats", "get", Rule::Scope("tasks:stats")),
    ("/health", "get", Rule::Open),
    ("/openapi.json", "get", Rule::Open),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn token(user: &str) -> String {
    token_for(user).secret(SECRET).sign()
}

fn concrete(path: &str) -> String {
    path.replace("{user_id}", "alice").replace("{id}", "1")
}

async fn document(addr: SocketAddr) -> Value {
    let response = fetch("/openapi.json").send(addr).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("application/json"));
    response.json()
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let service = Service::with_secret();
    let doc = document(service.addr).await;
    assert_eq!(doc["openapi"], "3.1.0");
    validate(&doc);

    // The validator itself refuses a broken document (it is not a no-op).
    let mut broken = doc.clone();
    broken["paths"]["/api/{user_id}/tasks"]["get"]["security"] = json!("bearer");
    let result = std::panic::catch_unwind(|| validate(&broken));
    assert!(result.is_err(), "the validator accepted a broken document");
}

#[tokio::test]
async fn every_operation_says_what_its_attribute_enforces() {
    let service = Service::with_secret();
    let doc = document(service.addr).await;

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (path.clone(), (*method).to_owned()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(path, method, _)| ((*path).to_owned(), (*method).to_owned()))
        .collect();
    assert_eq!(documented, expected);

    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");

    for (path, method, rule) in ROUTES {
        let operation = &doc["paths"][path][method];
        let responses = &operation["responses"];
        let at = format!("{method} {path}");
        let (roles, reads_path) = match rule {
            Rule::Open => {
                assert!(operation.get("security").is_none(), "{at}: {operation}");
                for status in ["400", "401", "403"] {
                    assert!(responses.get(status).is_none(), "{at} has {status}");
                }
                continue;
            }
            Rule::Owner(roles, _) => (*roles, true),
            Rule::Role(roles) => (*roles, false),
            Rule::Scope(scope) => (std::slice::from_ref(scope), false),
        };
        assert_eq!(
            operation["security"],
            json!([{ "bearer": roles }]),
            "{at}: the requirement lists the rule's roles"
        );

        let unauthorized = &responses["401"];
        assert!(
            unauthorized["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("Missing or invalid bearer token")),
            "{at}: {unauthorized}"
        );
        assert!(
            unauthorized["headers"]["WWW-Authenticate"].is_object(),
            "{at}"
        );
        assert_eq!(
            unauthorized["content"]["application/json"]["schema"]["required"],
            json!(["detail"]),
            "{at}"
        );

        let forbidden = &responses["403"];
        let description = forbidden["description"].as_str().expect("403 described");
        let role_words = roles
            .iter()
            .map(|role| format!("`{role}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let expected = match rule {
            Rule::Owner([], scope) => format!(
                "The token is valid, but its user id is not the `user_id` of the path. An OAuth access token also needs every one of the scopes `{scope}`."
            ),
            Rule::Owner(_, scope) => format!(
                "The token is valid, but its user id is not the `user_id` of the path and it has none of the roles {role_words}. An OAuth access token also needs every one of the scopes `{scope}`."
            ),
            Rule::Role(_) => {
                format!("The token is valid, but it has none of the roles {role_words}.")
            }
            Rule::Scope(scope) => {
                format!("The access token is valid, but it lacks one of the scopes `{scope}`.")
            }
            Rule::Open => unreachable!(),
        };
        assert_eq!(description, expected, "{at}");
        // A missing role or scope carries `insufficient_scope`.
        assert!(forbidden["headers"]["WWW-Authenticate"].is_object(), "{at}");

        let bad_path = &responses["400"];
        assert_eq!(bad_path.is_object(), reads_path, "{at}: 400 {bad_path}");
    }

    // A status the operation declares keeps its declaration: create and update describe their
    // own 400 (malformed JSON as well as a path that names nobody).
    for (path, method) in [
        ("/api/{user_id}/tasks", "post"),
        ("/api/{user_id}/tasks/{id}", "put"),
    ] {
        assert_eq!(
            doc["paths"][path][method]["responses"]["400"]["description"],
            "The body is not JSON, or the path names nobody"
        );
    }
}

/// The document's paths are the routes the service answers: each documented operation is
/// routed (protected ones refuse without a token and refuse another user as the document
/// says, open ones answer), every other method of a documented path is 405, and a path the
/// document does not have is the fallback's 404.
#[tokio::test]
async fn the_documented_paths_are_the_routes() {
    let service = Service::with_secret();
    let addr = service.addr;
    let doc = document(addr).await;
    let bob = token("bob");
    let plain_user = token("alice");

    for (path, method, rule) in ROUTES {
        let target = concrete(path);
        let at = format!("{method} {target}");
        let verb = method.to_uppercase();
        let anonymous = request(&verb, &target).send(addr).await;
        match rule {
            Rule::Open => {
                assert_eq!(anonymous.status, 200, "{at}: {}", anonymous.body);
                continue;
            }
            _ => {
                assert_eq!(anonymous.status, 401, "{at}: {}", anonymous.body);
                assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
            }
        }
        // A session token the rule does not admit: 403 (401 where only an OAuth access token
        // is admitted), with a challenge only where the document promises one.
        let intruder = match rule {
            Rule::Role(_) | Rule::Scope(_) => &plain_user,
            _ => &bob,
        };
        let refused = request(&verb, &target).bearer(intruder).send(addr).await;
        let expected = if matches!(rule, Rule::Scope(_)) {
            401
        } else {
            403
        };
        assert_eq!(refused.status, expected, "{at}: {}", refused.body);
        let documented = &doc["paths"][path][method]["responses"][expected.to_string()];
        assert!(documented.is_object(), "{at}: {expected} is not documented");
        if refused.header("www-authenticate").is_some() {
            assert!(
                documented["headers"].get("WWW-Authenticate").is_some(),
                "{at}: {:?}",
                refused.headers
            );
        }
    }

    for (path, item) in doc["paths"].as_object().expect("paths") {
        let target = concrete(path);
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_none() {
                let response = request(&method.to_uppercase(), &target)
                    .bearer(&plain_user)
                    .send(addr)
                    .await;
                assert_eq!(
                    response.status, 405,
                    "{method} {target} is routed but not documented"
                );
            }
        }
    }
    for undocumented in ["/api/alice", "/api/alice/notes", "/api/admin", "/docs"] {
        let response = fetch(undocumented).bearer(&plain_user).send(addr).await;
        assert_eq!(response.status, 404, "{undocumented}");
        assert_eq!(response.detail(), "Not found");
    }
}
