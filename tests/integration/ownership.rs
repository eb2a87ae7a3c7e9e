//! `#[authorized]` decides on the value the handler reads: whatever serde does between the
//! route's captures and the handler's `Path<T>` (renames, aliases, conversions, a hand-written
//! `Deserialize`, tuple order), the user id the handler reads is the one compared with the
//! token. Each case runs over loopback HTTP with the owner (200, the handler echoes the user id
//! it read) and with another user's token (403).

use test_support as common;

use auth_runtime::testing::{self, token_for};
use auth_runtime::{authorized, route_path};
use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use common::{fetch, serve};
use serde::{Deserialize, Deserializer};

/// The field the handler reads is filled from the capture `{owner}`; the capture named
/// `{user_id}` is only a decoy.
#[derive(Deserialize)]
struct Renamed {
    #[serde(rename = "owner")]
    user_id: String,
}

#[authorized(path_param = "user_id")]
async fn renamed(Path(params): Path<Renamed>) -> String {
    params.user_id
}

/// `rename_all`: the field `user_id` is filled from `{userId}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Camel {
    user_id: String,
}

#[authorized(path_param = "user_id")]
async fn camel(Path(Camel { user_id }): Path<Camel>) -> String {
    user_id
}

/// `alias`: the field is filled from `{uid}` when the route has no `{user_id}`.
#[derive(Deserialize)]
struct Aliased {
    #[serde(alias = "uid")]
    user_id: String,
}

#[authorized(path_param = "user_id")]
async fn aliased(Path(params): Path<Aliased>) -> String {
    params.user_id
}

/// `#[serde(from)]`: the handler reads what the conversion made of the captures.
#[derive(Deserialize)]
struct RawPair {
    a: String,
    b: String,
}

#[derive(Deserialize)]
#[serde(from = "RawPair")]
struct Converted {
    user_id: String,
}

impl From<RawPair> for Converted {
    fn from(raw: RawPair) -> Self {
        // The user id is the second capture, whatever the route calls the first.
        let _ = raw.a;
        Converted { user_id: raw.b }
    }
}

#[authorized(path_param = "user_id")]
async fn converted(Path(params): Path<Converted>) -> String {
    params.user_id
}

/// A hand-written `Deserialize` that reads the user id from the capture `{account}`.
struct HandWritten {
    user_id: String,
}

impl<'de> Deserialize<'de> for HandWritten {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Captures {
            account: String,
        }
        let captures = Captures::deserialize(deserializer)?;
        Ok(HandWritten {
            user_id: captures.account,
        })
    }
}

#[authorized(path_param = "user_id")]
async fn hand_written(Path(params): Path<HandWritten>) -> String {
    params.user_id
}

/// A tuple binds by position: the route's capture names play no part.
#[authorized(path_param = "user_id")]
async fn by_position(Path((user_id, other)): Path<(String, String)>) -> String {
    let _ = other;
    user_id
}

/// The struct pattern can bind the field under the name `path_param` gives.
#[derive(Deserialize)]
struct Account {
    account: String,
}

#[authorized(path_param = "user_id")]
async fn rebound(Path(Account { account: user_id }): Path<Account>) -> String {
    user_id
}

/// A path whose other capture must be a number.
#[authorized(path_param = "user_id")]
async fn numbered(Path((user_id, id)): Path<(String, u64)>) -> String {
    let _ = id;
    user_id
}

fn app() -> Router {
    Router::new()
        // Without route_path!: it checks capture names, and these routes deliberately have
        // captures that differ from the field the handler reads.
        .route("/rename/{owner}/{user_id}", get(renamed))
        .route("/camel/{userId}/{user_id}", get(camel))
        .route("/users/{userId}/tasks", get(camel))
        .route("/alias/{uid}", get(aliased))
        .route("/from/{a}/{b}", get(converted))
        .route("/hand/{account}/{user_id}", get(hand_written))
        .route("/swapped/{other}/{user_id}", get(by_position))
        .route("/rebound/{account}", get(rebound))
        .route(
            route_path!("/numbered/{user_id}/{id}", numbered),
            get(numbered),
        )
        // route_path! still checks what it can see.
        .route(
            route_path!("/ordered/{user_id}/{other}", by_position),
            get(by_position),
        )
        .layer(testing::auth().layer())
}

/// The owner's request reaches the handler, which reads the owner; the same path with another
/// user's token is refused with 403.
async fn owner_only(addr: std::net::SocketAddr, path: &str, owner: &str, other: &str) {
    let response = fetch(path)
        .bearer(&token_for(owner).sign())
        .send(addr)
        .await;
    assert_eq!(
        (response.status, response.body.as_str()),
        (200, owner),
        "{path} with {owner}'s token"
    );
    let response = fetch(path)
        .bearer(&token_for(other).sign())
        .send(addr)
        .await;
    assert_eq!(response.status, 403, "{path} with {other}'s token");
    assert_eq!(
        response.detail(),
        "Not allowed to access another user's resources"
    );
}

#[tokio::test]
async fn serde_rename_decides_on_the_renamed_field() {
    let addr = serve(app()).await;
    // The capture named {user_id} is mallory: the handler reads {owner}, victim.
    owner_only(addr, "/rename/victim/mallory", "victim", "mallory").await;
}

#[tokio::test]
async fn serde_rename_all_decides_on_the_camel_case_capture() {
    let addr = serve(app()).await;
    owner_only(addr, "/camel/victim/mallory", "victim", "mallory").await;
}

#[tokio::test]
async fn a_camel_case_route_is_protected_through_a_snake_case_field() {
    let addr = serve(app()).await;
    owner_only(addr, "/users/alice/tasks", "alice", "bob").await;
}

#[tokio::test]
async fn serde_alias_decides_on_the_aliased_capture() {
    let addr = serve(app()).await;
    owner_only(addr, "/alias/alice", "alice", "bob").await;
}

#[tokio::test]
async fn serde_from_decides_on_the_converted_value() {
    let addr = serve(app()).await;
    owner_only(addr, "/from/mallory/victim", "victim", "mallory").await;
}

#[tokio::test]
async fn a_hand_written_deserialize_decides_on_what_it_returns() {
    let addr = serve(app()).await;
    owner_only(addr, "/hand/victim/mallory", "victim", "mallory").await;
}

#[tokio::test]
async fn a_tuple_decides_by_position_not_by_capture_name() {
    let addr = serve(app()).await;
    // The route calls its second capture {user_id}, the handler binds the first.
    owner_only(addr, "/swapped/victim/mallory", "victim", "mallory").await;
    owner_only(addr, "/ordered/alice/mallory", "alice", "mallory").await;
}

#[tokio::test]
async fn a_struct_pattern_decides_on_the_field_it_binds() {
    let addr = serve(app()).await;
    owner_only(addr, "/rebound/alice", "alice", "bob").await;
}

#[tokio::test]
async fn a_path_that_does_not_deserialize_is_400_after_the_token() {
    let addr = serve(app()).await;
    let alice = token_for("alice").sign();
    // A capture that is not UTF-8 names no user: 400 (what the handler's own Path answers),
    // never the handler, never a 5xx.
    for path in ["/users/%FF/tasks", "/alias/%C3"] {
        let response = fetch(path).bearer(&alice).send(addr).await;
        assert_eq!(response.status, 400, "{path}: {}", response.body);
        assert_eq!(response.detail(), "Invalid path");
        // The token is decided first.
        assert_eq!(fetch(path).send(addr).await.status, 401, "{path}");
    }
    // The owner's path with a task id that is not a number: 400, as the handler's Path<(String,
    // u64)> would answer; another user's token on the same path gets the same 400 (no user id
    // can be read from a path that does not deserialize), and on a well-formed path a 403.
    for token in [&alice, &token_for("bob").sign()] {
        let response = fetch("/numbered/alice/seven")
            .bearer(token)
            .send(addr)
            .await;
        assert_eq!(response.status, 400, "{}", response.body);
    }
    owner_only(addr, "/numbered/alice/7", "alice", "bob").await;
}
