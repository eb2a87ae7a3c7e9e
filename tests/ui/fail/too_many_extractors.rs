#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;
use axum::http::{HeaderMap, Method, Uri, Version};

#[authorized(path_param = "user_id")]
async fn handler(
    Path(user_id): Path<String>,
    a: HeaderMap, b: HeaderMap, c: HeaderMap, d: HeaderMap, e: HeaderMap,
    f: Method, g: Method, h: Method, i: Method, j: Method,
    k: Uri, l: Uri, m: Uri, n: Uri,
    o: Version,
) {}

fn main() {}
