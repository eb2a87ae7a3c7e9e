//! What the verifier tells operators: one tracing event per decision, and with the `metrics`
//! feature, counters, gauges and a histogram through the [`metrics`](https://docs.rs/metrics)
//! facade (the application installs the exporter; without one, recording is a no-op).
//!
//! Labels come from fixed sets of `&'static str` (the codes of [`AuthError`] and
//! [`TokenError`](crate::TokenError), the outcomes below, the JOSE algorithm names): never a
//! user id, a kid, a path or a token. The README's "Metrics" table is the list of names.

use crate::alg::Alg;
use crate::error::AuthError;
use crate::rule::Rule;

/// The names of the metrics recorded with the `metrics` feature: the README's "Metrics" table
/// says what each counts and its labels.
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod names {
    /// `auth_requests_total{outcome, reason}`.
    pub const REQUESTS_TOTAL: &str = "auth_requests_total";
    /// `auth_token_cache_hits_total`.
    pub const TOKEN_CACHE_HITS_TOTAL: &str = "auth_token_cache_hits_total";
    /// `auth_token_cache_misses_total`.
    pub const TOKEN_CACHE_MISSES_TOTAL: &str = "auth_token_cache_misses_total";
    /// `auth_token_cache_entries` (gauge).
    pub const TOKEN_CACHE_ENTRIES: &str = "auth_token_cache_entries";
    /// `auth_jwks_fetches_total{result}`.
    pub const JWKS_FETCHES_TOTAL: &str = "auth_jwks_fetches_total";
    /// `auth_jwks_keys` (gauge).
    pub const JWKS_KEYS: &str = "auth_jwks_keys";
    /// `auth_jwks_last_success_timestamp_seconds` (gauge).
    pub const JWKS_LAST_SUCCESS: &str = "auth_jwks_last_success_timestamp_seconds";
    /// `auth_verify_seconds{alg}` (histogram).
    pub const VERIFY_SECONDS: &str = "auth_verify_seconds";
}

#[cfg(all(feature = "metrics", feature = "jwks"))]
use names::{JWKS_FETCHES_TOTAL, JWKS_KEYS, JWKS_LAST_SUCCESS};

/// How a request was decided: the `outcome` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Allowed,
    Unauthenticated,
    Forbidden,
    BadPath,
    Unavailable,
    Error,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Unauthenticated => "unauthenticated",
            Outcome::Forbidden => "forbidden",
            Outcome::BadPath => "bad_path",
            Outcome::Unavailable => "unavailable",
            Outcome::Error => "error",
        }
    }

    /// The outcome of a refusal follows from its status (see [`AuthError`]'s table).
    fn of(error: &AuthError) -> Outcome {
        match error.status().as_u16() {
            401 => Outcome::Unauthenticated,
            403 => Outcome::Forbidden,
            400 => Outcome::BadPath,
            503 => Outcome::Unavailable,
            _ => Outcome::Error,
        }
    }
}

/// Records that `rule` admitted a request, for `reason` (`owner`, `claim`, `role`, `scope`,
/// `authenticated`, `anonymous`).
pub(crate) fn allowed(rule: &Rule<'_>, reason: &'static str, alg: Option<&str>) {
    record(Outcome::Allowed, reason, alg, rule);
}

/// Records a refusal.
pub(crate) fn refused(rule: &Rule<'_>, error: &AuthError, alg: Option<&str>) {
    record(Outcome::of(error), error.code(), alg, rule);
}

fn record(outcome: Outcome, reason: &'static str, alg: Option<&str>, rule: &Rule<'_>) {
    // Quiet by default (DEBUG), under its own target: `RUST_LOG=auth_runtime::decision=debug`.
    // The fields are formatted only when the event is enabled.
    tracing::debug!(
        target: "auth_runtime::decision",
        outcome = outcome.label(),
        reason,
        alg = alg.unwrap_or("none"),
        rule = %rule,
        "authorization decision"
    );
    #[cfg(feature = "metrics")]
    handles::count_request(outcome, reason);
}

/// The counters recorded on every request (and the cache gauge and verification histograms),
/// registered once (at the first request) instead of
/// looked up by name and labels each time: the recorder must be installed before the first
/// request, as every `metrics` exporter asks.
#[cfg(feature = "metrics")]
mod handles {
    use std::sync::OnceLock;

    use metrics::{Counter, Gauge, Histogram};

    use super::Outcome;
    use super::names::{
        REQUESTS_TOTAL, TOKEN_CACHE_ENTRIES, TOKEN_CACHE_HITS_TOTAL, TOKEN_CACHE_MISSES_TOTAL,
        VERIFY_SECONDS,
    };
    use crate::alg::Alg;

    /// Every reason a decision can give (each belongs to one outcome).
    const REASONS: [&str; 37] = [
        "owner",
        "claim",
        "role",
        "scope",
        "authenticated",
        "anonymous",
        "missing_token",
        "malformed",
        "too_long",
        "algorithm",
        "type",
        "critical_header",
        "unknown_key",
        "bad_signature",
        "missing_exp",
        "expired",
        "not_yet_valid",
        "invalid_claim",
        "duplicate_claim",
        "issuer",
        "audience",
        "missing_user_id",
        "invalid_user_id",
        "custom_claims",
        "not_access_token",
        "id_token",
        "key_bound",
        "missing_client_id",
        "too_many_values",
        "not_owner",
        "missing_role",
        "missing_scope",
        "claim_mismatch",
        "invalid_path",
        "keys_unavailable",
        "not_configured",
        "route_misconfigured",
    ];

    static REQUESTS: [OnceLock<Counter>; REASONS.len()] =
        [const { OnceLock::new() }; REASONS.len()];

    pub(super) fn count_request(outcome: Outcome, reason: &'static str) {
        let register =
            || metrics::counter!(REQUESTS_TOTAL, "outcome" => outcome.label(), "reason" => reason);
        match REASONS.iter().position(|known| *known == reason) {
            Some(index) => REQUESTS[index].get_or_init(register).increment(1),
            // A reason added to the code but not to the list: still counted, the slow way.
            None => register().increment(1),
        }
    }

    pub(super) fn cache(hit: bool) -> &'static Counter {
        static HITS: OnceLock<Counter> = OnceLock::new();
        static MISSES: OnceLock<Counter> = OnceLock::new();
        if hit {
            HITS.get_or_init(|| metrics::counter!(TOKEN_CACHE_HITS_TOTAL))
        } else {
            MISSES.get_or_init(|| metrics::counter!(TOKEN_CACHE_MISSES_TOTAL))
        }
    }

    pub(super) fn cache_entries() -> &'static Gauge {
        static ENTRIES: OnceLock<Gauge> = OnceLock::new();
        ENTRIES.get_or_init(|| metrics::gauge!(TOKEN_CACHE_ENTRIES))
    }

    /// The histogram of one algorithm (timed on every first-seen verification, and on every
    /// verification when the token cache is off).
    pub(super) fn verify_seconds(alg: Alg) -> &'static Histogram {
        static BY_ALG: [OnceLock<Histogram>; Alg::ALL.len()] =
            [const { OnceLock::new() }; Alg::ALL.len()];
        BY_ALG[alg as usize]
            .get_or_init(|| metrics::histogram!(VERIFY_SECONDS, "alg" => alg.name()))
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::error::{AuthError, TokenError};

        #[test]
        fn every_algorithm_has_its_histogram_slot() {
            for (index, alg) in Alg::ALL.iter().enumerate() {
                assert_eq!(*alg as usize, index, "{}", alg.name());
            }
        }

        /// Every code an `AuthError` can have is in the list (a new variant added without it
        /// would be counted the slow way).
        #[test]
        fn every_reason_is_listed() {
            let token_errors = [
                TokenError::TooLong,
                TokenError::Malformed,
                TokenError::UnsupportedAlgorithm,
                TokenError::UnsupportedType,
                TokenError::CriticalHeader,
                TokenError::UnknownKey,
                TokenError::BadSignature,
                TokenError::MissingExpiry,
                TokenError::Expired,
                TokenError::NotYetValid,
                TokenError::InvalidClaim("exp"),
                TokenError::DuplicateClaim,
                TokenError::WrongIssuer,
                TokenError::WrongAudience,
                TokenError::MissingUserId,
                TokenError::InvalidUserId,
                TokenError::CustomClaims,
                TokenError::NotAccessToken,
                TokenError::IdToken,
                TokenError::KeyBound,
                TokenError::MissingClientId,
                TokenError::TooManyValues("role"),
            ];
            let errors = token_errors.into_iter().map(AuthError::from).chain([
                AuthError::MissingToken,
                AuthError::Forbidden,
                AuthError::MissingRole,
                AuthError::ClaimMismatch,
                AuthError::NotConfigured,
                AuthError::KeysUnavailable,
                AuthError::InvalidPath,
                AuthError::RouteMisconfigured,
            ]);
            for error in errors {
                assert!(REASONS.contains(&error.code()), "{}", error.code());
            }
        }
    }
}

/// A lookup in the cache of verified tokens.
#[inline]
pub(crate) fn cache_lookup(hit: bool) {
    #[cfg(feature = "metrics")]
    handles::cache(hit).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = hit;
}

/// The number of tokens the cache holds after a change.
#[inline]
pub(crate) fn cache_entries(entries: usize) {
    #[cfg(feature = "metrics")]
    handles::cache_entries().set(entries as f64);
    #[cfg(not(feature = "metrics"))]
    let _ = entries;
}

/// The time of a first-seen verification (the signature with its key, then the claims; not
/// the wait for a JWKS fetch), per algorithm.
pub(crate) struct VerifyTimer {
    #[cfg(feature = "metrics")]
    started: std::time::Instant,
}

impl VerifyTimer {
    #[inline]
    pub(crate) fn start() -> VerifyTimer {
        VerifyTimer {
            #[cfg(feature = "metrics")]
            started: std::time::Instant::now(),
        }
    }

    /// Records the time since [`start`](Self::start) for a token signed with `alg`.
    #[inline]
    pub(crate) fn stop(self, alg: Alg) {
        #[cfg(feature = "metrics")]
        handles::verify_seconds(alg).record(self.started.elapsed().as_secs_f64());
        #[cfg(not(feature = "metrics"))]
        let _ = alg;
    }
}

/// The `result` label of a JWKS fetch.
#[cfg(feature = "jwks")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FetchResult {
    /// Fetched and loaded.
    Ok,
    /// The server answered another status than 200.
    HttpStatus,
    /// No complete answer within the fetch timeout.
    Timeout,
    /// The connection failed (refused, DNS, TLS).
    Unreachable,
    /// An answer that is no usable key set (not JSON, too large, no usable key).
    Invalid,
}

#[cfg(all(feature = "jwks", feature = "metrics"))]
impl FetchResult {
    pub(crate) fn label(self) -> &'static str {
        match self {
            FetchResult::Ok => "ok",
            FetchResult::HttpStatus => "http_status",
            FetchResult::Timeout => "timeout",
            FetchResult::Unreachable => "unreachable",
            FetchResult::Invalid => "invalid",
        }
    }
}

/// A JWKS fetch, and on success how many keys the set holds now.
#[cfg(feature = "jwks")]
pub(crate) fn jwks_fetch(result: FetchResult, keys: Option<usize>) {
    #[cfg(feature = "metrics")]
    {
        metrics::counter!(JWKS_FETCHES_TOTAL, "result" => result.label()).increment(1);
        if let Some(keys) = keys {
            metrics::gauge!(JWKS_KEYS).set(keys as f64);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |elapsed| elapsed.as_secs_f64());
            metrics::gauge!(JWKS_LAST_SUCCESS).set(now);
        }
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (result, keys);
}
