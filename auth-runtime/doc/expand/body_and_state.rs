use auth_runtime::{Claims, authorized};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

#[authorized(path_param = "user_id")]
pub(crate) async fn create_task(
    State(store): State<Store>,
    Path(user_id): Path<String>,
    claims: Claims,
    Json(task): Json<NewTask>,
) -> Result<(StatusCode, Json<Task>), StatusCode> {
    let task = store.insert(&user_id, task).await?;
    Ok((StatusCode::CREATED, Json(task)))
}
