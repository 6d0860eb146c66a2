//! Track-by-order tokens (`narvar-api.md` §4.2): lowercase hex HMAC-SHA256 with the retailer's
//! HMAC key. The epoch (Unix seconds) is passed in: the core reads no clock.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Lowercase hex HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    hex::encode(hmac_sha256(key, message))
}

/// Raw HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// `epoch_token`: HMAC of the epoch's decimal text.
///
/// ```
/// let t = narvar_core::tokens::epoch_token("key", 1_700_000_000);
/// assert_eq!(t.len(), 64);
/// ```
pub fn epoch_token(hmac_key: &str, epoch: u64) -> String {
    hmac_sha256_hex(hmac_key.as_bytes(), epoch.to_string().as_bytes())
}

/// `order_token`: HMAC of `order_number + ":" + epoch`.
pub fn order_token(hmac_key: &str, order_number: &str, epoch: u64) -> String {
    hmac_sha256_hex(hmac_key.as_bytes(), format!("{order_number}:{epoch}").as_bytes())
}

/// Whether a track-by-order request's `epoch_token` and `order_token` are the ones `hmac_key`
/// makes for `order_number` at `epoch` (compared in constant time). What a server (the sandbox)
/// checks; the epoch's freshness is the server's own rule.
///
/// ```
/// use narvar_core::tokens::{epoch_token, order_token, tokens_match};
/// let (e, o) = (epoch_token("hk", 1700000000), order_token("hk", "1001", 1700000000));
/// assert!(tokens_match("hk", "1001", 1700000000, &e, &o));
/// assert!(!tokens_match("hk", "1002", 1700000000, &e, &o));
/// ```
pub fn tokens_match(hmac_key: &str, order_number: &str, epoch: u64, given_epoch_token: &str, given_order_token: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    let epoch_ok = epoch_token(hmac_key, epoch).as_bytes().ct_eq(given_epoch_token.as_bytes());
    let order_ok = order_token(hmac_key, order_number, epoch).as_bytes().ct_eq(given_order_token.as_bytes());
    bool::from(epoch_ok & order_ok)
}

/// The tokens of a track-by-order request for one order at one epoch: what a retailer's backend
/// computes with its HMAC key and hands to a page, which then tracks that order (and no other)
/// without holding the key. Narvar accepts an epoch within about 5 minutes of its clock, so a
/// page asks for a fresh grant after that.
///
/// ```
/// use narvar_core::config::TrackingKey;
/// use narvar_core::tokens::TrackingGrant;
/// let key = TrackingKey { retailer_moniker: "acme".into(), hmac_key: "hk".into() };
/// let grant = TrackingGrant::new(&key, "1001", 1_700_000_000);
/// assert_eq!(grant.order_number, "1001");
/// assert!(!format!("{grant:?}").contains(grant.order_token.expose()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingGrant {
    pub retailer_moniker: String,
    pub order_number: String,
    /// Unix seconds the tokens were made for.
    pub epoch: u64,
    pub order_token: crate::secret::Secret,
    pub epoch_token: crate::secret::Secret,
}

impl TrackingGrant {
    /// The grant `key` makes for `order_number` at `epoch`.
    pub fn new(key: &crate::config::TrackingKey, order_number: &str, epoch: u64) -> Self {
        let secret = key.hmac_key.expose();
        TrackingGrant {
            retailer_moniker: key.retailer_moniker.clone(),
            order_number: order_number.to_owned(),
            epoch,
            order_token: order_token(secret, order_number, epoch).into(),
            epoch_token: epoch_token(secret, epoch).into(),
        }
    }
}

/// The query keys of a track-by-order request, as [`crate::ops::TrackOrder`] sends them.
pub mod query_keys {
    pub const RETAILER_MONIKER: &str = "retailer_moniker";
    pub const ORDER_TOKEN: &str = "order_token";
    pub const EPOCH: &str = "epoch";
    pub const EPOCH_TOKEN: &str = "epoch_token";
}

/// What a track-by-order request proves, read from its query (for a server to check with
/// [`tokens_match`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackingProof<'a> {
    pub retailer_moniker: &'a str,
    pub epoch: u64,
    pub epoch_token: &'a str,
    pub order_token: &'a str,
}

impl<'a> TrackingProof<'a> {
    /// Reads the proof from decoded query pairs; the error names the missing or bad key.
    pub fn from_query(query: &'a [(String, String)]) -> Result<Self, String> {
        let q = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        let needed = |k: &'static str| q(k).ok_or_else(|| format!("{k} is required"));
        Ok(TrackingProof {
            retailer_moniker: needed(query_keys::RETAILER_MONIKER)?,
            epoch: needed(query_keys::EPOCH)?.parse().map_err(|_| format!("{} must be Unix seconds", query_keys::EPOCH))?,
            epoch_token: needed(query_keys::EPOCH_TOKEN)?,
            order_token: needed(query_keys::ORDER_TOKEN)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(order_token("Jefe", "what do ya want for nothing?", 0).len(), 64);
    }
}
