//! Shared by the fuzz targets: one runtime and one `Auth` per process.

use std::sync::OnceLock;

/// A current-thread runtime and an `Auth` that trusts `testing::TEST_SECRET`.
pub fn setup() -> &'static (tokio::runtime::Runtime, auth_runtime::Auth) {
    static SETUP: OnceLock<(tokio::runtime::Runtime, auth_runtime::Auth)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        (rt, auth_runtime::testing::auth())
    })
}
