//! What the generated [`Operation`] enum says about each path parameter, and the
//! rendering of a path template with percent-encoded segments.

use std::fmt;

use dm_model::{DmConversationId, DmEventId, DmResourceId, MediaId, MediaKey, TweetId, UserId};

use crate::encode::encode_path_segment;
use crate::error::QueryError;
pub use crate::generated::operations::Operation;

/// A path parameter of an [`Operation`], as described by the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PathParam {
    /// The placeholder name in the path template, e.g. `event_id`.
    pub name: &'static str,
    /// The `dm-model` id type the value must be, e.g. `DmEventId`.
    pub id_type: &'static str,
    /// The id type's pattern from the spec, e.g. `^[0-9]{1,19}$`.
    pub pattern: &'static str,
    /// `false` when the spec declares the parameter as a bare string (the conversation id of
    /// send-to-conversation); the value is still validated as [`PathParam::id_type`].
    pub pattern_in_spec: bool,
    /// The spec's description.
    pub description: &'static str,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method(), self.path_template())
    }
}

impl Operation {
    /// Renders the path template with `values` (one per path parameter, in template order),
    /// each percent-encoded as a path segment.
    ///
    /// # Errors
    ///
    /// [`QueryError::PathParams`] when the number of values differs from the template's
    /// parameters, [`QueryError::InvalidId`] when a value does not match its id type (the
    /// conversation id of send-to-conversation included, although the spec gives no
    /// pattern), [`QueryError::InvalidPathSegment`] for a dot segment (`.`/`..`, a valid
    /// `DmResourceId` that would change the path).
    pub fn render_path(self, values: &[&str]) -> Result<String, QueryError> {
        let params = self.path_params();
        if params.len() != values.len() {
            return Err(QueryError::PathParams {
                operation: self,
                expected: params.len(),
                got: values.len(),
            });
        }
        let mut out = String::with_capacity(self.path_template().len() + 40);
        let mut next = 0;
        for segment in self.path_template().split('/').skip(1) {
            out.push('/');
            if segment.starts_with('{') && segment.ends_with('}') {
                let (param, value) = match (params.get(next), values.get(next)) {
                    (Some(p), Some(v)) => (p, *v),
                    _ => {
                        return Err(QueryError::PathParams {
                            operation: self,
                            expected: params.len(),
                            got: values.len(),
                        });
                    }
                };
                next += 1;
                check_id(param, value)?;
                if value.is_empty() || value == "." || value == ".." {
                    return Err(QueryError::InvalidPathSegment {
                        param: param.name,
                        value: value.to_owned(),
                    });
                }
                out.extend(encode_path_segment(value));
            } else {
                out.push_str(segment);
            }
        }
        Ok(out)
    }
}

impl Operation {
    /// The operation whose spec `operationId` is `id`.
    pub fn from_operation_id(id: &str) -> Option<Operation> {
        Operation::ALL
            .iter()
            .copied()
            .find(|o| o.operation_id() == id)
    }

    /// Recognises a request: the operation with this method whose template matches `path`
    /// (relative to the base URL, without the query), and the percent-decoded path values in
    /// template order. The inverse of [`Operation::render_path`], for servers and test
    /// doubles. The values are not validated: parse them into their `dm-model` id types.
    pub fn match_path(method: &http::Method, path: &str) -> Option<(Operation, Vec<String>)> {
        Operation::ALL.iter().copied().find_map(|op| {
            if op.method() != *method {
                return None;
            }
            let mut template = op.path_template().split('/');
            let mut given = path.split('/');
            let mut values = Vec::new();
            loop {
                match (template.next(), given.next()) {
                    (None, None) => return Some((op, values)),
                    (Some(t), Some(g)) if t.starts_with('{') && t.ends_with('}') => {
                        if g.is_empty() {
                            return None;
                        }
                        let value = percent_encoding::percent_decode_str(g).decode_utf8().ok()?;
                        values.push(value.into_owned());
                    }
                    (Some(t), Some(g)) if t == g => {}
                    _ => return None,
                }
            }
        })
    }
}

/// Validates `value` as the `dm-model` id type `param` names.
fn check_id(param: &PathParam, value: &str) -> Result<(), QueryError> {
    let checked = match param.id_type {
        "UserId" => value.parse::<UserId>().map(drop),
        "DmEventId" => value.parse::<DmEventId>().map(drop),
        "DmConversationId" => value.parse::<DmConversationId>().map(drop),
        "MediaId" => value.parse::<MediaId>().map(drop),
        "MediaKey" => value.parse::<MediaKey>().map(drop),
        "TweetId" => value.parse::<TweetId>().map(drop),
        "DmResourceId" => value.parse::<DmResourceId>().map(drop),
        // A type a newer spec introduced: still percent-encoded; a unit test keeps this list
        // in step with the generated operations.
        _ => Ok(()),
    };
    checked.map_err(|source| QueryError::InvalidId {
        param: param.name,
        source,
    })
}

/// The id types [`Operation::render_path`] validates.
#[cfg(test)]
pub(crate) const CHECKED_ID_TYPES: &[&str] = &[
    "UserId",
    "DmEventId",
    "DmConversationId",
    "MediaId",
    "MediaKey",
    "TweetId",
    "DmResourceId",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dm_operation_is_listed_once() {
        assert_eq!(Operation::ALL.len(), 11);
        let mut ids: Vec<&str> = Operation::ALL.iter().map(|o| o.operation_id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 11);
    }

    #[test]
    fn templates_match_path_params() {
        for op in Operation::ALL {
            let placeholders: Vec<&str> = op
                .path_template()
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let names: Vec<&str> = op.path_params().iter().map(|p| p.name).collect();
            assert_eq!(placeholders, names, "{op}");
            assert!(op.path_template().starts_with("/2/"), "{op}");
            for p in op.path_params() {
                assert!(CHECKED_ID_TYPES.contains(&p.id_type), "{op}: {}", p.id_type);
            }
        }
    }

    #[test]
    fn spec_facts() {
        use http::{Method, StatusCode};
        let sends = [
            Operation::SendToParticipant,
            Operation::SendToConversation,
            Operation::CreateGroupConversation,
        ];
        for op in Operation::ALL {
            let send = sends.contains(op);
            assert_eq!(
                op.success_status(),
                if send {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                }
            );
            assert_eq!(op.has_request_body(), send, "{op}");
            assert_eq!(op.is_idempotent(), !send, "{op}");
            assert_eq!(
                op.supports_oauth1(),
                *op != Operation::DownloadMedia,
                "{op}"
            );
            assert!(!op.oauth2_scopes().is_empty());
        }
        assert_eq!(Operation::DeleteDmEvent.method(), Method::DELETE);
        assert_eq!(
            Operation::DeleteDmEvent.oauth2_scopes(),
            ["dm.read", "dm.write"]
        );
        assert_eq!(Operation::DownloadMedia.oauth2_scopes(), ["dm.read"]);
        assert_eq!(
            Operation::GetDmEvents.oauth2_scopes(),
            ["dm.read", "tweet.read", "users.read"]
        );
        assert_eq!(
            Operation::DownloadMedia.response_media_type(),
            "application/octet-stream"
        );
        assert_eq!(
            Operation::GetDmEventsWithParticipant.query_params(),
            [
                "max_results",
                "pagination_token",
                "event_types",
                "dm_event.fields",
                "expansions",
                "media.fields",
                "user.fields",
                "tweet.fields"
            ]
        );
        assert_eq!(
            Operation::GetDmEvent.query_params(),
            crate::FieldsQuery::PARAMS
        );
        assert_eq!(
            Operation::GetDmEvents.query_params(),
            crate::EventsQuery::PARAMS
        );
        // The spec gives send-to-conversation's id no pattern; we still validate it.
        let p = Operation::SendToConversation.path_params()[0];
        assert_eq!(
            (p.name, p.id_type, p.pattern_in_spec),
            ("dm_conversation_id", "DmConversationId", false)
        );
        assert_eq!(
            Operation::GetDmEvent.to_string(),
            "GET /2/dm_events/{event_id}"
        );
    }

    #[test]
    fn match_path_inverts_render_path() {
        use http::Method;
        let values: &[&[&str]] = &[
            &[],
            &["1-2"],
            &["3"],
            &["4"],
            &["5"],
            &["6"],
            &["123456789012345"],
            &[],
            &["7", "8", "a.jpg"],
            &["9"],
            &["10"],
        ];
        for (op, v) in Operation::ALL.iter().zip(values) {
            let path = op.render_path(v).unwrap();
            let (found, got) = Operation::match_path(&op.method(), &path).unwrap();
            assert_eq!(found, *op, "{path}");
            assert_eq!(got, *v, "{path}");
            assert_eq!(Operation::from_operation_id(op.operation_id()), Some(*op));
        }
        assert_eq!(
            Operation::match_path(&Method::DELETE, "/2/dm_events/12"),
            Some((Operation::DeleteDmEvent, vec!["12".to_owned()]))
        );
        assert_eq!(
            Operation::match_path(&Method::GET, "/2/dm_conversations/with/12/dm_events"),
            Some((Operation::GetDmEventsWithParticipant, vec!["12".to_owned()]))
        );
        assert_eq!(
            Operation::match_path(&Method::GET, "/2/dm_events/a%2Fb"),
            Some((Operation::GetDmEvent, vec!["a/b".to_owned()]))
        );
        assert_eq!(Operation::match_path(&Method::PUT, "/2/dm_events/12"), None);
        assert_eq!(Operation::match_path(&Method::GET, "/2/dm_events/"), None);
        assert_eq!(
            Operation::match_path(&Method::GET, "/2/dm_events/1/x"),
            None
        );
        assert_eq!(
            Operation::match_path(&Method::GET, "/2/dm_events/%FF"),
            None
        );
        assert_eq!(Operation::from_operation_id("getUsersMe"), None);
    }

    #[test]
    fn render_path_validates_and_encodes() {
        assert_eq!(
            Operation::GetDmEvent.render_path(&["123"]).unwrap(),
            "/2/dm_events/123"
        );
        assert_eq!(
            Operation::DownloadMedia
                .render_path(&["1", "2", "a-b_c.jpg"])
                .unwrap(),
            "/2/dm_conversations/media/1/2/a-b_c.jpg"
        );
        let err = Operation::SendToConversation
            .render_path(&["12/34"])
            .unwrap_err();
        assert!(
            matches!(&err, QueryError::InvalidId { param: "dm_conversation_id", source } if source.kind == "DmConversationId"),
            "{err:?}"
        );
        assert!(err.to_string().contains("dm_conversation_id"));
        // Short group ids are not conversation ids.
        assert!(
            Operation::SendToConversation
                .render_path(&["12345"])
                .is_err()
        );
        assert!(matches!(
            Operation::BlockDms.render_path(&["x"]),
            Err(QueryError::InvalidId { param: "id", .. })
        ));
        assert!(matches!(
            Operation::DownloadMedia.render_path(&["1", "2", ".."]),
            Err(QueryError::InvalidPathSegment {
                param: "resource_id",
                ..
            })
        ));
        assert_eq!(
            Operation::GetDmEvent.render_path(&[]),
            Err(QueryError::PathParams {
                operation: Operation::GetDmEvent,
                expected: 1,
                got: 0
            })
        );
        assert!(Operation::GetDmEvents.render_path(&["1"]).is_err());
    }
}
