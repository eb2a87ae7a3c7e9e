//! Which algorithms a token may name: the one place to add one (then give it a key type in
//! `jwks/keys.rs`).
//!
//! HS256 is verified only with the shared secret (`hs256.rs`), every other algorithm only with
//! a JWKS key bound to it (`jwks/keys.rs`). Any other `alg` is refused before a key is looked at.

/// The algorithms a token may name. Anything else is refused before any key is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    Hs256,
    EdDsa,
    Es256,
    Es384,
    Es512,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
}

impl Alg {
    /// Every algorithm, in declaration order (`alg as usize` is its index).
    #[cfg(feature = "metrics")]
    pub(crate) const ALL: [Alg; 11] = [
        Alg::Hs256,
        Alg::EdDsa,
        Alg::Es256,
        Alg::Es384,
        Alg::Es512,
        Alg::Rs256,
        Alg::Rs384,
        Alg::Rs512,
        Alg::Ps256,
        Alg::Ps384,
        Alg::Ps512,
    ];

    /// The JOSE name, compared exactly (RFC 7515 §4.1.1: case-sensitive).
    pub(crate) fn from_name(name: &str) -> Option<Alg> {
        Some(match name {
            "HS256" => Alg::Hs256,
            "EdDSA" => Alg::EdDsa,
            "ES256" => Alg::Es256,
            "ES384" => Alg::Es384,
            "ES512" => Alg::Es512,
            "RS256" => Alg::Rs256,
            "RS384" => Alg::Rs384,
            "RS512" => Alg::Rs512,
            "PS256" => Alg::Ps256,
            "PS384" => Alg::Ps384,
            "PS512" => Alg::Ps512,
            _ => return None,
        })
    }

    /// The JOSE name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::EdDsa => "EdDSA",
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::Es512 => "ES512",
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Ps256 => "PS256",
            Alg::Ps384 => "PS384",
            Alg::Ps512 => "PS512",
        }
    }
}
