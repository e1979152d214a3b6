//! The body of a one-shot upload or an append, as the spec allows it: `multipart/form-data`
//! (raw bytes; a part marked `Content-Transfer-Encoding: base64` is decoded) or
//! `application/json` (the media base64-encoded).

use std::collections::BTreeMap;

use base64::Engine as _;
use bytes::Bytes;
use http::HeaderMap;
use serde_json::Value;

/// One member of the body.
#[derive(Debug)]
pub(crate) enum Member {
    /// A text field, or a JSON string or number rendered as text.
    Text(String),
    /// The media bytes.
    Bytes(Bytes),
    /// A JSON value of another type (an array, an object, a boolean: refused by the handlers).
    Other,
}

/// The body's members by name.
#[derive(Debug, Default)]
pub(crate) struct Form {
    pub members: BTreeMap<String, Member>,
}

impl Form {
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        match self.members.get(name)? {
            Member::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// Parses the body; `Err` is the message of a 400.
pub(crate) fn parse(headers: &HeaderMap, body: &Bytes) -> Result<Form, String> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "multipart/form-data" => multipart(content_type, body),
        "application/json" => json(body),
        "" if body.is_empty() => Err("The request body is required".into()),
        other => Err(format!(
            "Unsupported content type [{other}]: use multipart/form-data or application/json"
        )),
    }
}

fn multipart(content_type: &str, body: &Bytes) -> Result<Form, String> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| format!("The multipart body has no usable boundary: {e}"))?;
    let stream = futures::stream::once(std::future::ready(Ok::<Bytes, std::io::Error>(
        body.clone(),
    )));
    let mut parts = multer::Multipart::new(stream, boundary);
    // The whole body is already in memory: the stream is always ready, nothing waits.
    futures::executor::block_on(async move {
        let mut form = Form::default();
        while let Some(field) = parts
            .next_field()
            .await
            .map_err(|e| format!("The multipart body is malformed: {e}"))?
        {
            let name = field
                .name()
                .ok_or("A multipart part has no name")?
                .to_owned();
            let base64 = field
                .headers()
                .get("content-transfer-encoding")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("base64"));
            let is_file = field.file_name().is_some() || name == "media";
            let data = field
                .bytes()
                .await
                .map_err(|e| format!("The multipart part [{name}] is malformed: {e}"))?;
            let data = if base64 {
                decode_base64(&data).map_err(|e| format!("The part [{name}] is not base64: {e}"))?
            } else {
                data
            };
            let member = if is_file {
                Member::Bytes(data)
            } else {
                Member::Text(
                    String::from_utf8(data.to_vec())
                        .map_err(|_| format!("The part [{name}] is not UTF-8 text"))?,
                )
            };
            if form.members.insert(name.clone(), member).is_some() {
                return Err(format!("The part [{name}] is given more than once"));
            }
        }
        Ok(form)
    })
}

fn json(body: &Bytes) -> Result<Form, String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("The request body is not valid JSON: {e}"))?;
    let Value::Object(obj) = value else {
        return Err("The request body must be a JSON object".into());
    };
    let mut form = Form::default();
    for (k, v) in obj {
        let member = match (k.as_str(), v) {
            ("media", Value::String(s)) => Member::Bytes(
                decode_base64(s.as_bytes())
                    .map_err(|e| format!("`media` must be base64 in a JSON body: {e}"))?,
            ),
            (_, Value::String(s)) => Member::Text(s),
            (_, Value::Number(n)) => Member::Text(n.to_string()),
            (_, _) => Member::Other,
        };
        form.members.insert(k, member);
    }
    Ok(form)
}

fn decode_base64(data: &[u8]) -> Result<Bytes, base64::DecodeError> {
    let trimmed: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .map(Bytes::from)
}
