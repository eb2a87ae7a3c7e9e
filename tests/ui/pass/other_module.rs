//! A handler in another module, named by path in route_path! and in the router.
#![deny(warnings)] // the expansion must not add warnings
use axum::Router;
use axum::routing::get;

mod handlers {
    use auth_runtime::authorized;
    use axum::extract::Path;

    #[authorized(path_param = "user_id")]
    pub async fn list_tasks(Path(user_id): Path<String>) -> String {
        user_id
    }

    pub mod nested {
        #[auth_runtime::authorized(path_param = "user_id")]
        pub async fn list_notes(axum::extract::Path(user_id): axum::extract::Path<String>) -> String {
            user_id
        }
    }
}

fn main() {
    let _app: Router = Router::new()
        .route(
            auth_runtime::route_path!("/api/{user_id}/tasks", handlers::list_tasks),
            get(handlers::list_tasks),
        )
        .route(
            auth_runtime::route_path!("/api/{user_id}/notes", handlers::nested::list_notes),
            get(handlers::nested::list_notes),
        );
}
