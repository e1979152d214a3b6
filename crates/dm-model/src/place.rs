//! [`Place`], [`Poll`] and [`Topic`]: the other objects the shared `includes` schema can hold.

use serde_json::Value;

use crate::Timestamp;
use crate::wire::wire_object;

wire_object! {
    /// A place (`Place`).
    pub struct Place {
        /// The place id.
        pub id: Option<String> = "id",
        /// The full name, e.g. `Lakewood, CO`.
        pub full_name: Option<String> = "full_name",
        /// The short name, e.g. `Lakewood`.
        pub name: Option<String> = "name",
        /// The country name.
        pub country: Option<String> = "country",
        /// The two-letter country code.
        pub country_code: Option<String> = "country_code",
        /// Places containing this one.
        pub contained_within: Vec<String> = "contained_within",
        /// `poi`, `neighborhood`, `city`, `admin`, `country` or `unknown`.
        pub place_type: Option<String> = "place_type",
        /// The GeoJSON feature.
        pub geo: Option<PlaceGeo> = "geo",
    }
}

wire_object! {
    #[default]
    /// A place's GeoJSON feature (`Geo`).
    pub struct PlaceGeo {
        /// `Feature`.
        pub r#type: Option<String> = "type",
        /// Bounding box `[west, south, east, north]`.
        pub bbox: Vec<f64> = "bbox",
        /// Feature properties.
        pub properties: Option<serde_json::Map<String, Value>> = "properties",
        /// The geometry (a GeoJSON point).
        pub geometry: Option<crate::tweet::Point> = "geometry",
    }
}

wire_object! {
    /// A poll (`Poll`).
    pub struct Poll {
        /// The poll id.
        pub id: Option<String> = "id",
        /// The options, 2..=4.
        pub options: Vec<PollOption> = "options",
        /// How long the poll runs, in minutes.
        pub duration_minutes: Option<u32> = "duration_minutes",
        /// When voting ends.
        pub end_datetime: Option<Timestamp> = "end_datetime",
        /// `open` or `closed`.
        pub voting_status: Option<String> = "voting_status",
    }
}

wire_object! {
    #[default]
    /// A poll option.
    pub struct PollOption {
        /// The 1-based position.
        pub position: Option<u32> = "position",
        /// The label.
        pub label: Option<String> = "label",
        /// Votes so far.
        pub votes: Option<u64> = "votes",
    }
}

wire_object! {
    /// A topic (`Topic`).
    pub struct Topic {
        /// The topic id.
        pub id: Option<String> = "id",
        /// The name.
        pub name: Option<String> = "name",
        /// The description.
        pub description: Option<String> = "description",
    }
}

impl Place {
    /// A place with just an id.
    pub fn new(id: impl Into<String>) -> Self {
        Place {
            id: Some(id.into()),
            full_name: None,
            name: None,
            country: None,
            country_code: None,
            contained_within: Vec::new(),
            place_type: None,
            geo: None,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }
}

impl Poll {
    /// A poll with just an id.
    pub fn new(id: impl Into<String>) -> Self {
        Poll {
            id: Some(id.into()),
            options: Vec::new(),
            duration_minutes: None,
            end_datetime: None,
            voting_status: None,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }
}

impl Topic {
    /// A topic with just an id.
    pub fn new(id: impl Into<String>) -> Self {
        Topic {
            id: Some(id.into()),
            name: None,
            description: None,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }
}
