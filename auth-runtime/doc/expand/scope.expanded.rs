use auth_runtime::authorized;
use axum::extract::Path;
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct stats {}
impl ::auth_runtime::route::AuthorizedRoute for stats {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::None;
}
impl ::auth_runtime::__private::AuthorizedHandler<()> for stats {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::all_scopes(
        &["tasks:stats"],
    );
}
/// An OAuth access token with the scope (a service's `client_credentials` token).
pub async fn stats(_: ::auth_runtime::__private::Authorized<stats>) -> &'static str {
    "counts"
}
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct import_tasks {}
impl ::auth_runtime::route::AuthorizedRoute for import_tasks {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::Some(::auth_runtime::__private::RouteCheck {
        param: "user_id",
        position: ::core::option::Option::None,
        missing_capture: "route_path!: the route does not capture `{user_id}`, which #[authorized] on `import_tasks` compares with the token's user id",
        wrong_position: "",
    });
}
impl ::auth_runtime::__private::AuthorizedHandler<String> for import_tasks {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::owner(
            "user_id",
        )
        .with_scopes(&["tasks:read", "tasks:write"]);
    fn path_value<'path>(path: &'path String) -> &'path str {
        let path: &String = path;
        <String as ::auth_runtime::UserIdParam>::as_user_id(path)
    }
}
/// The owner; a user-delegated access token also needs both scopes.
pub async fn import_tasks(
    _: ::auth_runtime::__private::Authorized<import_tasks, String>,
    Path(user_id): Path<String>,
) -> String {
    user_id
}
