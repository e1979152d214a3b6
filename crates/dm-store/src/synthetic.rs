//! Ids for events that X's archive records without one (group joins and leaves, name
//! changes, ≤2020 reactions, kinds this version does not know), and the order key of every id.
//!
//! # The scheme
//!
//! X's event ids are snowflakes: signed 64-bit integers, so always below 2^63. An id made
//! here is a 19-digit decimal number **at or above 2^63** (`9223372036854775808`), so it can
//! never be the id of a real event:
//!
//! ```text
//! id = 2^63 + (t << 18) + h
//! t  = milliseconds from X's snowflake epoch (2010-11-04T01:42:54.657Z) to the event's
//!      createdAt (0 before it); fits until the year 2104 (id ≤ 9999999999999999999)
//! h  = the first 18 bits of SHA-256 over "conversation id \n kind \n createdAt \n the item's
//!      JSON (members sorted)"
//! ```
//!
//! The same item always gets the same id (importing twice, or two archives of the same
//! account, change nothing); an item repeated verbatim is one event. Two different items of
//! one conversation that share the millisecond and the 18 bits (about one in 262,144) are told
//! apart by taking the next free `h`, in the order of their hashes (see
//! [`crate::import`]).
//!
//! # Order
//!
//! Events are kept in the order of [`order_key`]: a real id's key is the id itself (as a
//! number), which for snowflakes is time order; a made id's key is the snowflake of one second
//! before its millisecond (`(t - 1000) << 22`), so it sits among the real events of its time.
//! The second is there because a real event's snowflake is up to a second older than its
//! `createdAt` (the notes in `docs/archive-format.md`): a group's `joinConversation` carries
//! the same `createdAt` as the group's first message, and must sort before it. Keys of two
//! events may be equal; the id breaks the tie.

use dm_model::DmEventId;
use sha2::{Digest, Sha256};

/// The first id this scheme makes (2^63): no snowflake reaches it.
pub const SYNTHETIC_BASE: u64 = 1 << 63;

/// The largest id (`^[0-9]{1,19}$`).
const MAX_ID: u64 = 9_999_999_999_999_999_999;

/// X's snowflake epoch, in Unix milliseconds.
pub(crate) const TWEPOCH_MS: i64 = 1_288_834_974_657;

/// How much earlier than its `createdAt` a made id sorts (see the module docs).
const ORDER_LEAD_MS: u64 = 1000;

/// Bits of hash below the time.
const HASH_BITS: u32 = 18;

/// Whether `id` was made by this scheme (it is at or above 2^63).
pub fn is_synthetic(id: &DmEventId) -> bool {
    id.as_u64() >= SYNTHETIC_BASE
}

/// Milliseconds from the snowflake epoch, clamped to what an id can hold.
fn ticks(unix_ms: i64) -> u64 {
    let max = (MAX_ID - SYNTHETIC_BASE) >> HASH_BITS;
    u64::try_from(unix_ms.saturating_sub(TWEPOCH_MS))
        .unwrap_or(0)
        .min(max)
}

/// The 18-bit hash of an item (see the module docs).
pub(crate) fn item_hash(conversation: &str, kind: &str, created_at: &str, item_json: &str) -> u32 {
    let mut h = Sha256::new();
    for part in [conversation, kind, created_at] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    h.update(item_json.as_bytes());
    let d = h.finalize();
    (u32::from(d[0]) << 16 | u32::from(d[1]) << 8 | u32::from(d[2])) >> (24 - HASH_BITS)
}

/// The id of an item at `unix_ms` with hash `hash` (the low 18 bits are used).
pub(crate) fn make_id(unix_ms: i64, hash: u32) -> DmEventId {
    let n =
        SYNTHETIC_BASE + (ticks(unix_ms) << HASH_BITS) + u64::from(hash & ((1 << HASH_BITS) - 1));
    DmEventId::try_from(n.min(MAX_ID)).expect("19 digits at most")
}

/// The same id with the next hash value (wrapping within the millisecond).
pub(crate) fn next_hash(hash: u32) -> u32 {
    (hash + 1) & ((1 << HASH_BITS) - 1)
}

/// The order key of an event id: the id as a number shifted into `i64` for a real id; for a
/// made id, the key of the snowflake of its millisecond.
pub fn order_key(id: &DmEventId) -> i64 {
    let n = id.as_u64();
    let ordered = if n >= SYNTHETIC_BASE {
        ((n - SYNTHETIC_BASE) >> HASH_BITS).saturating_sub(ORDER_LEAD_MS) << 22
    } else {
        n
    };
    (ordered ^ (1u64 << 63)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> DmEventId {
        DmEventId::parse(s).unwrap()
    }

    #[test]
    fn made_ids_are_above_every_snowflake_and_valid() {
        for ms in [
            0,
            TWEPOCH_MS,
            1_434_912_497_458,
            1_700_000_000_000,
            4_200_000_000_000,
        ] {
            for h in [0, 1, (1 << HASH_BITS) - 1] {
                let made = make_id(ms, h);
                assert!(made.as_u64() >= SYNTHETIC_BASE, "{made}");
                assert_eq!(made.as_str().len(), 19);
                assert!(is_synthetic(&made));
            }
        }
        assert!(!is_synthetic(&id("1582838499983564806")));
        assert!(!is_synthetic(&id("9223372036854775807")));
    }

    #[test]
    fn made_ids_sort_among_snowflakes_of_their_time() {
        // A 2015 group: the join at 18:48:17.458, the first message (snowflake) in the same ms.
        let join_ms = 1_434_912_497_458;
        let made = make_id(join_ms, 12345);
        let message = id("612693538065788931");
        let before = id("612693538065788928"); // the conversation id, 3 less
        assert!(order_key(&made) <= order_key(&message));
        assert!(order_key(&made) >= order_key(&id("600000000000000000")));
        assert_eq!(
            order_key(&made),
            order_key(&id(
                &(((join_ms - 1000 - TWEPOCH_MS) as u64) << 22).to_string()
            ))
        );
        // A real event more than a second earlier still sorts before.
        let earlier = ((join_ms - 1001 - TWEPOCH_MS) as u64) << 22 | 0x3FFFFF;
        assert!(order_key(&id(&earlier.to_string())) < order_key(&made));
        assert!(order_key(&before) <= order_key(&message));
        // Later made ids sort later.
        assert!(order_key(&make_id(join_ms + 1, 0)) > order_key(&made));
    }

    #[test]
    fn hashes_are_stable() {
        let a = item_hash("1", "joinConversation", "2015-06-21T18:48:17.458Z", "{}");
        assert_eq!(
            a,
            item_hash("1", "joinConversation", "2015-06-21T18:48:17.458Z", "{}")
        );
        assert_ne!(
            a,
            item_hash("1", "participantsLeave", "2015-06-21T18:48:17.458Z", "{}")
        );
        assert!(a < 1 << HASH_BITS);
        assert_eq!(next_hash((1 << HASH_BITS) - 1), 0);
    }
}
