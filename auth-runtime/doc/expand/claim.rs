use auth_runtime::authorized;
use axum::extract::Path;

/// An organisation's invoices: for a token whose `activeOrganizationId` claim is the `org_id`
/// of the path (or, for an array claim, contains it).
#[authorized(path_param = "org_id", claim = "activeOrganizationId")]
pub async fn list_invoices(Path((org_id, year)): Path<(String, u16)>) -> String {
    format!("invoices of {org_id} in {year}")
}
