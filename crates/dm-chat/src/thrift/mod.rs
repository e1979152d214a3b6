//! The Thrift structs of X Chat (TBinaryProtocol), hand-written over a small bounds-checked
//! codec: the SDK's IDL (`event.thrift`, `product.thrift`) needs ~20 structs, the `thrift`
//! crate would bring its compiler-generated code and an `io::Read` protocol that trusts
//! length prefixes, and a 300-line codec is easy to fuzz (see `cargo xtask fuzz`).
//!
//! Decoding skips fields it does not know or whose wire type differs from the IDL (as
//! generated Thrift code does), so events from a newer SDK still decode; it fails, naming the
//! field path and the byte offset, on truncated, oversized or malformed input.
//!
//! The structs are plain data mirroring the IDL (public fields, `Default`), so tests and
//! servers can build any event, including wrong ones.

mod event;
mod group;
mod product;
pub(crate) mod wire;

use std::fmt;

pub use event::{
    ConversationKeyChangeEvent, ConversationParticipantKey, EventDetail, MessageCreateEvent,
    MessageEvent, MessageEventSignature, MessageSigningKeyInfo,
};
pub use group::{GroupChange, GroupChangeEvent, GroupCreate, GroupMemberAdd};
pub use product::{
    Attachment, EntityKind, EntryContents, MediaAttachment, MediaDimensions, MessageContents,
    MessageEdit, MessageEntryHolder, PostAttachment, Reaction, RichTextEntity, UrlAttachment,
};
use wire::{Reader, TType, Writer};

/// A Thrift value that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThriftError {
    what: String,
    offset: usize,
    path: Vec<String>,
}

impl ThriftError {
    pub(crate) fn new(what: impl Into<String>, offset: usize) -> Self {
        ThriftError {
            what: what.into(),
            offset,
            path: Vec::new(),
        }
    }

    fn within(mut self, step: String) -> Self {
        self.path.insert(0, step);
        self
    }

    /// The field path (`MessageEvent.7.1.100`: struct name, then field ids).
    pub fn path(&self) -> String {
        self.path.join(".")
    }

    /// The byte offset where decoding failed.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for ThriftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{} (byte {})", self.what, self.offset)
        } else {
            write!(f, "{}: {} (byte {})", self.path(), self.what, self.offset)
        }
    }
}

impl std::error::Error for ThriftError {}

/// A struct (or union) of the X Chat IDL.
pub trait ThriftStruct: Sized {
    /// The IDL name, used in error paths.
    const NAME: &'static str;

    /// Reads the struct's fields up to and including its stop byte.
    ///
    /// # Errors
    /// Truncated or malformed input.
    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError>;

    /// Writes the struct's fields and its stop byte.
    fn write(&self, w: &mut Writer);

    /// Decodes exactly one struct filling `bytes`.
    ///
    /// # Errors
    /// Truncated or malformed input, or bytes left after the struct.
    fn decode(bytes: &[u8]) -> Result<Self, ThriftError> {
        let mut r = Reader::new(bytes);
        let v = read_nested::<Self>(&mut r)?;
        r.finish().map_err(|e| e.within(Self::NAME.to_string()))?;
        Ok(v)
    }

    /// Encodes the struct.
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.into_bytes()
    }
}

/// Reads a nested struct (depth-limited).
fn read_nested<T: ThriftStruct>(r: &mut Reader<'_>) -> Result<T, ThriftError> {
    r.enter()?;
    let v = T::read(r)?;
    r.leave();
    Ok(v)
}

/// Walks a struct's fields: `f` reads the ones it knows (returning `true`), the others are
/// skipped. Errors get the field's place prepended to their path.
fn fields(
    r: &mut Reader<'_>,
    name: &'static str,
    mut f: impl FnMut(&mut Reader<'_>, TType, i16) -> Result<bool, ThriftError>,
) -> Result<(), ThriftError> {
    loop {
        let Some((t, id)) = r.field().map_err(|e| e.within(name.to_string()))? else {
            return Ok(());
        };
        let handled = f(r, t, id).map_err(|e| e.within(format!("{name}.{id}")))?;
        if !handled {
            r.skip(t).map_err(|e| e.within(format!("{name}.{id}")))?;
        }
    }
}

/// Reads a union: exactly one member; `f` reads the ones it knows and returns `None` for the
/// others (skipped and reported as `unknown(id)`).
fn union<T>(
    r: &mut Reader<'_>,
    name: &'static str,
    unknown: impl Fn(i16) -> T,
    mut f: impl FnMut(&mut Reader<'_>, TType, i16) -> Result<Option<T>, ThriftError>,
) -> Result<T, ThriftError> {
    let mut out: Option<T> = None;
    let start = r.remaining();
    fields(r, name, |r, t, id| {
        if out.is_some() {
            return Err(r.error("a union with more than one member"));
        }
        match f(r, t, id)? {
            Some(v) => out = Some(v),
            None => {
                r.skip(t)?;
                out = Some(unknown(id));
            }
        }
        Ok(true)
    })?;
    out.ok_or_else(|| ThriftError::new("a union with no member", start).within(name.to_string()))
}

// Typed field readers: a value of the IDL's type, or `None` (skipped) when the wire type
// differs, as generated Thrift code does.

fn string(r: &mut Reader<'_>, t: TType) -> Result<Option<String>, ThriftError> {
    if t == TType::Binary {
        r.string().map(Some)
    } else {
        r.skip(t).map(|()| None)
    }
}

fn binary(r: &mut Reader<'_>, t: TType) -> Result<Option<Vec<u8>>, ThriftError> {
    if t == TType::Binary {
        r.binary().map(|b| Some(b.to_vec()))
    } else {
        r.skip(t).map(|()| None)
    }
}

fn boolean(r: &mut Reader<'_>, t: TType) -> Result<Option<bool>, ThriftError> {
    if t == TType::Bool {
        r.bool().map(Some)
    } else {
        r.skip(t).map(|()| None)
    }
}

fn int64(r: &mut Reader<'_>, t: TType) -> Result<Option<i64>, ThriftError> {
    if t == TType::I64 {
        r.i64().map(Some)
    } else {
        r.skip(t).map(|()| None)
    }
}

fn int32(r: &mut Reader<'_>, t: TType) -> Result<Option<i32>, ThriftError> {
    if t == TType::I32 {
        r.i32().map(Some)
    } else {
        r.skip(t).map(|()| None)
    }
}

fn nested<T: ThriftStruct>(r: &mut Reader<'_>, t: TType) -> Result<Option<T>, ThriftError> {
    if t == TType::Struct {
        read_nested(r).map(Some)
    } else {
        r.skip(t).map(|()| None)
    }
}

fn list_of<T>(
    r: &mut Reader<'_>,
    t: TType,
    elem: TType,
    mut read: impl FnMut(&mut Reader<'_>) -> Result<T, ThriftError>,
) -> Result<Option<Vec<T>>, ThriftError> {
    if t != TType::List {
        return r.skip(t).map(|()| None);
    }
    r.enter()?;
    let (et, n) = r.list()?;
    if et != elem {
        for _ in 0..n {
            r.skip(et)?;
        }
        r.leave();
        return Ok(None);
    }
    let mut out = Vec::new();
    for i in 0..n {
        out.push(read(r).map_err(|e| e.within(format!("[{i}]")))?);
    }
    r.leave();
    Ok(Some(out))
}

fn struct_list<T: ThriftStruct>(
    r: &mut Reader<'_>,
    t: TType,
) -> Result<Option<Vec<T>>, ThriftError> {
    list_of(r, t, TType::Struct, read_nested::<T>)
}

fn write_nested<T: ThriftStruct>(w: &mut Writer, id: i16, v: &T) {
    w.field(TType::Struct, id);
    v.write(w);
}

fn write_struct_list<T: ThriftStruct>(w: &mut Writer, id: i16, v: &[T]) {
    w.field(TType::List, id).list(TType::Struct, v.len());
    for item in v {
        item.write(w);
    }
}

#[cfg(test)]
mod tests;
