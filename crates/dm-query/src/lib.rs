//! Every X API v2 Direct Messages endpoint, validated and encoded into `http` requests.
#![deny(missing_docs)]
