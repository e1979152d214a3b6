//! The one piece of Thrift the server writes: the `MessageEvent` envelope around what a client
//! posted (its `MessageCreateEvent`, or its key change's `MessageEventDetail`, and its
//! signature), TBinaryProtocol field by field. The server never reads what it wraps.

/// The fields of a `MessageEvent` the server sets.
pub(crate) struct Envelope<'a> {
    pub sequence_id: &'a str,
    pub message_id: &'a str,
    pub sender_id: &'a str,
    /// The canonical form (`low:high` or `g…`): the bindings verify signatures with the
    /// event's conversation id as it is.
    pub conversation_id: &'a str,
    pub created_at_msec: &'a str,
    /// An encoded `MessageEventDetail` (a union struct, with its stop byte).
    pub detail: &'a [u8],
    /// An encoded `MessageEventSignature`, with its stop byte.
    pub signature: &'a [u8],
}

fn string(out: &mut Vec<u8>, id: i16, v: &str) {
    out.push(11);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&(v.len() as i32).to_be_bytes());
    out.extend_from_slice(v.as_bytes());
}

fn nested(out: &mut Vec<u8>, id: i16, encoded: &[u8]) {
    out.push(12);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(encoded);
}

impl Envelope<'_> {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.detail.len() + self.signature.len());
        string(&mut out, 1, self.sequence_id);
        string(&mut out, 2, self.message_id);
        string(&mut out, 3, self.sender_id);
        string(&mut out, 4, self.conversation_id);
        string(&mut out, 6, self.created_at_msec);
        nested(&mut out, 7, self.detail);
        nested(&mut out, 9, self.signature);
        out.push(0);
        out
    }
}

/// `MessageEventDetail{1: <MessageCreateEvent>}`.
pub(crate) fn message_detail(message_create_event: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message_create_event.len() + 4);
    nested(&mut out, 1, message_create_event);
    out.push(0);
    out
}
