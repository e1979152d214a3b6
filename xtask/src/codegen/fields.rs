//! Generates `crates/dm-model/src/generated/fields.rs`: one open enum per list-valued query
//! parameter of the DM lookups (`dm_event.fields`, `expansions`, `user.fields`, `tweet.fields`,
//! `media.fields`, `event_types`) and of the webhook list (`webhook_config.fields`), each read
//! from the spec file its operation lives in.
//!
//! Only the mechanical part is generated (variants, wire strings, `ALL`, `PARAM`, the known-value
//! lookup); the trait impls live in the hand-written `crates/dm-model/src/fields.rs`.

use std::fmt::Write as _;

use serde_json::Value;

use super::{CHAT_SPEC, DM_SPEC, Error, Generated, MEDIA_REALTIME_SPEC, Specs};

/// Where each enum's values come from in the spec.
enum Source {
    /// `components.parameters.<name>.schema.items.enum`.
    Component(&'static str),
    /// An inline parameter `<name>` of operation `GET <path>`.
    Inline {
        path: &'static str,
        name: &'static str,
    },
}

/// (Rust enum name, spec file, source, what a value is, for docs).
const ENUMS: &[(&str, &str, Source, &str)] = &[
    (
        "DmEventField",
        DM_SPEC,
        Source::Component("DmEventFieldsParameter"),
        "a DM event field",
    ),
    (
        "Expansion",
        DM_SPEC,
        Source::Component("DmEventExpansionsParameter"),
        "an expansion of a DM event",
    ),
    (
        "UserField",
        DM_SPEC,
        Source::Component("UserFieldsParameter"),
        "a user field",
    ),
    (
        "TweetField",
        DM_SPEC,
        Source::Component("TweetFieldsParameter"),
        "a Tweet (Post) field",
    ),
    (
        "MediaField",
        DM_SPEC,
        Source::Component("MediaFieldsParameter"),
        "a media field",
    ),
    (
        "EventType",
        DM_SPEC,
        Source::Inline {
            path: "/2/dm_events",
            name: "event_types",
        },
        "a DM event type",
    ),
    (
        "WebhookConfigField",
        MEDIA_REALTIME_SPEC,
        Source::Component("WebhookConfigFieldsParameter"),
        "a webhook config field",
    ),
    (
        "ChatMessageEventField",
        CHAT_SPEC,
        Source::Component("ChatMessageEventFieldsParameter"),
        "an X Chat message event field",
    ),
    (
        "ChatConversationField",
        CHAT_SPEC,
        Source::Component("ChatConversationFieldsParameter"),
        "an X Chat conversation field",
    ),
    (
        "ChatConversationExpansion",
        CHAT_SPEC,
        Source::Component("ChatConversationExpansionsParameter"),
        "an expansion of an X Chat conversation",
    ),
    (
        "PublicKeyField",
        CHAT_SPEC,
        Source::Component("PublicKeyFieldsParameter"),
        "a public key field",
    ),
];

/// Generates the field enums.
pub fn generate(specs: &Specs) -> Result<Vec<Generated>, Error> {
    let mut out = String::new();
    out.push_str(
        "//!\n//! Open enums for the list-valued query parameters of the DM lookups, the webhook list and X Chat.\n\n",
    );
    let mut sources: Vec<&'static str> = Vec::new();
    for (name, file, source, what) in ENUMS {
        if !sources.contains(file) {
            sources.push(file);
        }
        let param = lookup(specs.get(file)?, source)
            .map_err(|e| Error::new(format!("{name} ({file}): {e}")))?;
        let wire_name = param
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(format!("{name}: parameter has no name")))?;
        let values = param
            .pointer("/schema/items/enum")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::new(format!("{name}: no schema.items.enum")))?;
        let mut variants: Vec<(String, String)> = Vec::new();
        for v in values {
            let s = v
                .as_str()
                .ok_or_else(|| Error::new(format!("{name}: non-string enum value {v}")))?;
            let variant = pascal_case(s);
            if variant.is_empty() || variant == "Other" {
                return Err(Error::new(format!("{name}: cannot name value {s:?}")));
            }
            if let Some((_, prev)) = variants.iter().find(|(var, _)| *var == variant) {
                if prev == s {
                    continue; // listed twice in the spec
                }
                return Err(Error::new(format!(
                    "{name}: values {prev:?} and {s:?} both map to {variant}"
                )));
            }
            variants.push((variant, s.to_owned()));
        }
        emit_enum(&mut out, name, wire_name, what, file, source, &variants);
    }
    Ok(vec![Generated {
        path: "crates/dm-model/src/generated/fields.rs",
        sources,
        contents: out,
    }])
}

fn lookup<'a>(spec: &'a Value, source: &Source) -> Result<&'a Value, Error> {
    match source {
        Source::Component(c) => spec
            .get("components")
            .and_then(|v| v.get("parameters"))
            .and_then(|v| v.get(*c))
            .ok_or_else(|| Error::new(format!("components.parameters.{c} not found"))),
        Source::Inline { path, name } => spec
            .get("paths")
            .and_then(|v| v.get(*path))
            .and_then(|v| v.get("get"))
            .and_then(|v| v.get("parameters"))
            .and_then(Value::as_array)
            .and_then(|ps| {
                ps.iter()
                    .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            })
            .ok_or_else(|| Error::new(format!("parameter {name} of GET {path} not found"))),
    }
}

/// `attachments.media_keys` → `AttachmentsMediaKeys`; `MessageCreate` stays as is.
fn pascal_case(s: &str) -> String {
    let mut out = String::new();
    for part in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

fn emit_enum(
    out: &mut String,
    name: &str,
    wire_name: &str,
    what: &str,
    file: &str,
    source: &Source,
    variants: &[(String, String)],
) {
    let origin = match source {
        Source::Component(c) => format!("`components.parameters.{c}`"),
        Source::Inline { path, name } => format!("the `{name}` parameter of `GET {path}`"),
    };
    let origin = format!("{origin} of `{file}`");
    let _ = writeln!(
        out,
        "/// {}: a value of the `{wire_name}` query parameter.\n///\n/// Generated from {origin}. \
         Values the spec does not list yet are kept in [`{name}::Other`].",
        capitalise(what)
    );
    let _ = writeln!(
        out,
        "#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[non_exhaustive]\npub enum {name} {{"
    );
    for (variant, wire) in variants {
        let _ = writeln!(out, "    /// `{wire}`\n    {variant},");
    }
    let _ = writeln!(
        out,
        "    /// A value this version of the spec does not list, kept verbatim.\n    Other(String),\n}}\n"
    );
    let _ = writeln!(out, "impl {name} {{");
    let _ = writeln!(
        out,
        "    /// The name of the query parameter these values belong to.\n    pub const PARAM: &'static str = {wire_name:?};\n"
    );
    let _ = writeln!(
        out,
        "    /// Every value the spec lists, in spec order.\n    pub const ALL: &'static [Self] = &["
    );
    for (variant, _) in variants {
        let _ = writeln!(out, "        Self::{variant},");
    }
    let _ = writeln!(out, "    ];\n");
    let _ = writeln!(
        out,
        "    /// The exact wire string.\n    pub fn as_str(&self) -> &str {{\n        match self {{"
    );
    for (variant, wire) in variants {
        let _ = writeln!(out, "            Self::{variant} => {wire:?},");
    }
    let _ = writeln!(
        out,
        "            Self::Other(s) => s,\n        }}\n    }}\n"
    );
    let _ = writeln!(
        out,
        "    /// The known variant spelled `s` on the wire, if any.\n    pub(crate) fn from_known(s: &str) -> Option<Self> {{\n        match s {{"
    );
    for (variant, wire) in variants {
        let _ = writeln!(out, "            {wire:?} => Some(Self::{variant}),");
    }
    let _ = writeln!(out, "            _ => None,\n        }}\n    }}\n}}\n");
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::pascal_case;

    #[test]
    fn names() {
        assert_eq!(
            pascal_case("attachments.media_keys"),
            "AttachmentsMediaKeys"
        );
        assert_eq!(pascal_case("referenced_tweets.id"), "ReferencedTweetsId");
        assert_eq!(pascal_case("MessageCreate"), "MessageCreate");
        assert_eq!(pascal_case("type"), "Type");
    }
}
