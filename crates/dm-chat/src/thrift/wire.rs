//! TBinaryProtocol, the strict subset the X Chat structs use: a bounds-checked reader that
//! never allocates more than its input holds and never recurses deeper than [`MAX_DEPTH`],
//! and a writer.

use super::ThriftError;

/// Deepest nesting of structs, lists and maps the reader follows.
pub const MAX_DEPTH: usize = 48;

/// Thrift wire types (TBinaryProtocol type bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum TType {
    Bool,
    Byte,
    Double,
    I16,
    I32,
    I64,
    Binary,
    Struct,
    Map,
    Set,
    List,
}

impl TType {
    fn from_byte(b: u8) -> Option<TType> {
        Some(match b {
            2 => TType::Bool,
            3 => TType::Byte,
            4 => TType::Double,
            6 => TType::I16,
            8 => TType::I32,
            10 => TType::I64,
            11 => TType::Binary,
            12 => TType::Struct,
            13 => TType::Map,
            14 => TType::Set,
            15 => TType::List,
            _ => return None,
        })
    }

    fn byte(self) -> u8 {
        match self {
            TType::Bool => 2,
            TType::Byte => 3,
            TType::Double => 4,
            TType::I16 => 6,
            TType::I32 => 8,
            TType::I64 => 10,
            TType::Binary => 11,
            TType::Struct => 12,
            TType::Map => 13,
            TType::Set => 14,
            TType::List => 15,
        }
    }

    /// The fewest bytes one value of this type takes on the wire.
    fn min_size(self) -> usize {
        match self {
            TType::Bool | TType::Byte | TType::Struct => 1,
            TType::I16 => 2,
            TType::I32 | TType::Binary | TType::List | TType::Set => 4,
            TType::Map => 6,
            TType::Double | TType::I64 => 8,
        }
    }
}

/// A cursor over one encoded value.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// Reads `buf` from its start.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            depth: 0,
        }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), ThriftError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(self.error(format!(
                "{} bytes after the end of the value",
                self.remaining()
            )))
        }
    }

    pub(crate) fn error(&self, what: impl Into<String>) -> ThriftError {
        ThriftError::new(what, self.pos)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ThriftError> {
        if self.remaining() < n {
            return Err(self.error(format!(
                "truncated: {n} bytes needed, {} left",
                self.remaining()
            )));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ThriftError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// A `byte`.
    pub fn byte(&mut self) -> Result<u8, ThriftError> {
        Ok(self.array::<1>()?[0])
    }

    /// A `bool` (any non-zero byte is true, as the reference implementation reads it).
    pub fn bool(&mut self) -> Result<bool, ThriftError> {
        Ok(self.byte()? != 0)
    }

    /// An `i16`.
    pub fn i16(&mut self) -> Result<i16, ThriftError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    /// An `i32`.
    pub fn i32(&mut self) -> Result<i32, ThriftError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// An `i64`.
    pub fn i64(&mut self) -> Result<i64, ThriftError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    fn length(&mut self, min_each: usize) -> Result<usize, ThriftError> {
        let at = self.pos;
        let n = self.i32()?;
        let n =
            usize::try_from(n).map_err(|_| ThriftError::new(format!("negative length {n}"), at))?;
        if n.saturating_mul(min_each) > self.remaining() {
            return Err(ThriftError::new(
                format!("length {n} exceeds the {} bytes left", self.remaining()),
                at,
            ));
        }
        Ok(n)
    }

    /// A `binary`.
    pub fn binary(&mut self) -> Result<&'a [u8], ThriftError> {
        let n = self.length(1)?;
        self.take(n)
    }

    /// A `string` (must be UTF-8).
    pub fn string(&mut self) -> Result<String, ThriftError> {
        let at = self.pos;
        let bytes = self.binary()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| ThriftError::new("a string is not UTF-8", at))
    }

    fn ttype(&mut self) -> Result<TType, ThriftError> {
        let at = self.pos;
        let b = self.byte()?;
        TType::from_byte(b).ok_or_else(|| ThriftError::new(format!("unknown type byte {b}"), at))
    }

    /// The next field header of a struct, `None` at its stop byte.
    pub fn field(&mut self) -> Result<Option<(TType, i16)>, ThriftError> {
        let at = self.pos;
        let b = self.byte()?;
        if b == 0 {
            return Ok(None);
        }
        let t = TType::from_byte(b)
            .ok_or_else(|| ThriftError::new(format!("unknown field type byte {b}"), at))?;
        Ok(Some((t, self.i16()?)))
    }

    /// A list (or set) header: the element type and a count the input can hold.
    pub fn list(&mut self) -> Result<(TType, usize), ThriftError> {
        let t = self.ttype()?;
        let n = self.length(t.min_size())?;
        Ok((t, n))
    }

    /// Enters a nested value; fails past [`MAX_DEPTH`].
    pub fn enter(&mut self) -> Result<(), ThriftError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH}")));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves a nested value.
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips one value of type `t`.
    pub fn skip(&mut self, t: TType) -> Result<(), ThriftError> {
        match t {
            TType::Bool | TType::Byte => self.take(1).map(drop),
            TType::I16 => self.take(2).map(drop),
            TType::I32 => self.take(4).map(drop),
            TType::Double | TType::I64 => self.take(8).map(drop),
            TType::Binary => self.binary().map(drop),
            TType::Struct => {
                self.enter()?;
                while let Some((ft, _)) = self.field()? {
                    self.skip(ft)?;
                }
                self.leave();
                Ok(())
            }
            TType::List | TType::Set => {
                self.enter()?;
                let (et, n) = self.list()?;
                for _ in 0..n {
                    self.skip(et)?;
                }
                self.leave();
                Ok(())
            }
            TType::Map => {
                self.enter()?;
                let kt = self.ttype()?;
                let vt = self.ttype()?;
                let n = self.length(kt.min_size() + vt.min_size())?;
                for _ in 0..n {
                    self.skip(kt)?;
                    self.skip(vt)?;
                }
                self.leave();
                Ok(())
            }
        }
    }
}

/// Builds an encoded value.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty buffer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// A field header.
    pub fn field(&mut self, t: TType, id: i16) -> &mut Self {
        self.buf.push(t.byte());
        self.buf.extend_from_slice(&id.to_be_bytes());
        self
    }

    /// The stop byte that ends a struct.
    pub fn stop(&mut self) -> &mut Self {
        self.buf.push(0);
        self
    }

    /// A `bool`.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.buf.push(u8::from(v));
        self
    }

    /// An `i32`.
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// An `i64`.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A `binary` or `string`. Longer than `i32::MAX` bytes cannot be encoded: the length is
    /// clamped there (no caller comes near it; the API's bodies are far smaller).
    pub fn binary(&mut self, v: &[u8]) -> &mut Self {
        let n = i32::try_from(v.len()).unwrap_or(i32::MAX);
        self.i32(n);
        self.buf.extend_from_slice(&v[..n as usize]);
        self
    }

    /// A list header.
    pub fn list(&mut self, t: TType, n: usize) -> &mut Self {
        self.buf.push(t.byte());
        self.i32(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// Optional fields, written only when present.
    pub fn opt_string(&mut self, id: i16, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.field(TType::Binary, id).binary(v.as_bytes());
        }
        self
    }

    /// An optional `bool` field.
    pub fn opt_bool(&mut self, id: i16, v: Option<bool>) -> &mut Self {
        if let Some(v) = v {
            self.field(TType::Bool, id).bool(v);
        }
        self
    }

    /// An optional `i64` field.
    pub fn opt_i64(&mut self, id: i16, v: Option<i64>) -> &mut Self {
        if let Some(v) = v {
            self.field(TType::I64, id).i64(v);
        }
        self
    }

    /// An optional `i32` field.
    pub fn opt_i32(&mut self, id: i16, v: Option<i32>) -> &mut Self {
        if let Some(v) = v {
            self.field(TType::I32, id).i32(v);
        }
        self
    }

    /// Raw bytes (an already encoded value).
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
}
