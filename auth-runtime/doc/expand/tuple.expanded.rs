use auth_runtime::authorized;
use axum::extract::Path;
#[doc(hidden)]
#[allow(non_camel_case_types)]
struct get_task {}
impl ::auth_runtime::__private::AuthorizedHandler for get_task {
    const PATH_PARAM: &'static str = "user_id";
    const POSITION: ::core::option::Option<(usize, usize)> = ::core::option::Option::Some((
        0usize,
        2usize,
    ));
    const MISSING_CAPTURE: &'static str = "route_path!: the route does not capture `{user_id}`, which #[authorized] on `get_task` compares with the token's user id";
    const WRONG_POSITION: &'static str = "route_path!: `get_task` binds `user_id` as element 1 of its 2-element Path tuple, so the route must have 2 captures with `{user_id}` as capture 1";
}
const _: () = {
    #[allow(unused_variables, unused_mut, clippy::all)]
    fn __authorized_type_check() {
        ::auth_runtime::__private::require_user_id_param::<String>();
    }
};
async fn get_task(
    _: ::auth_runtime::__private::Authorized<get_task>,
    Path((user_id, id)): Path<(String, u64)>,
) -> String {
    format!("task {id} of {user_id}")
}
