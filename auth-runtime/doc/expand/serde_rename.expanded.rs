use auth_runtime::authorized;
use axum::extract::Path;
use serde::Deserialize;
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserPath {
    user_id: String,
}
#[doc(hidden)]
#[allow(non_camel_case_types)]
struct list_tasks {}
impl ::auth_runtime::route::AuthorizedRoute for list_tasks {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::Some(::auth_runtime::__private::RouteCheck {
        param: "user_id",
        position: ::core::option::Option::None,
        missing_capture: "route_path!: the route does not capture `{user_id}`, which #[authorized] on `list_tasks` compares with the token's user id",
        wrong_position: "",
    });
}
impl ::auth_runtime::__private::AuthorizedHandler<UserPath> for list_tasks {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::owner(
        "user_id",
    );
    fn path_value<'path>(path: &'path UserPath) -> &'path str {
        let path: &UserPath = path;
        ::auth_runtime::UserIdParam::as_user_id(&path.user_id)
    }
}
async fn list_tasks(
    _: ::auth_runtime::__private::Authorized<list_tasks, UserPath>,
    Path(path): Path<UserPath>,
) -> String {
    format!("tasks of {}", path.user_id)
}
