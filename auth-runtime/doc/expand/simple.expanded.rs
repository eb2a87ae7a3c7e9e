use auth_runtime::authorized;
use axum::Json;
use axum::extract::Path;
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct list_tasks {}
impl ::auth_runtime::__private::AuthorizedHandler for list_tasks {
    const PATH_PARAM: &'static str = "user_id";
    const POSITION: ::core::option::Option<(usize, usize)> = ::core::option::Option::None;
    const MISSING_CAPTURE: &'static str = "route_path!: the route does not capture `{user_id}`, which #[authorized] on `list_tasks` compares with the token's user id";
    const WRONG_POSITION: &'static str = "";
}
const _: () = {
    #[allow(unused_variables, unused_mut, clippy::all)]
    fn __authorized_type_check() {
        ::auth_runtime::__private::require_user_id_param::<String>();
    }
};
/// The user's tasks.
pub async fn list_tasks(
    _: ::auth_runtime::__private::Authorized<list_tasks>,
    Path(user_id): Path<String>,
) -> Json<Vec<String>> {
    Json(vec![format!("a task of {user_id}")])
}
