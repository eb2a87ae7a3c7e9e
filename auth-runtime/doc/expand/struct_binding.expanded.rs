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
impl ::auth_runtime::__private::AuthorizedHandler for get_task {
    const PATH_PARAM: &'static str = "user_id";
    const POSITION: ::core::option::Option<(usize, usize)> = ::core::option::Option::None;
    const MISSING_CAPTURE: &'static str = "route_path!: the route does not capture `{user_id}`, which #[authorized] on `get_task` compares with the token's user id";
    const WRONG_POSITION: &'static str = "";
}
const _: () = {
    #[allow(unused_variables, unused_mut, clippy::all)]
    fn __authorized_type_check() {
        fn __check(value: &TaskPath) {
            ::auth_runtime::__private::require_user_id_value(&value.user_id);
        }
    }
};
async fn get_task(
    _: ::auth_runtime::__private::Authorized<get_task>,
    Path(path): Path<TaskPath>,
) -> String {
    format!("task {} of {}", path.id, path.user_id)
}
