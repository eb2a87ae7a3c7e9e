use auth_runtime::authorized;
use axum::extract::Path;
use serde::Deserialize;
#[derive(Deserialize)]
struct TaskPath {
    user_id: String,
    id: u64,
}
#[doc(hidden)]
#[allow(non_camel_case_types)]
struct get_task {}
impl ::auth_runtime::route::AuthorizedRoute for get_task {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::Some(::auth_runtime::__private::RouteCheck {
        param: "user_id",
        position: ::core::option::Option::None,
        missing_capture: "route_path!: the route does not capture `{user_id}`, which #[authorized] on `get_task` compares with the token's user id",
        wrong_position: "",
    });
}
impl ::auth_runtime::__private::AuthorizedHandler<TaskPath> for get_task {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::owner(
        "user_id",
    );
    fn path_value<'path>(path: &'path TaskPath) -> &'path str {
        let path: &TaskPath = path;
        ::auth_runtime::UserIdParam::as_user_id(&path.user_id)
    }
}
async fn get_task(
    _: ::auth_runtime::__private::Authorized<get_task, TaskPath>,
    Path(path): Path<TaskPath>,
) -> String {
    format!("task {} of {}", path.id, path.user_id)
}
