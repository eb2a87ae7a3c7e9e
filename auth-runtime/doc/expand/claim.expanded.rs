use auth_runtime::authorized;
use axum::extract::Path;
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct list_invoices {}
impl ::auth_runtime::route::AuthorizedRoute for list_invoices {
    const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = ::core::option::Option::Some(::auth_runtime::__private::RouteCheck {
        param: "org_id",
        position: ::core::option::Option::Some((0usize, 2usize)),
        missing_capture: "route_path!: the route does not capture `{org_id}`, which #[authorized] on `list_invoices` compares with the token's `activeOrganizationId` claim",
        wrong_position: "route_path!: `list_invoices` binds `org_id` as element 1 of its 2-element Path tuple, so the route must have 2 captures with `{org_id}` as capture 1",
    });
}
impl ::auth_runtime::__private::AuthorizedHandler<(String, u16)> for list_invoices {
    const RULE: ::auth_runtime::__private::Rule<'static> = ::auth_runtime::__private::Rule::claim(
        "org_id",
        "activeOrganizationId",
    );
    fn path_value<'path>(path: &'path (String, u16)) -> &'path str {
        let path: &(String, u16) = path;
        <String as ::auth_runtime::UserIdParam>::as_user_id(&path.0)
    }
}
/// An organisation's invoices: for a token whose `activeOrganizationId` claim is the `org_id`
/// of the path (or, for an array claim, contains it).
pub async fn list_invoices(
    _: ::auth_runtime::__private::Authorized<list_invoices, (String, u16)>,
    Path((org_id, year)): Path<(String, u16)>,
) -> String {
    format!("invoices of {org_id} in {year}")
}
