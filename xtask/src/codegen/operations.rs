//! `crates/dm-query/src/generated/operations.rs`: the `Operation` enum, one variant per DM
//! operation in the spec, with its method, path template, path parameters (and their id
//! patterns), query parameters, success status, response media type and OAuth 2.0 scopes.
//!
//! The variant names are ours (the spec's `operationId`s are long and unstable across spec
//! versions), so they come from [`OPERATIONS`]; the generator fails when the spec and that table
//! disagree (an operation missing from either side), so a new DM operation cannot slip by.

use std::fmt::Write as _;

use serde_json::Value;

use super::{Error, Generated};

/// Our name for each spec operation, in the order the enum declares them.
struct OperationName {
    operation_id: &'static str,
    variant: &'static str,
    /// A `POST` whose repetition leaves the same state (block/unblock).
    idempotent_post: bool,
}

const OPERATIONS: &[OperationName] = &[
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

/// Path parameters the spec leaves as a bare `string` although they hold a typed id
/// (reference §2.9: the conversation id of send-to-conversation is a `DmConversationId`).
const UNTYPED_PATH_PARAMS: &[(&str, &str, &str)] = &[(
    "createDirectMessagesByConversationId",
    "dm_conversation_id",
    "DmConversationId",
)];

/// One operation, as read from the spec.
struct SpecOperation {
    name: &'static OperationName,
    method: String,
    path: String,
    summary: String,
    success: u16,
    response_media_type: String,
    scopes: Vec<String>,
    oauth1: bool,
    path_params: Vec<SpecPathParam>,
    query_params: Vec<String>,
    has_body: bool,
}

struct SpecPathParam {
    name: String,
    id_type: String,
    pattern: String,
    pattern_in_spec: bool,
    description: String,
}

/// Generates the operations file.
pub fn generate(spec: &Value) -> Result<Vec<Generated>, Error> {
    let ops = read_operations(spec)?;
    Ok(vec![Generated {
        path: "crates/dm-query/src/generated/operations.rs",
        contents: render(&ops),
    }])
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

fn read_operations(spec: &Value) -> Result<Vec<SpecOperation>, Error> {
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new("spec has no `paths`"))?;
    let mut found = Vec::new();
    for (path, item) in paths {
        let item = item
            .as_object()
            .ok_or_else(|| Error::new(format!("path {path} is not an object")))?;
        for (method, operation) in item {
            if !matches!(
                method.as_str(),
                "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
            ) {
                continue;
            }
            let ctx = format!("{} {path}", method.to_uppercase());
            let operation_id = str_at(operation, "operationId", &ctx)?;
            let name = OPERATIONS
                .iter()
                .find(|o| o.operation_id == operation_id)
                .ok_or_else(|| {
                    Error::new(format!(
                        "{ctx}: operation `{operation_id}` has no name in xtask/src/codegen/operations.rs"
                    ))
                })?;
            found.push(read_operation(spec, name, method, path, operation, &ctx)?);
        }
    }
    for name in OPERATIONS {
        if !found
            .iter()
            .any(|o| o.name.operation_id == name.operation_id)
        {
            return Err(Error::new(format!(
                "operation `{}` is not in the spec",
                name.operation_id
            )));
        }
    }
    found.sort_by_key(|o| {
        OPERATIONS
            .iter()
            .position(|n| n.operation_id == o.name.operation_id)
    });
    Ok(found)
}

fn read_operation(
    spec: &Value,
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

    let mut scopes = Vec::new();
    let mut oauth1 = false;
    for requirement in operation
        .get("security")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        if let Some(list) = requirement.get("OAuth2UserToken").and_then(Value::as_array) {
            for s in list {
                let s = s
                    .as_str()
                    .ok_or_else(|| Error::new(format!("{ctx}: non-string scope")))?;
                scopes.push(s.to_owned());
            }
        }
        if requirement.get("UserToken").is_some() {
            oauth1 = true;
        }
    }

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

    Ok(SpecOperation {
        name,
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: str_at(operation, "summary", ctx)?.to_owned(),
        success,
        response_media_type,
        scopes,
        oauth1,
        path_params,
        query_params,
        has_body: operation.get("requestBody").is_some(),
    })
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
    let description = str_at(param, "description", ctx)?.to_owned();
    let (id_type, pattern_in_spec) = match schema_name(schema) {
        Some(n) => (n.to_owned(), true),
        None => {
            let (_, _, ty) = UNTYPED_PATH_PARAMS
                .iter()
                .find(|(id, p, _)| *id == op.operation_id && *p == pname)
                .ok_or_else(|| {
                    Error::new(format!(
                        "{ctx}: path parameter `{pname}` has no id schema; name its id type in UNTYPED_PATH_PARAMS"
                    ))
                })?;
            ((*ty).to_owned(), false)
        }
    };
    let pattern = spec
        .pointer(&format!("/components/schemas/{id_type}/pattern"))
        .and_then(Value::as_str)
        .ok_or_else(|| Error::new(format!("{ctx}: schema `{id_type}` has no pattern")))?
        .to_owned();
    Ok(SpecPathParam {
        name: pname.to_owned(),
        id_type,
        pattern,
        pattern_in_spec,
        description,
    })
}

fn status_const(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "CREATED",
        202 => "ACCEPTED",
        204 => "NO_CONTENT",
        _ => "OK",
    }
}

fn render(ops: &[SpecOperation]) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "use http::{{Method, StatusCode}};\n\nuse crate::operation::PathParam;\n"
    );
    let _ = writeln!(
        w,
        "/// One X API v2 Direct Messages operation, as listed in the OpenAPI spec.\n\
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
        "The status of a successful response (`200`, or `201` for the sends).",
        "pub const fn success_status(self) -> StatusCode",
        |o| format!("StatusCode::{}", status_const(o.success)),
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
        "The OAuth 2.0 user-token scopes the spec lists for this operation.\n\
         ///\n\
         /// The docs also want `dm.read` beside `dm.write` and vice versa; request\n\
         /// `dm.read dm.write tweet.read users.read offline.access` to cover every operation.",
        "pub const fn oauth2_scopes(self) -> &'static [&'static str]",
        |o| {
            let list: Vec<String> = o.scopes.iter().map(|s| format!("{s:?}")).collect();
            format!("&[{}]", list.join(", "))
        },
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
            let list: Vec<String> = o
                .path_params
                .iter()
                .map(|p| {
                    format!(
                        "PathParam {{ name: {:?}, id_type: {:?}, pattern: {:?}, pattern_in_spec: {}, description: {:?} }}",
                        p.name, p.id_type, p.pattern, p.pattern_in_spec, p.description
                    )
                })
                .collect();
            format!("&[{}]", list.join(", "))
        },
    );
    method_fn(
        w,
        ops,
        "The query parameters, in spec order.",
        "pub const fn query_params(self) -> &'static [&'static str]",
        |o| {
            let list: Vec<String> = o.query_params.iter().map(|s| format!("{s:?}")).collect();
            format!("&[{}]", list.join(", "))
        },
    );
    method_fn(
        w,
        ops,
        "Whether the operation takes a JSON request body.",
        "pub const fn has_request_body(self) -> bool",
        |o| o.has_body.to_string(),
    );
    method_fn(
        w,
        ops,
        "Whether repeating the request leaves the same state, so it is safe to retry after a\n\
         /// timeout. The sends are not: a retried send can post the message twice.",
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

    fn spec() -> Value {
        super::super::load_spec().unwrap()
    }

    fn spec_167() -> Value {
        let path = super::super::workspace_root().join("spec/openapi-dm-2.167.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
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

    #[test]
    fn reads_every_dm_operation() {
        let ops = read_operations(&spec()).unwrap();
        let names: Vec<&str> = ops.iter().map(|o| o.name.variant).collect();
        let expected: Vec<&str> = OPERATIONS.iter().map(|o| o.variant).collect();
        assert_eq!(names, expected);
        let send = ops
            .iter()
            .find(|o| o.name.variant == "SendToConversation")
            .unwrap();
        assert_eq!(send.success, 201);
        assert!(!send.path_params[0].pattern_in_spec);
        assert_eq!(send.path_params[0].id_type, "DmConversationId");
        let download = ops
            .iter()
            .find(|o| o.name.variant == "DownloadMedia")
            .unwrap();
        assert_eq!(download.response_media_type, "application/octet-stream");
        assert!(!download.oauth1);
        assert_eq!(download.scopes, ["dm.read"]);
    }

    #[test]
    fn the_newer_spec_has_the_same_operations() {
        assert_eq!(summary(&spec()), summary(&spec_167()));
    }

    #[test]
    fn an_unnamed_operation_fails_the_generator() {
        let mut spec = spec();
        spec["paths"]["/2/dm_events"]["put"] = serde_json::json!({
            "operationId": "replaceDirectMessagesEvents",
            "summary": "new",
            "responses": {"200": {"content": {"application/json": {}}}}
        });
        let err = generate(&spec).err().unwrap().to_string();
        assert!(err.contains("replaceDirectMessagesEvents"), "{err}");
    }

    #[test]
    fn a_missing_operation_fails_the_generator() {
        let mut spec = spec();
        spec["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/2/users/{id}/dm/block");
        let err = generate(&spec).err().unwrap().to_string();
        assert!(err.contains("blockUsersDms"), "{err}");
    }

    #[test]
    fn an_untyped_path_parameter_fails_the_generator() {
        let mut spec = spec();
        spec["paths"]["/2/dm_events/{event_id}"]["get"]["parameters"][0]["schema"] =
            serde_json::json!({"type": "string"});
        let err = generate(&spec).err().unwrap().to_string();
        assert!(err.contains("event_id"), "{err}");
    }
}
