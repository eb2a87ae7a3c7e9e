use auth_runtime::authorized;
#[doc(hidden)]
#[allow(non_camel_case_types)]
struct list_users {}
impl ::auth_runtime::AuthorizedRoute for list_users {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::None;
}
impl ::auth_runtime::__private::RoleHandler for list_users {
    const ROLES: &'static [&'static str] = &["admin", "support"];
}
/// A role, documented, with no `responses(...)` of its own.
#[utoipa::path(
    get,
    path = "/api/admin/users",
    responses(list_users),
    security(("bearer" = ["admin", "support"]))
)]
async fn list_users(_: ::auth_runtime::__private::RoleRequired<list_users>) -> String {
    "every user".to_owned()
}
impl ::auth_runtime::__private::utoipa::IntoResponses for list_users {
    fn responses() -> ::auth_runtime::__private::UtoipaResponses {
        ::auth_runtime::__private::utoipa_role_responses::<list_users>()
    }
}
