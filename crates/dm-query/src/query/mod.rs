//! Query strings of the DM lookups: [`EventsQuery`] (the three event lists) and
//! [`FieldsQuery`] (get-by-id), their canonical encoding and its inverse.

mod events;
mod fields;
mod parse;
pub(crate) mod values;
mod warning;

pub use events::EventsQuery;
pub use fields::FieldsQuery;
pub use warning::QueryWarning;
