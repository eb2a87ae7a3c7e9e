use auth_runtime::{Claims, authorized};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub(crate) struct create_task {}
impl ::auth_runtime::route::AuthorizedRoute for create_task {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::Some(::auth_runtime::__private::RouteCheck {
        param: "user_id",
        position: ::core::option::Option::None,
        missing_capture: "route_path!: the route does not capture `{user_id}`, which #[authorized] on `create_task` compares with the token's user id",
        wrong_position: "",
    });
}
impl ::auth_runtime::__private::AuthorizedHandler<String> for create_task {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::owner(
        "user_id",
    );
    fn path_value<'path>(path: &'path String) -> &'path str {
        let path: &String = path;
        <String as ::auth_runtime::UserIdParam>::as_user_id(path)
    }
}
pub(crate) async fn create_task(
    _: ::auth_runtime::__private::Authorized<create_task, String>,
    State(store): State<Store>,
    Path(user_id): Path<String>,
    claims: Claims,
    Json(task): Json<NewTask>,
) -> Result<(StatusCode, Json<Task>), StatusCode> {
    let task = store.insert(&user_id, task).await?;
    Ok((StatusCode::CREATED, Json(task)))
}
