use auth_runtime::authorized;
use axum::Json;
use axum::extract::Path;
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct list_tasks {}
impl ::auth_runtime::route::AuthorizedRoute for list_tasks {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::Some(::auth_runtime::__private::RouteCheck {
        param: "user_id",
        position: ::core::option::Option::None,
        missing_capture: "route_path!: the route does not capture `{user_id}`, which #[authorized] on `list_tasks` compares with the token's user id",
        wrong_position: "",
    });
}
impl ::auth_runtime::__private::AuthorizedHandler<String> for list_tasks {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::owner(
            "user_id",
        )
        .or_role(&["admin"]);
    fn path_value<'path>(path: &'path String) -> &'path str {
        let path: &String = path;
        <String as ::auth_runtime::UserIdParam>::as_user_id(path)
    }
}
/// The user's tasks: for their owner, or for an admin.
pub async fn list_tasks(
    _: ::auth_runtime::__private::Authorized<list_tasks, String>,
    Path(user_id): Path<String>,
) -> Json<Vec<String>> {
    Json(vec![format!("a task of {user_id}")])
}
