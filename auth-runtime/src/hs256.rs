//! The HS256 key source: a shared secret (Better Auth's `BETTER_AUTH_SECRET`), and a previous
//! one during a rotation. Only HS256 tokens reach it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::alg::Alg;
use crate::claims::ClaimPolicy;
use crate::error::TokenError;
use crate::jws::Jws;
use crate::observe;
use crate::settings::{ConfigError, Setting, SourceClaims, check_secret, non_blank};
use crate::verified::VerifiedToken;
use crate::verified::verify_claims;

/// The HS256 key source: the shared secret, and the claims its tokens must carry.
///
/// ```
/// use auth_runtime::{Auth, Hs256};
///
/// # fn main() -> Result<(), auth_runtime::ConfigError> {
/// let auth = Auth::builder()
///     .hs256(
///         Hs256::secret("a-secret-of-at-least-32-characters-0123456789")
///             .issuer("http://localhost:3000")
///             .user_id_claim("sub"),
///     )
///     .build()?;
/// # let _ = auth; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Hs256 {
    secret: Setting<Vec<u8>>,
    previous: Vec<Setting<Vec<u8>>>,
    issuer: Option<Setting<String>>,
    audience: Option<Setting<String>>,
    user_id_claim: Option<Setting<String>>,
    role_claim: Option<Setting<String>>,
}

impl std::fmt::Debug for Hs256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hs256").finish_non_exhaustive()
    }
}

impl Hs256 {
    /// The secret, used as its raw bytes (for Better Auth: the UTF-8 bytes of
    /// `BETTER_AUTH_SECRET`, not base64-decoded). At least 32 bytes.
    pub fn secret(secret: impl AsRef<[u8]>) -> Self {
        Self::with_secret(Setting::new(secret.as_ref().to_vec(), "Hs256::secret"))
    }

    pub(crate) fn with_secret(secret: Setting<Vec<u8>>) -> Self {
        Hs256 {
            secret,
            previous: Vec::new(),
            issuer: None,
            audience: None,
            user_id_claim: None,
            role_claim: None,
        }
    }

    /// A previous secret that still verifies tokens, for a rotation without downtime.
    pub fn previous_secret(self, secret: impl AsRef<[u8]>) -> Self {
        self.previous_secret_from(Setting::new(
            secret.as_ref().to_vec(),
            "Hs256::previous_secret",
        ))
    }

    pub(crate) fn previous_secret_from(mut self, secret: Setting<Vec<u8>>) -> Self {
        self.previous.push(secret);
        self
    }

    /// Requires `iss` to be present and equal to `issuer`.
    pub fn issuer(self, issuer: impl Into<String>) -> Self {
        self.issuer_from(Setting::new(issuer.into(), "Hs256::issuer"))
    }

    pub(crate) fn issuer_from(mut self, issuer: Setting<String>) -> Self {
        self.issuer = Some(issuer);
        self
    }

    /// Requires `aud` to be present and to contain `audience`.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.audience_from(Setting::new(audience.into(), "Hs256::audience"))
    }

    pub(crate) fn audience_from(mut self, audience: Setting<String>) -> Self {
        self.audience = Some(audience);
        self
    }

    /// The claim that carries the user id (default `uid`).
    pub fn user_id_claim(self, claim: impl Into<String>) -> Self {
        self.user_id_claim_from(Setting::new(claim.into(), "Hs256::user_id_claim"))
    }

    pub(crate) fn user_id_claim_from(mut self, claim: Setting<String>) -> Self {
        self.user_id_claim = Some(claim);
        self
    }

    /// The claim that carries the roles `#[authorized(role = "…")]` checks (default `role`): a
    /// string of comma-separated roles or an array of strings.
    pub fn role_claim(self, claim: impl Into<String>) -> Self {
        self.role_claim_from(Setting::new(claim.into(), "Hs256::role_claim"))
    }

    pub(crate) fn role_claim_from(mut self, claim: Setting<String>) -> Self {
        self.role_claim = Some(claim);
        self
    }

    pub(crate) fn build(self, leeway: u64) -> Result<Hs256Source, ConfigError> {
        let mut keys = Vec::with_capacity(1 + self.previous.len());
        for secret in std::iter::once(self.secret).chain(self.previous) {
            check_secret(&secret.value, secret.from)?;
            keys.push(Hs256Key::new(&secret.value));
        }
        let claims = SourceClaims::new(self.user_id_claim, "uid", self.role_claim)?;
        let policy = ClaimPolicy {
            issuer: non_blank(self.issuer)?,
            audience: non_blank(self.audience)?,
            leeway,
            user_id_claim: claims.user_id,
            role_claim: claims.role,
            scope_implications: Box::default(),
            audience_is_resource: false,
        };
        Ok(Hs256Source { keys, policy })
    }
}

/// The prepared HS256 keys and their claim policy.
pub(crate) struct Hs256Source {
    keys: Vec<Hs256Key>,
    pub(crate) policy: ClaimPolicy,
}

impl Hs256Source {
    /// Verifies the signature of an HS256 JWS with any of the keys, then its claims.
    pub(crate) fn verify(&self, jws: &Jws<'_>, now: u64) -> Result<VerifiedToken, TokenError> {
        // Refused before any key is used (and before the verification is timed).
        if jws.access_token {
            return Err(TokenError::UnsupportedType);
        }
        let timer = observe::VerifyTimer::start();
        let verified =
            verify_signature(jws, &self.keys).and_then(|()| verify_claims(jws, &self.policy, now));
        timer.stop(jws.alg);
        verified
    }

    pub(crate) fn key_count(&self) -> usize {
        self.keys.len()
    }
}

/// A prepared HMAC-SHA256 key: the inner and outer pads are computed once, at start-up.
#[derive(Clone)]
pub(crate) struct Hs256Key(Hmac<Sha256>);

impl Hs256Key {
    pub(crate) fn new(secret: &[u8]) -> Self {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        match Hmac::<Sha256>::new_from_slice(secret) {
            Ok(mac) => Hs256Key(mac),
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    }

    fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        let mut mac = self.0.clone();
        mac.update(signing_input);
        // Constant-time comparison.
        mac.verify_slice(signature).is_ok()
    }
}

/// Verifies an HS256 signature against any of `keys`.
pub(crate) fn verify_signature(jws: &Jws<'_>, keys: &[Hs256Key]) -> Result<(), TokenError> {
    if jws.alg != Alg::Hs256 {
        return Err(TokenError::UnsupportedAlgorithm);
    }
    // OAuth access tokens are signed with the JWKS keys: an HS256 one is nothing Better Auth
    // issues.
    if jws.access_token {
        return Err(TokenError::UnsupportedType);
    }
    let mut signature = [0u8; 32];
    match URL_SAFE_NO_PAD.decode_slice(jws.signature_b64, &mut signature) {
        Ok(32) => {}
        _ => return Err(TokenError::BadSignature),
    }
    if keys
        .iter()
        .any(|key| key.verify(jws.signing_input.as_bytes(), &signature))
    {
        Ok(())
    } else {
        Err(TokenError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::*;

    #[test]
    fn signature() {
        let good = sign(&serde_json::json!({"uid": "a", "exp": NOW + 60}));
        let (input, sig) = good.rsplit_once('.').expect("three parts");
        let other = verify_hs256(
            &good,
            &[Hs256Key::new(b"another-secret-of-thirty-two-bytes!!")],
            &policy(),
            NOW,
        );
        assert_eq!(other.err(), Some(TokenError::BadSignature));
        let rotated = verify_hs256(
            &good,
            &[
                Hs256Key::new(b"another-secret-of-thirty-two-bytes!!"),
                Hs256Key::new(SECRET),
            ],
            &policy(),
            NOW,
        );
        assert!(rotated.is_ok(), "any configured key verifies");

        // The last character of a 43-character signature carries 2 unused bits: changing only
        // those gives a non-canonical encoding of the same bytes, which is refused.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let last = sig.as_bytes()[sig.len() - 1];
        let index = ALPHABET.iter().position(|&c| c == last).expect("base64url");
        let sibling = char::from(ALPHABET[(index & !3) | ((index + 1) & 3)]);
        let non_canonical = format!("{input}.{}{sibling}", &sig[..sig.len() - 1]);
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(good.rsplit_once('.').expect("jws").1)
                .ok(),
            base64::engine::GeneralPurpose::new(
                &base64::alphabet::URL_SAFE,
                base64::engine::GeneralPurposeConfig::new()
                    .with_encode_padding(false)
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
                    .with_decode_allow_trailing_bits(true),
            )
            .decode(non_canonical.rsplit_once('.').expect("jws").1)
            .ok(),
            "a lenient decoder reads the same signature bytes"
        );
        assert_eq!(check(&non_canonical).err(), Some(TokenError::BadSignature));

        // Every single-byte change is refused.
        for i in 0..good.len() {
            let mut bytes = good.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).expect("ascii");
            if tampered != good {
                assert!(check(&tampered).is_err(), "byte {i}");
            }
        }
    }
}
