//! [`write_canonical`]: the compact JSON text `serde_json::to_value(v)?.to_string()` would give,
//! written straight from `v` without building a `serde_json::Value`.
//!
//! A `Value` object is a map sorted by key (serde_json without `preserve_order`), so that text
//! has every object's members in byte order of their keys, and a key given twice keeps its
//! last value. This serializer writes each object's members as they come, then, only when
//! they were not already in order, rewrites that object's bytes sorted. Scalars are written
//! by serde_json itself (same escaping, same number formatting).
//!
//! Anything whose `Value` form is not a plain rewrite of its serialization (byte strings,
//! 128-bit integers, `f32`, map keys that are not strings or integers, serde_json's raw
//! values) is refused with [`Unsupported`]: the caller then goes through `Value`, so the
//! text is always the `Value` text.

use std::fmt;

use serde::ser::{self, Serialize};

/// A value this writer does not render itself; render it through `serde_json::Value`.
#[derive(Debug)]
pub(crate) struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not rendered canonically: {}", self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

fn unsupported<T>(what: &str) -> Result<T, Unsupported> {
    Err(Unsupported(what.to_owned()))
}

/// Appends the canonical text of `value` to `out`. On error `out` may hold a partial value:
/// truncate it to its length before the call.
#[cfg(test)]
pub(crate) fn write_canonical<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), Unsupported> {
    let mut scratch = Scratch::default();
    write_canonical_in(value, out, &mut scratch)
}

/// [`write_canonical`] with buffers kept from earlier calls.
pub(crate) fn write_canonical_in<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
) -> Result<(), Unsupported> {
    scratch.clear();
    value.serialize(Canonical {
        ctx: &mut Ctx { out, scratch },
    })
}

/// Appends the canonical text of the object `value` serializes to, with one more member
/// `key` whose value is the (already canonical) JSON text `extra`, placed where the sorted
/// order puts it (replacing a member of the same name). `value` must serialize to an object.
pub(crate) fn write_canonical_with_member<T: Serialize + ?Sized>(
    value: &T,
    key: &str,
    extra: &[u8],
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
) -> Result<(), Unsupported> {
    scratch.clear();
    value.serialize(TopLevel {
        ctx: &mut Ctx { out, scratch },
        member: (key, extra),
    })
}

/// Buffers the writer reuses: the keys and members of the objects being written (a stack:
/// an object inside another pushes after it and pops before it ends), and room to sort in.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    keys: String,
    members: Vec<Member>,
    sorting: Vec<u8>,
    kept: Vec<usize>,
}

impl Scratch {
    fn clear(&mut self) {
        self.keys.clear();
        self.members.clear();
    }
}

/// The output and the scratch buffers, shared by every level of one value.
struct Ctx<'o, 's> {
    out: &'o mut Vec<u8>,
    scratch: &'s mut Scratch,
}

/// Writes `s` as a JSON string, escaped as serde_json escapes it (control characters, `"`
/// and `\\`; a string without them is written as it is).
fn write_str(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether any byte is a control character, `"` or `\\`. Eight bytes at a time: for a byte
/// below 0x80, `b - k` borrows into the high bit exactly when `b < k` (and `b ^ c` is zero
/// exactly when `b == c`); bytes from 0x80 up have the high bit set and are masked out by
/// `!x`. A borrow can flag a byte above one that matches, never a chunk without a match, so
/// the answer for the chunk is exact.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, k: u8| x.wrapping_sub(ONES * u64::from(k)) & !x & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        if below(x, 0x20) | below(quote, 1) | below(backslash, 1) != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

fn write_scalar<T: Serialize>(out: &mut Vec<u8>, v: T) -> Result<(), Unsupported> {
    serde_json::to_writer(&mut *out, &v).map_err(|e| Unsupported(e.to_string()))
}

/// The struct name serde_json gives `RawValue` (its `Value` form is parsed, not copied).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Serializes one value into the context's output.
struct Canonical<'c, 'o, 's> {
    ctx: &'c mut Ctx<'o, 's>,
}

impl<'c, 'o, 's> ser::Serializer for Canonical<'c, 'o, 's> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Seq<'c, 'o, 's>;
    type SerializeTuple = Seq<'c, 'o, 's>;
    type SerializeTupleStruct = Seq<'c, 'o, 's>;
    type SerializeTupleVariant = Seq<'c, 'o, 's>;
    type SerializeMap = Object<'c, 'o, 's>;
    type SerializeStruct = Object<'c, 'o, 's>;
    type SerializeStructVariant = Object<'c, 'o, 's>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.ctx
            .out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unsupported> {
        write_scalar(self.ctx.out, v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        write_scalar(self.ctx.out, v)
    }
    fn serialize_i128(self, _: i128) -> Result<(), Unsupported> {
        unsupported("i128")
    }
    fn serialize_u128(self, _: u128) -> Result<(), Unsupported> {
        unsupported("u128")
    }
    fn serialize_f32(self, _: f32) -> Result<(), Unsupported> {
        unsupported("f32")
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        // `Value::from(f64)`: non-finite numbers become `null`, as serde_json writes them.
        write_scalar(self.ctx.out, v)
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        write_str(self.ctx.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        write_str(self.ctx.out, v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unsupported> {
        unsupported("bytes")
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        self.ctx.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unsupported> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        // `{"variant": value}`: one member, already in order.
        self.ctx.open_variant(variant);
        value.serialize(Canonical {
            ctx: &mut *self.ctx,
        })?;
        self.ctx.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'c, 'o, 's>, Unsupported> {
        self.ctx.out.push(b'[');
        Ok(Seq {
            ctx: self.ctx,
            first: true,
            variant: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'c, 'o, 's>, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Seq<'c, 'o, 's>, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'c, 'o, 's>, Unsupported> {
        self.ctx.open_variant(variant);
        self.ctx.out.push(b'[');
        Ok(Seq {
            ctx: self.ctx,
            first: true,
            variant: true,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Object<'c, 'o, 's>, Unsupported> {
        Ok(Object::new(self.ctx, false))
    }
    fn serialize_struct(
        self,
        name: &'static str,
        _: usize,
    ) -> Result<Object<'c, 'o, 's>, Unsupported> {
        if name == RAW_VALUE_TOKEN {
            return unsupported("a raw JSON value");
        }
        Ok(Object::new(self.ctx, false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Object<'c, 'o, 's>, Unsupported> {
        self.ctx.open_variant(variant);
        Ok(Object::new(self.ctx, true))
    }
}

impl Ctx<'_, '_> {
    /// `{"variant":` of an externally tagged enum value.
    fn open_variant(&mut self, variant: &str) {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
    }
}

/// An array being written (closing a `{"variant": [...]}` too when `variant`).
struct Seq<'c, 'o, 's> {
    ctx: &'c mut Ctx<'o, 's>,
    first: bool,
    variant: bool,
}

impl Seq<'_, '_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        if !std::mem::take(&mut self.first) {
            self.ctx.out.push(b',');
        }
        value.serialize(Canonical {
            ctx: &mut *self.ctx,
        })
    }

    fn close(self) -> Result<(), Unsupported> {
        self.ctx
            .out
            .extend_from_slice(if self.variant { b"]}" } else { b"]" });
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.element(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeTuple for Seq<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.element(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Seq<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.element(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Seq<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.element(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

/// One member written so far: its key (a range of `Scratch::keys`) and its `"key":value`
/// text (a range of the output, relative to the object's first member).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member {
    key: (u32, u32),
    text: (u32, u32),
}

/// An object being written: members go out as they come; `close` sorts them when needed.
struct Object<'c, 'o, 's> {
    ctx: &'c mut Ctx<'o, 's>,
    /// Where the first member starts (just after `{`).
    body: usize,
    /// Where this object's members and keys start in the scratch stacks.
    members: usize,
    keys: usize,
    /// Whether the members so far are in strictly increasing key order.
    sorted: bool,
    /// Whether this closes a `{"variant": {...}}` too.
    variant: bool,
    /// Set by `serialize_key` for the following `serialize_value`.
    pending: Option<(u32, u32, usize)>,
}

impl<'c, 'o, 's> Object<'c, 'o, 's> {
    fn new(ctx: &'c mut Ctx<'o, 's>, variant: bool) -> Self {
        ctx.out.push(b'{');
        Object {
            body: ctx.out.len(),
            members: ctx.scratch.members.len(),
            keys: ctx.scratch.keys.len(),
            ctx,
            sorted: true,
            variant,
            pending: None,
        }
    }

    fn key_str(&self, range: (u32, u32)) -> &str {
        &self.ctx.scratch.keys[range.0 as usize..range.1 as usize]
    }

    fn is_first(&self) -> bool {
        self.ctx.scratch.members.len() == self.members
    }

    /// Starts a member whose key is already at the end of `Scratch::keys` (from `k0`): the
    /// separator, the key text, the colon.
    fn start_pushed(&mut self, k0: u32) -> (u32, u32, usize) {
        if !self.is_first() {
            self.ctx.out.push(b',');
        }
        let at = self.ctx.out.len();
        let k1 = self.ctx.scratch.keys.len() as u32;
        write_str(self.ctx.out, &self.ctx.scratch.keys[k0 as usize..]);
        self.ctx.out.push(b':');
        (k0, k1, at)
    }

    fn start(&mut self, key: &str) -> (u32, u32, usize) {
        let k0 = self.ctx.scratch.keys.len() as u32;
        self.ctx.scratch.keys.push_str(key);
        self.start_pushed(k0)
    }

    fn finish_member(&mut self, (k0, k1, at): (u32, u32, usize)) {
        let key = (k0, k1);
        if !self.is_first() {
            let last = self.ctx.scratch.members[self.ctx.scratch.members.len() - 1];
            if self.key_str(last.key) >= self.key_str(key) {
                self.sorted = false;
            }
        }
        let base = self.body;
        let end = self.ctx.out.len();
        self.ctx.scratch.members.push(Member {
            key,
            text: ((at - base) as u32, (end - base) as u32),
        });
    }

    fn member<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Unsupported> {
        let started = self.start(key);
        value.serialize(Canonical {
            ctx: &mut *self.ctx,
        })?;
        self.finish_member(started);
        Ok(())
    }

    /// Adds a member whose value is already canonical text.
    fn raw_member(&mut self, key: &str, value: &[u8]) {
        let started = self.start(key);
        self.ctx.out.extend_from_slice(value);
        self.finish_member(started);
    }

    /// Sorts the members when needed, closes the object and pops its scratch.
    fn close(self) -> Result<(), Unsupported> {
        let Object {
            ctx,
            body,
            members,
            keys,
            sorted,
            variant,
            ..
        } = self;
        let Scratch {
            keys: key_text,
            members: stack,
            sorting,
            kept,
            ..
        } = &mut *ctx.scratch;
        let mine = &mut stack[members..];
        if !sorted {
            // Stable sort, then keep the last of equal keys (a map insert replaces).
            let key = |m: &Member| &key_text[m.key.0 as usize..m.key.1 as usize];
            mine.sort_by(|a, b| key(a).cmp(key(b)));
            kept.clear();
            for (i, m) in mine.iter().enumerate() {
                match kept.last_mut() {
                    Some(last) if key(&mine[*last]) == key(m) => *last = i,
                    _ => kept.push(i),
                }
            }
            sorting.clear();
            sorting.extend_from_slice(&ctx.out[body..]);
            ctx.out.truncate(body);
            for (n, &i) in kept.iter().enumerate() {
                if n > 0 {
                    ctx.out.push(b',');
                }
                let text = mine[i].text;
                ctx.out
                    .extend_from_slice(&sorting[text.0 as usize..text.1 as usize]);
            }
        }
        stack.truncate(members);
        key_text.truncate(keys);
        ctx.out
            .extend_from_slice(if variant { b"}}" } else { b"}" });
        Ok(())
    }
}

/// Whether a map key sorts after the given one (`true`), for the keys [`KeyInto`] takes.
struct KeyAfter<'k>(&'k str);

impl ser::Serializer for KeyAfter<'_> {
    type Ok = bool;
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<bool, Unsupported>;
    type SerializeTuple = ser::Impossible<bool, Unsupported>;
    type SerializeTupleStruct = ser::Impossible<bool, Unsupported>;
    type SerializeTupleVariant = ser::Impossible<bool, Unsupported>;
    type SerializeMap = ser::Impossible<bool, Unsupported>;
    type SerializeStruct = ser::Impossible<bool, Unsupported>;
    type SerializeStructVariant = ser::Impossible<bool, Unsupported>;

    fn serialize_str(self, v: &str) -> Result<bool, Unsupported> {
        Ok(self.0 < v)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<bool, Unsupported> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<bool, Unsupported> {
        value.serialize(self)
    }
    // Other keys: through their text.
    fn serialize_char(self, v: char) -> Result<bool, Unsupported> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    key_after_display! {
        serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
    }
    key_after_unsupported! {
        serialize_bool(bool); serialize_f32(f32); serialize_f64(f64);
        serialize_bytes(&[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str); serialize_i128(i128); serialize_u128(u128);
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<bool, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        unsupported("a map key of this type")
    }
}

macro_rules! key_after_display {
    ($($name:ident($arg:ty);)*) => {$(
        fn $name(self, v: $arg) -> Result<bool, Unsupported> {
            Ok(self.0 < v.to_string().as_str())
        }
    )*};
}
use key_after_display;

macro_rules! key_after_unsupported {
    ($($name:ident($($arg:ty),*);)*) => {$(
        fn $name(self, $(_: $arg),*) -> Result<bool, Unsupported> {
            unsupported("a map key of this type")
        }
    )*};
}
use key_after_unsupported;

/// A map key as serde_json's `Value` serializer turns it into a string, appended to `keys`.
struct KeyInto<'k> {
    keys: &'k mut String,
}

impl ser::SerializeMap for Object<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        let k0 = self.ctx.scratch.keys.len() as u32;
        key.serialize(KeyInto {
            keys: &mut self.ctx.scratch.keys,
        })?;
        self.pending = Some(self.start_pushed(k0));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let Some(started) = self.pending.take() else {
            return unsupported("a map value without a key");
        };
        value.serialize(Canonical {
            ctx: &mut *self.ctx,
        })?;
        self.finish_member(started);
        Ok(())
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeStruct for Object<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.member(key, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Object<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.member(key, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

/// The object at the top of a record: an [`Object`] that gets one more member before it
/// closes.
struct TopLevel<'c, 'o, 's, 'm> {
    ctx: &'c mut Ctx<'o, 's>,
    member: (&'m str, &'m [u8]),
}

struct TopObject<'c, 'o, 's, 'm> {
    object: Object<'c, 'o, 's>,
    /// The member still to add: written before the first member whose key sorts after it
    /// (so an object already in order stays in order), or at the end.
    member: Option<(&'m str, &'m [u8])>,
}

impl TopObject<'_, '_, '_, '_> {
    /// Writes the extra member now if it sorts before `key`.
    fn member_before(&mut self, key: &str) {
        if let Some((k, v)) = self.member.filter(|(k, _)| *k < key) {
            self.member = None;
            self.object.raw_member(k, v);
        }
    }

    fn member_before_any(&mut self) {
        if let Some((k, v)) = self.member.take() {
            self.object.raw_member(k, v);
        }
    }

    fn close(mut self) -> Result<(), Unsupported> {
        if let Some((key, value)) = self.member.take() {
            self.object.raw_member(key, value);
        }
        self.object.close()
    }
}

impl ser::SerializeMap for TopObject<'_, '_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        if let Some((k, _)) = self.member {
            // The key decides whether the extra member goes first.
            if key.serialize(KeyAfter(k))? {
                self.member_before_any();
            }
        }
        ser::SerializeMap::serialize_key(&mut self.object, key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeMap::serialize_value(&mut self.object, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeStruct for TopObject<'_, '_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.member_before(key);
        self.object.member(key, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

macro_rules! not_an_object {
    ($($name:ident($($arg:ty),*);)*) => {$(
        fn $name(self, $(_: $arg),*) -> Result<(), Unsupported> {
            unsupported("a record that is not an object")
        }
    )*};
}

impl<'c, 'o, 's, 'm> ser::Serializer for TopLevel<'c, 'o, 's, 'm> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<(), Unsupported>;
    type SerializeTuple = ser::Impossible<(), Unsupported>;
    type SerializeTupleStruct = ser::Impossible<(), Unsupported>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = TopObject<'c, 'o, 's, 'm>;
    type SerializeStruct = TopObject<'c, 'o, 's, 'm>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    not_an_object! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
        serialize_str(&str); serialize_bytes(&[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        unsupported("a record that is not an object")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unsupported> {
        unsupported("a record that is not an object")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unsupported> {
        unsupported("a record that is not an object")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unsupported> {
        unsupported("a record that is not an object")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        unsupported("a record that is not an object")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        Ok(TopObject {
            object: Object::new(self.ctx, false),
            member: Some(self.member),
        })
    }
    fn serialize_struct(
        self,
        name: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unsupported> {
        if name == RAW_VALUE_TOKEN {
            return unsupported("a raw JSON value");
        }
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        unsupported("a record that is not an object")
    }
}

macro_rules! key_unsupported {
    ($($name:ident($($arg:ty),*);)*) => {$(
        fn $name(self, $(_: $arg),*) -> Result<(), Unsupported> {
            unsupported("a map key of this type")
        }
    )*};
}

macro_rules! key_display {
    ($($name:ident($arg:ty);)*) => {$(
        fn $name(self, v: $arg) -> Result<(), Unsupported> {
            use std::fmt::Write as _;
            let _ = write!(self.keys, "{v}");
            Ok(())
        }
    )*};
}

/// Keys as serde_json's `Value` serializer makes them: strings and chars as they are,
/// integers in decimal, unit variants by name; anything else is unsupported.
impl ser::Serializer for KeyInto<'_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<(), Unsupported>;
    type SerializeTuple = ser::Impossible<(), Unsupported>;
    type SerializeTupleStruct = ser::Impossible<(), Unsupported>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = ser::Impossible<(), Unsupported>;
    type SerializeStruct = ser::Impossible<(), Unsupported>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.keys.push_str(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.keys.push(v);
        Ok(())
    }
    key_display! {
        serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unsupported> {
        self.keys.push_str(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    key_unsupported! {
        serialize_bool(bool); serialize_f32(f32); serialize_f64(f64);
        serialize_bytes(&[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str); serialize_i128(i128); serialize_u128(u128);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unsupported> {
        unsupported("a map key of this type")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        unsupported("a map key of this type")
    }
}
