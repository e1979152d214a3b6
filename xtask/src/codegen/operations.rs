//! `crates/dm-query/src/generated/operations.rs`: the `Operation` enum, one variant per operation
//! of every spec file in [`TABLES`], with its spec file, method, path template, path parameters
//! (and their id patterns), query parameters, request and response media types, success status,
//! the security schemes it accepts, its OAuth 2.0 scopes, whether it streams and whether it is
//! safe to repeat.
//!
//! The variant names are ours (the spec's `operationId`s are long and unstable across spec
//! versions), so they come from [`TABLES`]; each operation is read from the spec file it is listed
//! under, and the generator fails when a spec file and its table disagree (an operation missing
//! from either side), so a new operation cannot slip by.

use std::fmt::Write as _;

use serde_json::Value;

use super::{CHAT_SPEC, DM_SPEC, Error, Generated, MEDIA_REALTIME_SPEC, SPEC_FILES, Specs};

/// Our name for each spec operation, in the order the enum declares them.
struct OperationName {
    operation_id: &'static str,
    variant: &'static str,
    /// A `POST` whose repetition leaves the same state (block/unblock, a media chunk appended
    /// at its segment index).
    idempotent_post: bool,
}

/// The operations of one spec file.
struct SpecTable {
    file: &'static str,
    operations: &'static [OperationName],
}

/// Every operation, by the spec file it lives in; the enum declares them in this order.
const TABLES: &[SpecTable] = &[
    SpecTable {
        file: DM_SPEC,
        operations: &[
            op("getDirectMessagesEvents", "GetDmEvents", false),
            op(
                "getDirectMessagesEventsByConversationId",
                "GetDmConversationEvents",
                false,
            ),
            op(
                "getDirectMessagesEventsByParticipantId",
                "GetDmEventsWithParticipant",
                false,
            ),
            op("getDirectMessagesEventsById", "GetDmEvent", false),
            op("deleteDirectMessagesEvents", "DeleteDmEvent", false),
            op(
                "createDirectMessagesByParticipantId",
                "SendToParticipant",
                false,
            ),
            op(
                "createDirectMessagesByConversationId",
                "SendToConversation",
                false,
            ),
            op(
                "createDirectMessagesConversation",
                "CreateGroupConversation",
                false,
            ),
            op("dmConversationsMediaDownload", "DownloadMedia", false),
            op("blockUsersDms", "BlockDms", true),
            op("unblockUsersDms", "UnblockDms", true),
        ],
    },
    SpecTable {
        file: MEDIA_REALTIME_SPEC,
        operations: &[
            // Media upload. A segment appended again at the same index replaces itself;
            // initialize, finalize and the one-shot upload are not safe to repeat.
            op("mediaUpload", "UploadMedia", false),
            op("initializeMediaUpload", "InitializeUpload", false),
            op("appendMediaUpload", "AppendUpload", true),
            op("finalizeMediaUpload", "FinalizeUpload", false),
            op("getMediaUploadStatus", "GetUploadStatus", false),
            // The X Activity API.
            op("activityStream", "StreamActivity", false),
            op(
                "createActivitySubscription",
                "CreateActivitySubscription",
                false,
            ),
            op(
                "getActivitySubscriptions",
                "GetActivitySubscriptions",
                false,
            ),
            op(
                "updateActivitySubscription",
                "UpdateActivitySubscription",
                false,
            ),
            op(
                "deleteActivitySubscription",
                "DeleteActivitySubscription",
                false,
            ),
            op(
                "deleteActivitySubscriptionsByIds",
                "DeleteActivitySubscriptions",
                false,
            ),
            // Webhooks.
            op("getWebhooks", "GetWebhooks", false),
            op("createWebhooks", "CreateWebhook", false),
            op("validateWebhooks", "ValidateWebhook", false),
            op("deleteWebhooks", "DeleteWebhook", false),
            op("createWebhookReplayJob", "ReplayWebhook", false),
            // The Account Activity API (deprecated, still served).
            op(
                "getAccountActivitySubscriptionCount",
                "GetAaaSubscriptionCount",
                false,
            ),
            op(
                "validateAccountActivitySubscription",
                "CheckAaaSubscription",
                false,
            ),
            op(
                "createAccountActivitySubscription",
                "CreateAaaSubscription",
                false,
            ),
            op(
                "getAccountActivitySubscriptions",
                "GetAaaSubscriptions",
                false,
            ),
            op(
                "deleteAccountActivitySubscription",
                "DeleteAaaSubscription",
                false,
            ),
        ],
    },
    SpecTable {
        file: CHAT_SPEC,
        operations: &[
            // X Chat. No POST is marked safe to repeat: a message, a key version, a media
            // segment or a group sent twice is not known to be harmless.
            op("getUsersMe", "GetMe", false),
            op("addUserPublicKey", "RegisterPublicKey", false),
            op("getUsersPublicKey", "GetPublicKey", false),
            op("getUsersPublicKeys", "GetPublicKeys", false),
            op("getChatConversations", "GetChatConversations", false),
            op("getChatConversation", "GetChatConversation", false),
            op("getChatConversationEvents", "GetChatEvents", false),
            op("addConversationKeys", "AddConversationKeys", false),
            op("sendChatMessage", "SendChatMessage", false),
            op("deleteChatMessages", "DeleteChatMessages", false),
            op("sendChatTypingIndicator", "SendChatTyping", false),
            op("markChatConversationRead", "MarkChatRead", false),
            op("initializeChatGroup", "InitializeChatGroup", false),
            op("createChatConversation", "CreateChatGroup", false),
            op("addChatGroupMembers", "AddChatGroupMembers", false),
            op("chatMediaUploadInitialize", "InitializeChatUpload", false),
            op("chatMediaUploadAppend", "AppendChatUpload", false),
            op("chatMediaUploadFinalize", "FinalizeChatUpload", false),
            op("chatMediaDownload", "DownloadChatMedia", false),
        ],
    },
];

const fn op(
    operation_id: &'static str,
    variant: &'static str,
    idempotent_post: bool,
) -> OperationName {
    OperationName {
        operation_id,
        variant,
        idempotent_post,
    }
}

/// Path parameters whose schema is not a named id schema, and the id type each value is
/// validated as: the spec leaves some as a bare `string` although they hold a typed id
/// (reference §2.9: the conversation id of send-to-conversation is a `DmConversationId`), and
/// gives others an inline pattern only. An inline pattern must equal the id type's pattern
/// where the spec defines that schema.
const UNNAMED_PATH_PARAMS: &[(&str, &str, &str)] = &[
    (
        "createDirectMessagesByConversationId",
        "dm_conversation_id",
        "DmConversationId",
    ),
    ("appendMediaUpload", "id", "MediaId"),
    ("finalizeMediaUpload", "id", "MediaId"),
    (
        "updateActivitySubscription",
        "subscription_id",
        "ActivitySubscriptionId",
    ),
    (
        "deleteActivitySubscription",
        "subscription_id",
        "ActivitySubscriptionId",
    ),
    ("validateWebhooks", "webhook_id", "WebhookConfigId"),
    ("deleteWebhooks", "webhook_id", "WebhookConfigId"),
    ("getChatConversation", "id", "ChatConversationId"),
    ("getChatConversationEvents", "id", "ChatConversationId"),
    ("addConversationKeys", "id", "ChatConversationId"),
    ("sendChatMessage", "id", "ChatConversationId"),
    ("deleteChatMessages", "id", "ChatConversationId"),
    ("sendChatTypingIndicator", "id", "ChatConversationId"),
    ("markChatConversationRead", "id", "ChatConversationId"),
    ("addChatGroupMembers", "id", "ChatConversationId"),
    ("chatMediaUploadAppend", "id", "ChatMediaSessionId"),
    ("chatMediaUploadFinalize", "id", "ChatMediaSessionId"),
    ("chatMediaDownload", "id", "ChatConversationId"),
    ("chatMediaDownload", "media_hash_key", "ChatMediaHashKey"),
];

/// Id types the spec has no schema for, with the pattern the spec gives them inline where it
/// gives one (`getChatConversation` and `chatMediaUploadAppend` give none): an inline
/// pattern must equal it, like a schema's.
const PATTERNS_WITHOUT_SCHEMA: &[(&str, &str)] = &[
    (
        "ChatConversationId",
        "^([0-9]{1,19}|[0-9]{1,19}-[0-9]{1,19}|g[0-9]{1,19})$",
    ),
    ("ChatMediaSessionId", "^[0-9]{1,19}$"),
    ("ChatMediaHashKey", "^[a-zA-Z0-9]{1,50}$"),
];

/// The spec's security schemes, the `AuthScheme` variant each becomes, and the scheme's
/// `type` (and `scheme`, for `http`) it must have in `components.securitySchemes`.
const SECURITY_SCHEMES: &[(&str, &str, &str, Option<&str>)] = &[
    ("BearerToken", "AppOnly", "http", Some("bearer")),
    ("OAuth2UserToken", "OAuth2User", "oauth2", None),
    ("UserToken", "OAuth1User", "http", Some("OAuth")),
];

/// One operation, as read from the spec.
struct SpecOperation {
    name: &'static OperationName,
    file: &'static str,
    method: String,
    path: String,
    summary: String,
    /// The `StatusCode` constant of the first 2xx response.
    success_const: &'static str,
    response_media_type: String,
    request_media_types: Vec<String>,
    /// `AuthScheme` variants, in the spec's order.
    auth: Vec<&'static str>,
    scopes: Vec<String>,
    oauth1: bool,
    streaming: bool,
    path_params: Vec<SpecPathParam>,
    query_params: Vec<String>,
}

struct SpecPathParam {
    name: String,
    id_type: String,
    pattern: String,
    pattern_in_spec: bool,
    /// Empty when the spec gives none.
    description: String,
}

/// Generates the operations file.
pub fn generate(specs: &Specs) -> Result<Vec<Generated>, Error> {
    let ops = read_all(specs)?;
    Ok(vec![Generated {
        path: "crates/dm-query/src/generated/operations.rs",
        sources: SPEC_FILES.to_vec(),
        contents: render(&ops),
    }])
}

/// Every operation of every table, each from its spec file, in declaration order.
fn read_all(specs: &Specs) -> Result<Vec<SpecOperation>, Error> {
    let tables: Vec<&str> = TABLES.iter().map(|t| t.file).collect();
    if tables != SPEC_FILES {
        return Err(Error::new(format!(
            "the operation tables cover {tables:?}, the spec files are {SPEC_FILES:?}"
        )));
    }
    let mut ops = Vec::new();
    for table in TABLES {
        ops.extend(read_operations(specs.get(table.file)?, table)?);
    }
    let mut variants: Vec<&str> = ops.iter().map(|o| o.name.variant).collect();
    variants.sort_unstable();
    if let Some(w) = variants.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::new(format!("variant `{}` is named twice", w[0])));
    }
    Ok(ops)
}

fn str_at<'a>(v: &'a Value, key: &str, ctx: &str) -> Result<&'a str, Error> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::new(format!("{ctx}: missing string `{key}`")))
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> Result<&'a Value, Error> {
    match v.get("$ref").and_then(Value::as_str) {
        None => Ok(v),
        Some(r) => {
            let pointer = r
                .strip_prefix('#')
                .ok_or_else(|| Error::new(format!("non-local $ref {r}")))?;
            spec.pointer(pointer)
                .ok_or_else(|| Error::new(format!("dangling $ref {r}")))
        }
    }
}

fn schema_name(v: &Value) -> Option<&str> {
    v.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
}

fn read_operations(spec: &Value, table: &'static SpecTable) -> Result<Vec<SpecOperation>, Error> {
    let file = table.file;
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new(format!("{file} has no `paths`")))?;
    let mut found = Vec::new();
    for (path, item) in paths {
        let item = item
            .as_object()
            .ok_or_else(|| Error::new(format!("{file}: path {path} is not an object")))?;
        for (method, operation) in item {
            if !matches!(
                method.as_str(),
                "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
            ) {
                continue;
            }
            let ctx = format!("{file}: {} {path}", method.to_uppercase());
            let operation_id = str_at(operation, "operationId", &ctx)?;
            let name = table
                .operations
                .iter()
                .find(|o| o.operation_id == operation_id)
                .ok_or_else(|| {
                    Error::new(format!(
                        "{ctx}: operation `{operation_id}` has no name in the {file} table of xtask/src/codegen/operations.rs"
                    ))
                })?;
            found.push(read_operation(
                spec, file, name, method, path, operation, &ctx,
            )?);
        }
    }
    for name in table.operations {
        if !found
            .iter()
            .any(|o| o.name.operation_id == name.operation_id)
        {
            return Err(Error::new(format!(
                "operation `{}` is not in {file}",
                name.operation_id
            )));
        }
    }
    found.sort_by_key(|o| {
        table
            .operations
            .iter()
            .position(|n| n.operation_id == o.name.operation_id)
    });
    Ok(found)
}

fn read_operation(
    spec: &Value,
    file: &'static str,
    name: &'static OperationName,
    method: &str,
    path: &str,
    operation: &Value,
    ctx: &str,
) -> Result<SpecOperation, Error> {
    let responses = operation
        .get("responses")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new(format!("{ctx}: no responses")))?;
    let (success, response) = responses
        .iter()
        .filter_map(|(code, r)| Some((code.parse::<u16>().ok()?, r)))
        .find(|(code, _)| (200..300).contains(code))
        .ok_or_else(|| Error::new(format!("{ctx}: no 2xx response")))?;
    let response = resolve(spec, response)?;
    let response_media_type = response
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.keys().next().cloned())
        .ok_or_else(|| Error::new(format!("{ctx}: {success} response has no content")))?;
    let request_media_types = match operation.get("requestBody") {
        None => Vec::new(),
        Some(body) => {
            let types: Vec<String> = resolve(spec, body)?
                .get("content")
                .and_then(Value::as_object)
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            if types.is_empty() {
                return Err(Error::new(format!("{ctx}: request body has no content")));
            }
            types
        }
    };

    let (auth, scopes, oauth1) = read_security(spec, operation, ctx)?;

    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    for param in operation
        .get("parameters")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let param = resolve(spec, param)?;
        let pname = str_at(param, "name", ctx)?;
        match str_at(param, "in", ctx)? {
            "query" => query_params.push(pname.to_owned()),
            "path" => path_params.push(read_path_param(spec, name, param, pname, ctx)?),
            other => {
                return Err(Error::new(format!(
                    "{ctx}: parameter `{pname}` in `{other}` is not supported"
                )));
            }
        }
    }
    // Every `{placeholder}` in the template must be a declared path parameter, in order.
    let placeholders: Vec<&str> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    let declared: Vec<&str> = path_params.iter().map(|p| p.name.as_str()).collect();
    if placeholders != declared {
        return Err(Error::new(format!(
            "{ctx}: path placeholders {placeholders:?} differ from declared path parameters {declared:?}"
        )));
    }

    let streaming = match operation.get("x-twitter-streaming") {
        None => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| Error::new(format!("{ctx}: `x-twitter-streaming` is not a boolean")))?,
    };

    Ok(SpecOperation {
        name,
        file,
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: str_at(operation, "summary", ctx)?.to_owned(),
        success_const: status_const(success, ctx)?,
        response_media_type,
        request_media_types,
        auth,
        scopes,
        oauth1,
        streaming,
        path_params,
        query_params,
    })
}

/// The operation's security requirements: the `AuthScheme` variants it accepts (in spec
/// order), its OAuth 2.0 user-token scopes and whether OAuth 1.0a is among them. Each
/// requirement must name exactly one scheme, one of [`SECURITY_SCHEMES`], defined as expected.
fn read_security(
    spec: &Value,
    operation: &Value,
    ctx: &str,
) -> Result<(Vec<&'static str>, Vec<String>, bool), Error> {
    let requirements = operation
        .get("security")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| Error::new(format!("{ctx}: no security requirements")))?;
    let mut auth = Vec::new();
    let mut scopes = Vec::new();
    let mut oauth1 = false;
    for requirement in requirements {
        let requirement = requirement
            .as_object()
            .filter(|r| r.len() == 1)
            .ok_or_else(|| {
                Error::new(format!(
                    "{ctx}: security requirement {requirement} does not name exactly one scheme"
                ))
            })?;
        let (scheme, list) = requirement.iter().next().unwrap_or_else(|| unreachable!());
        let (_, variant, ty, http_scheme) = SECURITY_SCHEMES
            .iter()
            .find(|(n, ..)| n == scheme)
            .ok_or_else(|| {
                Error::new(format!(
                    "{ctx}: security scheme `{scheme}` is not in SECURITY_SCHEMES"
                ))
            })?;
        let defined = spec
            .pointer(&format!("/components/securitySchemes/{scheme}"))
            .ok_or_else(|| {
                Error::new(format!("{ctx}: security scheme `{scheme}` is not defined"))
            })?;
        if defined.get("type").and_then(Value::as_str) != Some(ty)
            || http_scheme.is_some_and(|h| defined.get("scheme").and_then(Value::as_str) != Some(h))
        {
            return Err(Error::new(format!(
                "{ctx}: security scheme `{scheme}` is not {ty} {}: {defined}",
                http_scheme.unwrap_or_default()
            )));
        }
        if !auth.contains(variant) {
            auth.push(*variant);
        }
        let list = list
            .as_array()
            .ok_or_else(|| Error::new(format!("{ctx}: scopes of `{scheme}` are not a list")))?;
        if *variant == "OAuth2User" {
            for s in list {
                let s = s
                    .as_str()
                    .ok_or_else(|| Error::new(format!("{ctx}: non-string scope")))?;
                scopes.push(s.to_owned());
            }
        } else if !list.is_empty() {
            return Err(Error::new(format!("{ctx}: `{scheme}` lists scopes")));
        }
        if *variant == "OAuth1User" {
            oauth1 = true;
        }
    }
    Ok((auth, scopes, oauth1))
}

fn read_path_param(
    spec: &Value,
    op: &OperationName,
    param: &Value,
    pname: &str,
    ctx: &str,
) -> Result<SpecPathParam, Error> {
    let schema = param
        .get("schema")
        .ok_or_else(|| Error::new(format!("{ctx}: path parameter `{pname}` has no schema")))?;
    let description = param
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let named_type = || {
        UNNAMED_PATH_PARAMS
            .iter()
            .find(|(id, p, _)| *id == op.operation_id && *p == pname)
            .map(|(_, _, ty)| (*ty).to_owned())
            .ok_or_else(|| {
                Error::new(format!(
                    "{ctx}: path parameter `{pname}` has no id schema; name its id type in UNNAMED_PATH_PARAMS"
                ))
            })
    };
    let (id_type, inline_pattern) = match schema_name(schema) {
        Some(n) => (n.to_owned(), None),
        None => (
            named_type()?,
            schema
                .get("pattern")
                .and_then(Value::as_str)
                .map(str::to_owned),
        ),
    };
    let schema_pattern = spec
        .pointer(&format!("/components/schemas/{id_type}/pattern"))
        .and_then(Value::as_str)
        .or_else(|| {
            PATTERNS_WITHOUT_SCHEMA
                .iter()
                .find(|(ty, _)| *ty == id_type)
                .map(|(_, p)| *p)
        });
    let pattern = match (inline_pattern.as_deref(), schema_pattern) {
        (Some(inline), Some(named)) if inline != named => {
            return Err(Error::new(format!(
                "{ctx}: path parameter `{pname}` has pattern {inline}, but `{id_type}` is {named}"
            )));
        }
        (Some(p), _) | (None, Some(p)) => p.to_owned(),
        (None, None) => {
            return Err(Error::new(format!(
                "{ctx}: schema `{id_type}` has no pattern"
            )));
        }
    };
    Ok(SpecPathParam {
        name: pname.to_owned(),
        id_type,
        pattern,
        // A bare string in the spec; our id type still validates it.
        pattern_in_spec: schema_name(schema).is_some() || inline_pattern.is_some(),
        description,
    })
}

fn status_const(code: u16, ctx: &str) -> Result<&'static str, Error> {
    Ok(match code {
        200 => "OK",
        201 => "CREATED",
        202 => "ACCEPTED",
        204 => "NO_CONTENT",
        _ => {
            return Err(Error::new(format!(
                "{ctx}: success status {code} has no name in status_const"
            )));
        }
    })
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("&[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

fn render(ops: &[SpecOperation]) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "use http::{{Method, StatusCode}};\n\nuse crate::operation::{{AuthScheme, PathParam}};\n"
    );
    let _ = writeln!(
        w,
        "/// One X API v2 operation, as listed in the vendored OpenAPI specs: the Direct Messages\n\
         /// endpoints, then media upload, the X Activity API, webhooks and the Account Activity API.\n\
         ///\n\
         /// Requests built by this crate carry their `Operation` in `http::Request::extensions`,\n\
         /// so transports and middleware can tell endpoints apart without parsing URIs.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         #[non_exhaustive]\n\
         pub enum Operation {{"
    );
    for o in ops {
        let _ = writeln!(
            w,
            "    /// `{} {}`: {} (`{}`).\n    {},",
            o.method, o.path, o.summary, o.name.operation_id, o.name.variant
        );
    }
    let _ = writeln!(w, "}}\n\nimpl Operation {{");
    let _ = writeln!(
        w,
        "    /// Every operation, in declaration order.\n    pub const ALL: &'static [Operation] = &["
    );
    for o in ops {
        let _ = writeln!(w, "        Operation::{},", o.name.variant);
    }
    let _ = writeln!(w, "    ];\n");

    method_fn(
        w,
        ops,
        "The vendored spec file the operation is read from, relative to the workspace root.",
        "pub const fn spec_file(self) -> &'static str",
        |o| format!("{:?}", o.file),
    );
    method_fn(
        w,
        ops,
        "The HTTP method.",
        "pub fn method(self) -> Method",
        |o| format!("Method::{}", o.method),
    );
    method_fn(
        w,
        ops,
        "The path template, e.g. `/2/dm_events/{event_id}`; placeholders are path parameter names.",
        "pub const fn path_template(self) -> &'static str",
        |o| format!("{:?}", o.path),
    );
    method_fn(
        w,
        ops,
        "The spec's `operationId`.",
        "pub const fn operation_id(self) -> &'static str",
        |o| format!("{:?}", o.name.operation_id),
    );
    method_fn(
        w,
        ops,
        "The spec's one-line summary.",
        "pub const fn summary(self) -> &'static str",
        |o| format!("{:?}", o.summary),
    );
    method_fn(
        w,
        ops,
        "The status of a successful response (`201` for the DM sends, `200` for the others).",
        "pub const fn success_status(self) -> StatusCode",
        |o| format!("StatusCode::{}", o.success_const),
    );
    method_fn(
        w,
        ops,
        "The media type of a successful response body.",
        "pub const fn response_media_type(self) -> &'static str",
        |o| format!("{:?}", o.response_media_type),
    );
    method_fn(
        w,
        ops,
        "The security schemes the spec accepts for this operation, in spec order: an app-only\n\
         /// bearer token, an OAuth 2.0 user token (with [`Operation::oauth2_scopes`]), OAuth 1.0a\n\
         /// user context.",
        "pub const fn auth_schemes(self) -> &'static [AuthScheme]",
        |o| list(o.auth.iter().map(|a| format!("AuthScheme::{a}"))),
    );
    method_fn(
        w,
        ops,
        "The OAuth 2.0 user-token scopes the spec lists for this operation (empty when it takes\n\
         /// no OAuth 2.0 user token, or one without a particular scope).\n\
         ///\n\
         /// The docs also want `dm.read` beside `dm.write` and vice versa; request\n\
         /// `dm.read dm.write tweet.read users.read offline.access` to cover every DM operation,\n\
         /// and `media.write` as well to upload media.",
        "pub const fn oauth2_scopes(self) -> &'static [&'static str]",
        |o| list(o.scopes.iter().map(|s| format!("{s:?}"))),
    );
    method_fn(
        w,
        ops,
        "Whether the spec also accepts OAuth 1.0a user context (`UserToken`).",
        "pub const fn supports_oauth1(self) -> bool",
        |o| o.oauth1.to_string(),
    );
    method_fn(
        w,
        ops,
        "The path parameters, in template order.",
        "pub const fn path_params(self) -> &'static [PathParam]",
        |o| {
            list(o.path_params.iter().map(|p| {
                format!(
                    "PathParam {{ name: {:?}, id_type: {:?}, pattern: {:?}, pattern_in_spec: {}, description: {:?} }}",
                    p.name, p.id_type, p.pattern, p.pattern_in_spec, p.description
                )
            }))
        },
    );
    method_fn(
        w,
        ops,
        "The query parameters, in spec order.",
        "pub const fn query_params(self) -> &'static [&'static str]",
        |o| list(o.query_params.iter().map(|s| format!("{s:?}"))),
    );
    method_fn(
        w,
        ops,
        "Whether the operation takes a request body (see [`Operation::request_media_types`]).",
        "pub const fn has_request_body(self) -> bool",
        |o| (!o.request_media_types.is_empty()).to_string(),
    );
    method_fn(
        w,
        ops,
        "The media types the request body may have, in spec order (empty without a body).",
        "pub const fn request_media_types(self) -> &'static [&'static str]",
        |o| list(o.request_media_types.iter().map(|s| format!("{s:?}"))),
    );
    method_fn(
        w,
        ops,
        "Whether the response is a long-lived stream (`x-twitter-streaming`): read it\n\
         /// incrementally, not whole.",
        "pub const fn is_streaming(self) -> bool",
        |o| o.streaming.to_string(),
    );
    method_fn(
        w,
        ops,
        "Whether repeating the request leaves the same state, so it is safe to retry after a\n\
         /// timeout: `GET`, `PUT`, `DELETE`, and the `POST`s that are (block/unblock, a media\n\
         /// chunk appended at its segment index). The DM sends are not (a retried send can post\n\
         /// the message twice), nor are the uploads, upload initialize/finalize and the creates.",
        "pub const fn is_idempotent(self) -> bool",
        |o| {
            let by_method = matches!(
                o.method.as_str(),
                "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
            );
            (by_method || o.name.idempotent_post).to_string()
        },
    );
    let _ = writeln!(w, "}}");
    s
}

fn method_fn(
    w: &mut String,
    ops: &[SpecOperation],
    doc: &str,
    signature: &str,
    value: impl Fn(&SpecOperation) -> String,
) {
    let _ = writeln!(
        w,
        "    /// {doc}\n    {signature} {{\n        match self {{"
    );
    for o in ops {
        let _ = writeln!(
            w,
            "            Operation::{} => {},",
            o.name.variant,
            value(o)
        );
    }
    let _ = writeln!(w, "        }}\n    }}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Specs {
        Specs::load().unwrap()
    }

    fn spec_167() -> Value {
        super::super::load_spec("spec/openapi-dm-2.167.json").unwrap()
    }

    /// `(operationId, METHOD, path, first 2xx status)` of every operation in `spec`.
    fn summary(spec: &Value) -> Vec<(String, String, String, String)> {
        let mut out = Vec::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let ok = op["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .find(|k| k.starts_with('2'))
                    .unwrap()
                    .clone();
                out.push((
                    op["operationId"].as_str().unwrap().to_owned(),
                    method.to_uppercase(),
                    path.clone(),
                    ok,
                ));
            }
        }
        out.sort();
        out
    }

    fn find<'a>(ops: &'a [SpecOperation], variant: &str) -> &'a SpecOperation {
        ops.iter().find(|o| o.name.variant == variant).unwrap()
    }

    fn generate_err(specs: &Specs) -> String {
        generate(specs).err().unwrap().to_string()
    }

    #[test]
    fn reads_every_operation_from_its_spec_file() {
        let ops = read_all(&specs()).unwrap();
        let names: Vec<&str> = ops.iter().map(|o| o.name.variant).collect();
        let expected: Vec<&str> = TABLES
            .iter()
            .flat_map(|t| t.operations.iter().map(|o| o.variant))
            .collect();
        assert_eq!(names, expected);
        assert_eq!(ops.len(), 11 + 21 + 19);
        assert!(ops[..11].iter().all(|o| o.file == DM_SPEC));
        assert!(ops[11..32].iter().all(|o| o.file == MEDIA_REALTIME_SPEC));
        assert!(ops[32..].iter().all(|o| o.file == CHAT_SPEC));
        // X Chat: ids without a schema get their type and pattern, with or without an inline one.
        let conv = find(&ops, "GetChatConversation");
        assert_eq!(conv.path_params[0].id_type, "ChatConversationId");
        assert!(!conv.path_params[0].pattern_in_spec);
        assert_eq!(
            conv.path_params[0].pattern,
            "^([0-9]{1,19}|[0-9]{1,19}-[0-9]{1,19}|g[0-9]{1,19})$"
        );
        assert!(find(&ops, "GetChatEvents").path_params[0].pattern_in_spec);
        assert_eq!(find(&ops, "SendChatMessage").success_const, "CREATED");
        assert_eq!(
            find(&ops, "DownloadChatMedia").response_media_type,
            "application/octet-stream"
        );

        let send = find(&ops, "SendToConversation");
        assert_eq!(send.success_const, "CREATED");
        assert!(!send.path_params[0].pattern_in_spec);
        assert_eq!(send.path_params[0].id_type, "DmConversationId");
        assert_eq!(send.request_media_types, ["application/json"]);
        let download = find(&ops, "DownloadMedia");
        assert_eq!(download.response_media_type, "application/octet-stream");
        assert!(!download.oauth1);
        assert_eq!(download.scopes, ["dm.read"]);
        assert_eq!(download.auth, ["OAuth2User"]);
    }

    #[test]
    fn reads_the_media_and_realtime_facts() {
        let ops = read_all(&specs()).unwrap();
        for o in &ops[11..32] {
            assert_eq!(o.success_const, "OK", "{}", o.name.variant);
            assert_eq!(o.response_media_type, "application/json");
        }
        let upload = find(&ops, "UploadMedia");
        assert_eq!(
            upload.request_media_types,
            ["application/json", "multipart/form-data"]
        );
        assert_eq!(upload.auth, ["OAuth2User", "OAuth1User"]);
        assert_eq!(upload.scopes, ["media.write"]);
        let append = find(&ops, "AppendUpload");
        assert!(append.name.idempotent_post);
        let id = &append.path_params[0];
        assert_eq!(
            (id.name.as_str(), id.id_type.as_str(), id.pattern.as_str()),
            ("id", "MediaId", "^[0-9]{1,19}$")
        );
        assert!(id.pattern_in_spec);
        let finalize = find(&ops, "FinalizeUpload");
        assert!(finalize.request_media_types.is_empty());
        assert!(!finalize.name.idempotent_post);
        let status = find(&ops, "GetUploadStatus");
        assert_eq!(status.query_params, ["media_id", "command"]);

        let stream = find(&ops, "StreamActivity");
        assert!(stream.streaming);
        assert_eq!(stream.auth, ["AppOnly"]);
        assert!(stream.scopes.is_empty());
        assert_eq!(
            stream.query_params,
            ["backfill_minutes", "start_time", "end_time"]
        );
        assert_eq!(ops.iter().filter(|o| o.streaming).count(), 1);
        let create = find(&ops, "CreateActivitySubscription");
        assert_eq!(create.auth, ["OAuth2User", "OAuth1User", "AppOnly"]);
        assert!(create.scopes.is_empty());
        let update = find(&ops, "UpdateActivitySubscription");
        assert_eq!(update.path_params[0].id_type, "ActivitySubscriptionId");
        assert_eq!(update.auth, ["AppOnly"]);
        assert_eq!(find(&ops, "CreateWebhook").auth, ["OAuth1User", "AppOnly"]);
        assert_eq!(
            find(&ops, "ValidateWebhook").path_params[0].id_type,
            "WebhookConfigId"
        );
        let unsubscribe = find(&ops, "DeleteAaaSubscription");
        let types: Vec<&str> = unsubscribe
            .path_params
            .iter()
            .map(|p| p.id_type.as_str())
            .collect();
        assert_eq!(types, ["WebhookConfigId", "UserId"]);
        assert!(unsubscribe.path_params.iter().all(|p| p.pattern_in_spec));
        assert_eq!(
            find(&ops, "CreateAaaSubscription").scopes,
            ["dm.read", "users.read", "dm.write", "tweet.read"]
        );
    }

    #[test]
    fn the_newer_spec_has_the_same_operations() {
        assert_eq!(summary(specs().get(DM_SPEC).unwrap()), summary(&spec_167()));
    }

    #[test]
    fn an_unnamed_operation_fails_the_generator() {
        let mut specs = specs();
        specs.get_mut(DM_SPEC)["paths"]["/2/dm_events"]["put"] = serde_json::json!({
            "operationId": "replaceDirectMessagesEvents",
            "summary": "new",
            "responses": {"200": {"content": {"application/json": {}}}}
        });
        let err = generate_err(&specs);
        assert!(err.contains("replaceDirectMessagesEvents"), "{err}");

        let mut specs = self::specs();
        specs.get_mut(MEDIA_REALTIME_SPEC)["paths"]["/2/media/upload/{id}/abort"] = serde_json::json!({
            "post": {"operationId": "abortMediaUpload", "summary": "new",
                     "responses": {"200": {"content": {"application/json": {}}}}}
        });
        let err = generate_err(&specs);
        assert!(
            err.contains("abortMediaUpload") && err.contains(MEDIA_REALTIME_SPEC),
            "{err}"
        );
    }

    #[test]
    fn an_operation_in_the_wrong_spec_file_fails_the_generator() {
        let mut specs = specs();
        let upload = specs.get_mut(MEDIA_REALTIME_SPEC)["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/2/media/upload/initialize")
            .unwrap();
        specs.get_mut(DM_SPEC)["paths"]["/2/media/upload/initialize"] = upload;
        let err = generate_err(&specs);
        assert!(
            err.contains("initializeMediaUpload") && err.contains(DM_SPEC),
            "{err}"
        );
    }

    #[test]
    fn a_missing_operation_fails_the_generator() {
        let mut specs = specs();
        specs.get_mut(DM_SPEC)["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/2/users/{id}/dm/block");
        let err = generate_err(&specs);
        assert!(err.contains("blockUsersDms"), "{err}");

        let mut specs = self::specs();
        specs.get_mut(MEDIA_REALTIME_SPEC)["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/2/webhooks/replay");
        let err = generate_err(&specs);
        assert!(err.contains("createWebhookReplayJob"), "{err}");
    }

    #[test]
    fn an_untyped_path_parameter_fails_the_generator() {
        let mut specs = specs();
        specs.get_mut(DM_SPEC)["paths"]["/2/dm_events/{event_id}"]["get"]["parameters"][0]["schema"] =
            serde_json::json!({"type": "string"});
        let err = generate_err(&specs);
        assert!(err.contains("event_id"), "{err}");
    }

    #[test]
    fn an_inline_pattern_must_match_its_id_type() {
        let mut specs = specs();
        specs.get_mut(MEDIA_REALTIME_SPEC)["paths"]["/2/webhooks/{webhook_id}"]["put"]["parameters"]
            [0]["schema"]["pattern"] = serde_json::json!("^[0-9]{1,5}$");
        let err = generate_err(&specs);
        assert!(
            err.contains("webhook_id") && err.contains("WebhookConfigId"),
            "{err}"
        );
    }

    #[test]
    fn unknown_or_combined_security_fails_the_generator() {
        let mut specs = specs();
        specs.get_mut(MEDIA_REALTIME_SPEC)["paths"]["/2/activity/stream"]["get"]["security"] =
            serde_json::json!([{"ApiKey": []}]);
        let err = generate_err(&specs);
        assert!(err.contains("ApiKey"), "{err}");

        let mut specs = self::specs();
        specs.get_mut(MEDIA_REALTIME_SPEC)["paths"]["/2/activity/stream"]["get"]["security"] =
            serde_json::json!([{"BearerToken": [], "UserToken": []}]);
        let err = generate_err(&specs);
        assert!(err.contains("exactly one scheme"), "{err}");

        let mut specs = self::specs();
        specs.get_mut(MEDIA_REALTIME_SPEC)["paths"]["/2/activity/stream"]["get"]
            .as_object_mut()
            .unwrap()
            .remove("security");
        let err = generate_err(&specs);
        assert!(err.contains("no security"), "{err}");
    }

    #[test]
    fn an_unnamed_success_status_fails_the_generator() {
        let mut specs = specs();
        let responses = &mut specs.get_mut(MEDIA_REALTIME_SPEC)["paths"]["/2/webhooks/replay"]["post"]
            ["responses"];
        let ok = responses.as_object_mut().unwrap().remove("200").unwrap();
        responses["207"] = ok;
        let err = generate_err(&specs);
        assert!(err.contains("207"), "{err}");
    }
}
