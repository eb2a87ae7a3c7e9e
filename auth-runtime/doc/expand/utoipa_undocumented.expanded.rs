use auth_runtime::authorized;
use axum::extract::Path;
#[doc(hidden)]
#[allow(non_camel_case_types)]
struct list_tasks {}
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
    );
    fn path_value<'path>(path: &'path String) -> &'path str {
        let path: &String = path;
        <String as ::auth_runtime::UserIdParam>::as_user_id(path)
    }
}
/// With the `utoipa` feature, a handler without `#[utoipa::path]` below: the check that none
/// stands above.
async fn list_tasks(
    _: ::auth_runtime::__private::Authorized<list_tasks, String>,
    Path(user_id): Path<String>,
) -> String {
    user_id
}
#[doc(hidden)]
#[allow(non_snake_case)]
mod __authorized_list_tasks {
    #[allow(non_upper_case_globals)]
    pub const __path_list_tasks: u8 = 0;
}
#[allow(unused_imports)]
use __authorized_list_tasks::*;
const _: () = if ::core::mem::size_of_val(&__path_list_tasks) == 0 {
    ::core::panic!(
        "`#[utoipa::path]` stands above `#[authorized]` on `list_tasks`, so utoipa documented it without its bearer security and 401/403 answers: swap the two attributes, #[authorized(...)] first"
    );
};
