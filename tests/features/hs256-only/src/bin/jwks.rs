//! JWKS mode without the `jwks` feature: a compile error that names the feature.

use auth_runtime::{Auth, Jwks};

fn main() {
    let _ = Auth::builder()
        .jwks(Jwks::better_auth("http://localhost:3000"))
        .build();
}
