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
//! - Bounded in bytes (see [`DEFAULT_TOKEN_CACHE_MAX_BYTES`]); 0 turns it off. Each entry
//!   weighs what it holds on the heap, every allocation counted as the allocator rounds it
//!   (header, 16-byte steps, 32 bytes at least): the token, its decoded payload (counted twice:
//!   the `sub`, `iss` and `aud` a handler may ask for are copied out of it later), the user id,
//!   each role and scope and their lists, and the entry's own blocks and slot. A user who makes
//!   their token large (Better Auth puts the whole user object in it, `name` and `image`
//!   included) or splits it into many small values (at most
//!   [`MAX_CLAIM_VALUES`](crate::limits::MAX_CLAIM_VALUES) roles or scopes) fills the cache faster,
//!   not further.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use quick_cache::Equivalent;
use quick_cache::sync::Cache;

#[cfg(feature = "jwks")]
use crate::jwk::PublicKey;
use crate::verified::{VerifiedToken, heap_block};

/// The default bound of the cache, in bytes: 16 MiB. About 9,000 stock Better Auth tokens
/// (a 600-byte token weighs about 1.8 KiB), or about 800 tokens of the largest size accepted
/// ([`MAX_TOKEN_LEN`](crate::limits::MAX_TOKEN_LEN), about 20 KiB each).
pub const DEFAULT_TOKEN_CACHE_MAX_BYTES: usize = 16 * 1024 * 1024;

/// What an entry costs besides the bytes its token holds: the blocks of the two `Arc`s (the
/// entry and the verified token, counted from their sizes as the allocator rounds them), and
/// quick_cache's slot and index for it (key, value, hash and links: 96 bytes is above what
/// its shards hold per entry, their tables' spare capacity included).
const ENTRY_OVERHEAD: usize =
    heap_block(2 * std::mem::size_of::<usize>() + std::mem::size_of::<Entry>())
        + heap_block(2 * std::mem::size_of::<usize>() + std::mem::size_of::<VerifiedToken>())
        + 96;

/// A verified token and what verified it.
pub(crate) struct Entry {
    pub(crate) token: Arc<VerifiedToken>,
    pub(crate) verified_by: VerifiedBy,
    /// The entry's weight in bytes, computed once when it is inserted.
    weight: u64,
}

impl Entry {
    pub(crate) fn new(
        token_len: usize,
        token: Arc<VerifiedToken>,
        verified_by: VerifiedBy,
    ) -> Self {
        let kid = match &verified_by {
            VerifiedBy::Hs256 => 0,
            #[cfg(feature = "jwks")]
            VerifiedBy::Jwks { kid, .. } => heap_block(kid.len()),
        };
        // The key is a copy of the token, in a block of its own.
        let weight = heap_block(token_len) + token.max_heap_bytes() + kid + ENTRY_OVERHEAD;
        Entry {
            token,
            verified_by,
            weight: u64::try_from(weight).unwrap_or(u64::MAX),
        }
    }
}

/// Weighs an entry by the bytes it holds.
#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<TokenKey, Arc<Entry>> for ByBytes {
    fn weight(&self, _token: &TokenKey, entry: &Arc<Entry>) -> u64 {
        entry.weight
    }
}

/// The key source that verified a cached token.
pub(crate) enum VerifiedBy {
    /// The shared secret (its keys never change while the service runs).
    Hs256,
    /// The JWKS key `kid` named when the token was verified, and the generation of the key
    /// set last seen to publish it (a hit in that same set needs no lookup).
    #[cfg(feature = "jwks")]
    Jwks {
        kid: Box<str>,
        key: Arc<PublicKey>,
        generation: std::sync::atomic::AtomicU64,
    },
}

/// Verified tokens by their exact bytes.
pub(crate) struct TokenCache {
    entries: Cache<TokenKey, Arc<Entry>, ByBytes>,
}

/// How many of a token's last bytes its hash reads: its signature's, unique to the token and
/// beyond anyone's choosing without the key (a token is compared whole on every hit; the hash
/// only finds the slot, so a cheaper hash is not a weaker check).
const HASHED_SUFFIX: usize = 32;

/// What the hash of a token reads: its length and its last [`HASHED_SUFFIX`] bytes.
fn hash_token<H: Hasher>(token: &[u8], state: &mut H) {
    state.write_usize(token.len());
    state.write(&token[token.len().saturating_sub(HASHED_SUFFIX)..]);
}

/// A cached token's bytes.
#[derive(PartialEq, Eq)]
struct TokenKey(Box<[u8]>);

impl Hash for TokenKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_token(&self.0, state);
    }
}

/// A request's token, looked up as a [`TokenKey`].
struct Lookup<'a>(&'a [u8]);

impl Hash for Lookup<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_token(self.0, state);
    }
}

impl Equivalent<TokenKey> for Lookup<'_> {
    fn equivalent(&self, key: &TokenKey) -> bool {
        *self.0 == *key.0
    }
}

/// The weight of a stock Better Auth token's entry, to size quick_cache's index.
const TYPICAL_ENTRY_BYTES: usize = 1_800;

impl TokenCache {
    /// `None` for a bound of 0 bytes: no cache at all.
    pub(crate) fn new(max_bytes: usize) -> Option<Self> {
        (max_bytes > 0).then(|| TokenCache {
            entries: Cache::with_weighter(
                (max_bytes / TYPICAL_ENTRY_BYTES).max(1),
                u64::try_from(max_bytes).unwrap_or(u64::MAX),
                ByBytes,
            ),
        })
    }

    /// The entry of exactly these bytes: looked up before they are checked to be text, since
    /// only a token that passed every check was inserted.
    pub(crate) fn get(&self, token: &[u8]) -> Option<Arc<Entry>> {
        self.entries.get(&Lookup(token))
    }

    /// Keeps `entry` for `token`, evicting others to stay within the bound. An entry heavier
    /// than a shard of the cache is not kept.
    pub(crate) fn insert(&self, token: &[u8], entry: Entry) {
        self.entries.insert(TokenKey(token.into()), Arc::new(entry));
    }

    pub(crate) fn remove(&self, token: &[u8]) {
        self.entries.remove(&Lookup(token));
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The summed weight of the entries, in bytes.
    pub(crate) fn weight(&self) -> u64 {
        self.entries.weight()
    }
}
