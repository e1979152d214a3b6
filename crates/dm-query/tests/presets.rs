//! The field presets: `public_fields()` asks for everything but the fields that need more
//! than a DM user token; `all_fields()` for everything.

use dm_model::{DmEventField, Expansion, MediaField, TweetField, UserField};
use dm_query::{EventsQuery, FieldsQuery};

fn listed(q: &FieldsQuery, param: &str) -> Vec<String> {
    let qs = q.to_query_string().unwrap();
    qs.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{param}=")))
        .map(|v| v.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

#[test]
fn every_private_field_is_a_known_value_of_its_parameter() {
    for (param, wire) in FieldsQuery::PRIVATE_FIELDS {
        let known = match *param {
            "media.fields" => MediaField::ALL.iter().any(|v| v.as_str() == *wire),
            "user.fields" => UserField::ALL.iter().any(|v| v.as_str() == *wire),
            "tweet.fields" => TweetField::ALL.iter().any(|v| v.as_str() == *wire),
            other => panic!("unexpected parameter {other}"),
        };
        assert!(known, "{param}={wire} is not a value the spec lists");
        assert!(
            listed(&FieldsQuery::all_fields(), param).contains(&wire.to_string()),
            "all_fields() asks for {param}={wire}"
        );
    }
}

#[test]
fn public_fields_leave_out_exactly_the_private_ones() {
    let public = FieldsQuery::public_fields();
    let all = FieldsQuery::all_fields();
    for param in [
        "dm_event.fields",
        "expansions",
        "media.fields",
        "user.fields",
        "tweet.fields",
    ] {
        let expected: Vec<String> = listed(&all, param)
            .into_iter()
            .filter(|v| !FieldsQuery::PRIVATE_FIELDS.contains(&(param, v.as_str())))
            .collect();
        assert_eq!(listed(&public, param), expected, "{param}");
    }
    assert_eq!(
        listed(&public, "dm_event.fields").len(),
        DmEventField::ALL.len()
    );
    assert_eq!(listed(&public, "expansions").len(), Expansion::ALL.len());
    assert!(
        !listed(&public, "user.fields")
            .iter()
            .any(|v| v == "confirmed_email")
    );
    for private in ["non_public_metrics", "organic_metrics", "promoted_metrics"] {
        assert!(!listed(&public, "tweet.fields").iter().any(|v| v == private));
        assert!(!listed(&public, "media.fields").iter().any(|v| v == private));
    }
    assert!(
        public.warnings().is_empty(),
        "every field list has its expansion"
    );
    // The query parses back to the same preset.
    assert_eq!(
        FieldsQuery::parse(&public.to_query_string().unwrap()).unwrap(),
        public
    );
}

#[test]
fn the_events_query_preset_is_the_fields_preset_without_pagination() {
    let q = EventsQuery::public_fields();
    assert_eq!(
        q.to_query_string().unwrap(),
        FieldsQuery::public_fields().to_query_string().unwrap()
    );
}
