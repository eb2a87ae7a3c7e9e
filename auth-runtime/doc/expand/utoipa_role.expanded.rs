use auth_runtime::authorized;
#[doc(hidden)]
#[allow(non_camel_case_types)]
struct list_users {}
impl ::auth_runtime::route::AuthorizedRoute for list_users {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::None;
}
impl ::auth_runtime::__private::AuthorizedHandler<()> for list_users {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::any_role(
        &["admin", "support"],
    );
}
/// A role, documented, with no `responses(...)` of its own.
#[utoipa::path(
    get,
    path = "/api/admin/users",
    responses(list_users),
    security(("bearer" = ["admin", "support"]))
)]
async fn list_users(_: ::auth_runtime::__private::Authorized<list_users>) -> String {
    "every user".to_owned()
}
impl ::auth_runtime::__private::utoipa::IntoResponses for list_users {
    fn responses() -> ::auth_runtime::__private::UtoipaResponses {
        ::auth_runtime::__private::utoipa_responses::<list_users, ()>()
    }
}
