use auth_runtime::authorized;
use axum::extract::Path;
#[doc(hidden)]
#[allow(non_camel_case_types)]
struct get_task {}
impl ::auth_runtime::route::AuthorizedRoute for get_task {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::Some(::auth_runtime::__private::RouteCheck {
        param: "user_id",
        position: ::core::option::Option::Some((0usize, 2usize)),
        missing_capture: "route_path!: the route does not capture `{user_id}`, which #[authorized] on `get_task` compares with the token's user id",
        wrong_position: "route_path!: `get_task` binds `user_id` as element 1 of its 2-element Path tuple, so the route must have 2 captures with `{user_id}` as capture 1",
    });
}
impl ::auth_runtime::__private::AuthorizedHandler<(String, u64)> for get_task {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::owner(
        "user_id",
    );
    fn path_value<'path>(path: &'path (String, u64)) -> &'path str {
        let path: &(String, u64) = path;
        <String as ::auth_runtime::UserIdParam>::as_user_id(&path.0)
    }
}
async fn get_task(
    _: ::auth_runtime::__private::Authorized<get_task, (String, u64)>,
    Path((user_id, id)): Path<(String, u64)>,
) -> String {
    format!("task {id} of {user_id}")
}
