//! Arbitrary Authorization header and path segment through a real Router with an
//! #[authorized] handler: never a panic, never a 5xx, and 200 only for the owner.
#![no_main]

use auth_runtime::authorized;
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower::ServiceExt;

#[authorized(path_param = "user_id")]
async fn tasks(Path(user_id): Path<String>) -> String {
    user_id
}

fn setup() -> &'static (tokio::runtime::Runtime, Router, String) {
    static SETUP: OnceLock<(tokio::runtime::Runtime, Router, String)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let router = Router::new()
            .route(auth_runtime::route_path!("/api/{user_id}/tasks", tasks), get(tasks))
            .layer(auth_runtime::testing::auth().layer());
        (rt, router, auth_runtime::testing::token_for("alice").sign())
    })
}

fuzz_target!(|data: &[u8]| {
    let (rt, router, alice) = setup();
    // First byte: how the rest splits into the Authorization value and the path segment;
    // bit 7 of it: use alice's valid token instead of fuzzed bytes.
    let Some((&control, rest)) = data.split_first() else { return };
    let split = usize::from(control & 0x7f).min(rest.len());
    let (auth_bytes, segment) = rest.split_at(split);
    let authorization = if control & 0x80 != 0 {
        format!("Bearer {alice}").into_bytes()
    } else {
        auth_bytes.to_vec()
    };
    let Ok(segment) = std::str::from_utf8(segment) else { return };
    let uri = format!("/api/{segment}/tasks");
    let Ok(request) = Request::get(uri.as_str())
        .header(header::AUTHORIZATION, authorization.as_slice())
        .body(Body::empty())
    else {
        return;
    };
    let response = rt
        .block_on(router.clone().oneshot(request))
        .expect("infallible");
    let status = response.status();
    assert!(!status.is_server_error(), "{status} for {uri:?}");
    if status == StatusCode::OK {
        assert!(control & 0x80 != 0, "200 without the real token");
    }
});
