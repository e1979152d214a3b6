//! Property tests of the query encoding: strategies from the spec's id patterns and enums.

use std::collections::HashSet;

use dm_model::{
    DmConversationId, DmEventField, EventType, Expansion, MediaField, TweetField, UserField, UserId,
};
use dm_query::{ApiRequest, BaseUrl, EventsQuery, FieldsQuery, ListEvents, QueryError, Scope};
use proptest::prelude::*;
use proptest::sample::subsequence;

/// A non-empty subset of `all`, in random order.
fn known<T: Clone + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = Vec<T>> {
    subsequence(all.to_vec(), 1..=all.len()).prop_shuffle()
}

/// Optionally a non-empty subset of `all`.
fn maybe<T: Clone + std::fmt::Debug + 'static>(
    all: &'static [T],
) -> impl Strategy<Value = Option<Vec<T>>> {
    proptest::option::of(known(all))
}

/// `^[0-9]{1,19}$`
fn user_id() -> impl Strategy<Value = UserId> {
    "[0-9]{1,19}".prop_map(|s| s.parse().unwrap())
}

/// `^([0-9]{1,19}-[0-9]{1,19}|[0-9]{15,19})$`
fn conversation_id() -> impl Strategy<Value = DmConversationId> {
    "[0-9]{1,19}-[0-9]{1,19}|[0-9]{15,19}".prop_map(|s| s.parse().unwrap())
}

fn scope() -> impl Strategy<Value = Scope> {
    prop_oneof![
        Just(Scope::All),
        conversation_id().prop_map(Scope::Conversation),
        user_id().prop_map(Scope::WithParticipant),
    ]
}

/// Opaque tokens: any characters (including `&`, `=`, `+`, `,`, `%`, `#`, non-ASCII), 16+.
fn token() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9A-Z]{16,32}", ".{16,40}", "[&=+,%# ?/]{16,20}",]
}

#[derive(Clone, Debug)]
struct Spec {
    max_results: Option<u32>,
    token: Option<String>,
    event_types: Option<Vec<EventType>>,
    dm_event_fields: Option<Vec<DmEventField>>,
    expansions: Option<Vec<Expansion>>,
    media_fields: Option<Vec<MediaField>>,
    user_fields: Option<Vec<UserField>>,
    tweet_fields: Option<Vec<TweetField>>,
}

impl Spec {
    fn build(&self) -> EventsQuery {
        let mut q = EventsQuery::new();
        if let Some(n) = self.max_results {
            q = q.max_results(n);
        }
        if let Some(t) = &self.token {
            q = q.pagination_token(t.clone());
        }
        if let Some(v) = &self.event_types {
            q = q.event_types(v.clone());
        }
        if let Some(v) = &self.dm_event_fields {
            q = q.dm_event_fields(v.clone());
        }
        if let Some(v) = &self.expansions {
            q = q.expansions(v.clone());
        }
        if let Some(v) = &self.media_fields {
            q = q.media_fields(v.clone());
        }
        if let Some(v) = &self.user_fields {
            q = q.user_fields(v.clone());
        }
        if let Some(v) = &self.tweet_fields {
            q = q.tweet_fields(v.clone());
        }
        q
    }

    /// The same query with every list reversed.
    fn reversed(&self) -> Spec {
        fn rev<T: Clone>(v: &Option<Vec<T>>) -> Option<Vec<T>> {
            v.as_ref().map(|v| v.iter().rev().cloned().collect())
        }
        Spec {
            max_results: self.max_results,
            token: self.token.clone(),
            event_types: rev(&self.event_types),
            dm_event_fields: rev(&self.dm_event_fields),
            expansions: rev(&self.expansions),
            media_fields: rev(&self.media_fields),
            user_fields: rev(&self.user_fields),
            tweet_fields: rev(&self.tweet_fields),
        }
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::option::of(1u32..=100),
        proptest::option::of(token()),
        maybe(EventType::ALL),
        maybe(DmEventField::ALL),
        maybe(Expansion::ALL),
        maybe(MediaField::ALL),
        maybe(UserField::ALL),
        maybe(TweetField::ALL),
    )
        .prop_map(|(max_results, token, et, df, ex, mf, uf, tf)| Spec {
            max_results,
            token,
            event_types: et,
            dm_event_fields: df,
            expansions: ex,
            media_fields: mf,
            user_fields: uf,
            tweet_fields: tf,
        })
}

/// Names that are not in the spec (yet): sent only through `other(..)`.
fn unknown_name() -> impl Strategy<Value = String> {
    "[a-z][a-z_]{0,10}(\\.[a-z_]{1,8})?"
}

/// The keys of a query string, in order.
fn keys(query: &str) -> Vec<String> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encode_parse_equal(spec in spec()) {
        let q = spec.build();
        let s = q.to_query_string().unwrap();
        prop_assert_eq!(EventsQuery::parse(&s).unwrap(), q.clone());
        prop_assert_eq!(EventsQuery::parse(&format!("?{s}")).unwrap(), q.clone());
        prop_assert_eq!(EventsQuery::parse_allowing_unknown(&s).unwrap(), q);
    }

    #[test]
    fn encoding_is_canonical(spec in spec()) {
        let a = spec.build().to_query_string().unwrap();
        let b = spec.reversed().build().to_query_string().unwrap();
        prop_assert_eq!(&a, &b);
        // Parameters come in the spec's order, each once.
        let keys = keys(&a);
        let unique: HashSet<&String> = keys.iter().collect();
        prop_assert_eq!(unique.len(), keys.len(), "repeated key in {}", a);
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| EventsQuery::PARAMS.iter().position(|p| p == k).unwrap())
            .collect();
        prop_assert!(positions.windows(2).all(|w| w[0] < w[1]), "order in {}", a);
    }

    #[test]
    fn requests_have_valid_uris_and_no_repeated_keys(scope in scope(), spec in spec()) {
        let q = spec.build();
        let request = ListEvents::new(scope.clone(), q.clone())
            .to_request(&BaseUrl::parse("http://127.0.0.1:4010/prefix").unwrap())
            .unwrap();
        let uri: http::Uri = request.uri().to_string().parse().unwrap();
        prop_assert_eq!(&uri, request.uri());
        prop_assert_eq!(uri.scheme_str(), Some("http"));
        prop_assert_eq!(uri.authority().map(|a| a.as_str()), Some("127.0.0.1:4010"));
        let path = uri.path();
        prop_assert!(path.starts_with("/prefix/2/"), "{}", path);
        match &scope {
            Scope::All => prop_assert_eq!(path, "/prefix/2/dm_events"),
            Scope::Conversation(id) => {
                prop_assert_eq!(path, format!("/prefix/2/dm_conversations/{id}/dm_events"))
            }
            Scope::WithParticipant(id) => prop_assert_eq!(
                path,
                format!("/prefix/2/dm_conversations/with/{id}/dm_events")
            ),
        }
        let query = uri.query().unwrap_or("");
        let keys = keys(query);
        let unique: HashSet<&String> = keys.iter().collect();
        prop_assert_eq!(unique.len(), keys.len());
        prop_assert_eq!(EventsQuery::parse(query).unwrap(), q);
    }

    #[test]
    fn field_queries_round_trip(spec in spec()) {
        let q = spec.build();
        let fields = q.get_fields().clone();
        let s = fields.to_query_string().unwrap();
        prop_assert_eq!(FieldsQuery::parse(&s).unwrap(), fields);
        // A get-by-id query takes no pagination parameters.
        if spec.max_results.is_some() {
            let with_page = q.to_query_string().unwrap();
            let is_unknown_parameter =
                matches!(FieldsQuery::parse(&with_page), Err(QueryError::UnknownParameter { .. }));
            prop_assert!(is_unknown_parameter);
        }
    }

    #[test]
    fn escape_hatch_values_round_trip_only_when_allowed(
        names in proptest::collection::hash_set(unknown_name(), 1..4),
    ) {
        let values: Vec<DmEventField> = names.iter().map(|n| DmEventField::other(n.as_str())).collect();
        let mut seen = HashSet::new();
        let values: Vec<DmEventField> =
            values.into_iter().filter(|v| seen.insert(v.as_str().to_owned())).collect();
        let any_unknown = values.iter().any(|v| !v.is_known());
        let q = EventsQuery::new().dm_event_fields(values);
        let s = q.to_query_string().unwrap();
        prop_assert_eq!(EventsQuery::parse_allowing_unknown(&s).unwrap(), q);
        if any_unknown {
            match EventsQuery::parse(&s) {
                Err(QueryError::UnknownValue { param, allowed, .. }) => {
                    prop_assert_eq!(param, "dm_event.fields");
                    prop_assert_eq!(allowed.len(), DmEventField::ALL.len());
                }
                other => prop_assert!(false, "expected UnknownValue, got {:?}", other),
            }
        }
    }

    #[test]
    fn out_of_range_max_results_are_refused(n in prop_oneof![Just(0u32), 101u32..]) {
        let err = EventsQuery::new().max_results(n).to_query_string().unwrap_err();
        prop_assert_eq!(err.clone(), QueryError::MaxResultsOutOfRange { value: n.into() });
        prop_assert!(err.to_string().contains("max_results"));
        let parsed = EventsQuery::parse(&format!("max_results={n}")).unwrap_err();
        prop_assert_eq!(parsed, QueryError::MaxResultsOutOfRange { value: n.into() });
    }

    #[test]
    fn short_tokens_are_refused(t in ".{0,15}") {
        let len = t.chars().count();
        let err = EventsQuery::new().pagination_token(t.clone()).to_query_string().unwrap_err();
        prop_assert_eq!(err, QueryError::PaginationTokenTooShort { len });
        let encoded: String = form_urlencoded::byte_serialize(t.as_bytes()).collect();
        let is_too_short = matches!(
            EventsQuery::parse(&format!("pagination_token={}", encoded.replace('+', "%20"))),
            Err(QueryError::PaginationTokenTooShort { .. })
        );
        prop_assert!(is_too_short);
    }

    #[test]
    fn duplicates_are_refused(mut values in known(UserField::ALL), pick in any::<prop::sample::Index>()) {
        let dup = pick.get(&values).clone();
        values.push(dup.clone());
        let err = EventsQuery::new().user_fields(values.clone()).to_query_string().unwrap_err();
        prop_assert_eq!(
            err,
            QueryError::DuplicateValue { param: "user.fields", value: dup.as_str().to_owned() }
        );
        let joined: Vec<&str> = values.iter().map(UserField::as_str).collect();
        let is_duplicate = matches!(
            EventsQuery::parse(&format!("user.fields={}", joined.join(","))),
            Err(QueryError::DuplicateValue { param: "user.fields", .. })
        );
        prop_assert!(is_duplicate);
    }

    #[test]
    fn bad_ids_are_refused(s in "[0-9]{20,25}|[a-z]{1,5}|[0-9]{1,5}-|-[0-9]{1,5}|[0-9]{1,14}|") {
        // Not a user id (too long, not digits, empty) ...
        if s.len() > 19 || s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            prop_assert!(s.parse::<UserId>().is_err());
        }
        // ... and not a conversation id (group ids have 15 to 19 digits).
        prop_assert!(s.parse::<DmConversationId>().is_err());
        let err = dm_query::Operation::GetDmConversationEvents.render_path(&[&s]).unwrap_err();
        let names_param = matches!(err, QueryError::InvalidId { param: "id", .. });
        prop_assert!(names_param, "{:?}", err);
    }
}

#[test]
fn empty_lists_are_refused_naming_the_allowed_values() {
    let err = EventsQuery::new()
        .tweet_fields(Vec::<TweetField>::new())
        .to_query_string()
        .unwrap_err();
    match &err {
        QueryError::EmptyList { param, allowed } => {
            assert_eq!(*param, "tweet.fields");
            assert!(allowed.contains(&"author_id"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("author_id"), "{err}");
    for q in [
        "event_types=",
        "dm_event.fields=",
        "expansions",
        "media.fields=,",
        "user.fields=",
        "tweet.fields=",
    ] {
        assert!(
            matches!(EventsQuery::parse(q), Err(QueryError::EmptyList { .. })),
            "{q}"
        );
    }
}

#[test]
fn unknown_values_are_refused_naming_the_parameter() {
    let err = EventsQuery::parse("expansions=sender_id,referenced_posts").unwrap_err();
    match &err {
        QueryError::UnknownValue {
            param,
            value,
            allowed,
        } => {
            assert_eq!(*param, "expansions");
            assert_eq!(value, "referenced_posts");
            assert_eq!(
                allowed,
                &[
                    "attachments.media_keys",
                    "participant_ids",
                    "referenced_tweets.id",
                    "sender_id"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("referenced_tweets.id"), "{err}");
    // The newer spec's `post.fields` is not a parameter of ours: classic names only.
    assert!(matches!(
        EventsQuery::parse("post.fields=text"),
        Err(QueryError::UnknownParameter { .. })
    ));
}

#[test]
fn escape_hatch_values_that_cannot_be_sent_are_refused() {
    for bad in ["", "a,b", "a&b", "a=b", "a b", "é", "x".repeat(65).as_str()] {
        let err = EventsQuery::new()
            .media_fields([MediaField::other(bad)])
            .to_query_string()
            .unwrap_err();
        assert!(
            matches!(
                err,
                QueryError::InvalidValue {
                    param: "media.fields",
                    ..
                }
            ),
            "{bad:?}: {err:?}"
        );
    }
    // A known name given through the escape hatch is the known value.
    let q = EventsQuery::new().media_fields([MediaField::other("url"), MediaField::Type]);
    assert_eq!(q.to_query_string().unwrap(), "media.fields=type,url");
    let q = EventsQuery::new().media_fields([MediaField::Other("url".into()), MediaField::Url]);
    assert!(matches!(
        q.to_query_string(),
        Err(QueryError::DuplicateValue { .. })
    ));
}

#[test]
fn repeated_and_unknown_parameters_are_refused() {
    assert_eq!(
        EventsQuery::parse("expansions=sender_id&expansions=participant_ids").unwrap_err(),
        QueryError::RepeatedParameter { name: "expansions" }
    );
    assert!(matches!(
        EventsQuery::parse("since_id=1"),
        Err(QueryError::UnknownParameter { name, allowed }) if name == "since_id" && allowed.len() == 8
    ));
    assert!(matches!(
        EventsQuery::parse("max_results=ten"),
        Err(QueryError::MaxResultsNotANumber { .. })
    ));
    assert!(matches!(
        EventsQuery::parse("pagination_token=%FF%FE%FD%FC%FB%FA%F9%F8%F7%F6%F5%F4%F3%F2%F1%F0"),
        Err(QueryError::InvalidEncoding { .. })
    ));
}

#[test]
fn the_first_error_wins_and_later_setters_do_not_hide_it() {
    let err = EventsQuery::new()
        .max_results(0)
        .pagination_token("short")
        .max_results(10)
        .to_query_string()
        .unwrap_err();
    assert_eq!(err, QueryError::MaxResultsOutOfRange { value: 0 });
}

#[test]
fn parse_accepts_what_other_clients_send() {
    // Percent-encoded commas (form encoders), any value order, a trailing comma (as in the
    // reference's data-dictionary example), a leading `?`, an empty piece.
    let q = EventsQuery::parse(
        "?dm_event.fields=text%2Cid&&expansions=sender_id,&user.fields=username",
    )
    .unwrap();
    assert_eq!(
        q.to_query_string().unwrap(),
        "dm_event.fields=id,text&expansions=sender_id&user.fields=username"
    );
    assert_eq!(EventsQuery::parse("").unwrap(), EventsQuery::new());
}
