use auth_runtime::{Claims, authorized};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub(crate) struct create_task {}
impl ::auth_runtime::__private::AuthorizedHandler for create_task {
    const PATH_PARAM: &'static str = "user_id";
    const POSITION: ::core::option::Option<(usize, usize)> = ::core::option::Option::None;
    const MISSING_CAPTURE: &'static str = "route_path!: the route does not capture `{user_id}`, which #[authorized] on `create_task` compares with the token's user id";
    const WRONG_POSITION: &'static str = "";
}
const _: () = {
    #[allow(unused_variables, unused_mut, clippy::all)]
    fn __authorized_type_check() {
        ::auth_runtime::__private::require_user_id_param::<String>();
    }
};
pub(crate) async fn create_task(
    _: ::auth_runtime::__private::Authorized<create_task>,
    State(store): State<Store>,
    Path(user_id): Path<String>,
    claims: Claims,
    Json(task): Json<NewTask>,
) -> Result<(StatusCode, Json<Task>), StatusCode> {
    let task = store.insert(&user_id, task).await?;
    Ok((StatusCode::CREATED, Json(task)))
}
