//! The cache of verified tokens: a Better Auth token lives 15 minutes and a frontend sends the
//! same bytes with every call, so the signature is checked once per token, not once per
//! request.
//!
//! What it trusts and what it re-checks:
//! - The key is the whole token: a hit needs every byte to be equal (the hash only finds the
//!   slot). Only tokens that passed every check are inserted; a refused token never is.
//! - On every hit, `exp` and `nbf` are checked again against the clock with the source's
//!   leeway, and a JWKS token's key must still be the one the current key set publishes under
//!   its `kid` (the set is refetched when stale, as for any token). Otherwise the entry is
//!   dropped and the token verified afresh, which refuses it with the precise reason.
//! - Bounded by a number of entries (see [`DEFAULT_TOKEN_CACHE_CAPACITY`]); 0 turns it off.

use std::sync::Arc;

use quick_cache::sync::Cache;

use crate::jwks::PublicKey;
use crate::verified::VerifiedToken;

/// The default number of verified tokens kept: one per active user of a busy service over a
/// token's 15-minute life. About 1.4 KiB each for a stock Better Auth token (the token, its
/// decoded payload and the entry: 1,363 bytes measured for a 599-byte token), so about 13 MiB
/// when full.
pub const DEFAULT_TOKEN_CACHE_CAPACITY: usize = 10_000;

/// A verified token and what verified it.
pub(crate) struct Entry {
    pub(crate) token: Arc<VerifiedToken>,
    pub(crate) verified_by: VerifiedBy,
}

/// The key source that verified a cached token.
pub(crate) enum VerifiedBy {
    /// The shared secret (its keys never change while the service runs).
    Hs256,
    /// The JWKS key `kid` named when the token was verified.
    Jwks { kid: Box<str>, key: Arc<PublicKey> },
}

/// Verified tokens by their exact bytes.
pub(crate) struct TokenCache {
    entries: Cache<Box<str>, Arc<Entry>>,
}

impl TokenCache {
    /// `None` for a capacity of 0: no cache at all.
    pub(crate) fn new(capacity: usize) -> Option<Self> {
        (capacity > 0).then(|| TokenCache {
            entries: Cache::new(capacity),
        })
    }

    pub(crate) fn get(&self, token: &str) -> Option<Arc<Entry>> {
        self.entries.get(token)
    }

    pub(crate) fn insert(&self, token: &str, entry: Entry) {
        self.entries.insert(token.into(), Arc::new(entry));
    }

    pub(crate) fn remove(&self, token: &str) {
        self.entries.remove(token);
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
