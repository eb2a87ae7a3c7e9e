use auth_runtime::authorized;
use axum::Json;
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct list_users {}
impl ::auth_runtime::route::AuthorizedRoute for list_users {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::None;
}
impl ::auth_runtime::__private::AuthorizedHandler<()> for list_users {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::any_role(
        &["admin"],
    );
}
/// Every user's task count: admins only, whatever the path.
pub async fn list_users(
    _: ::auth_runtime::__private::Authorized<list_users>,
) -> Json<Vec<String>> {
    Json(vec![])
}
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct support_queue {}
impl ::auth_runtime::route::AuthorizedRoute for support_queue {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::None;
}
impl ::auth_runtime::__private::AuthorizedHandler<()> for support_queue {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::any_role(
        &["admin", "support"],
    );
}
/// Any of several roles.
pub async fn support_queue(
    _: ::auth_runtime::__private::Authorized<support_queue>,
) -> &'static str {
    "the queue"
}
