//! HTTP done right, as layers around every route: conditional requests and caching
//! headers ([`conditional`]), `Last-Modified` from the store's change clock
//! ([`last_modified`]), a bound on the query string ([`limits`]), the request's deadline
//! ([`deadline`]), and the representation's entity tag once compression chose an encoding
//! ([`encoded_etag`]).
//!
//! The order, outermost first (see [`crate::router`]): security headers → encoded ETag →
//! compression → conditional (ETag, `304`, `Cache-Control`) → deadline → `Last-Modified` →
//! error pages → query limit → the handler. The ETag is therefore computed on the
//! uncompressed body, the conditional layer sees the `Last-Modified` it answers
//! `If-Modified-Since` with, and a `304` or an error page still gets the security headers.

mod conditional;
mod deadline;
mod last_modified;
mod limits;

pub(crate) use conditional::{
    Conditions, base_tag, conditional, encoded_etag, http_date, not_modified, settled,
};
pub(crate) use deadline::deadline;
pub(crate) use last_modified::{StoreUnreachable, last_modified, store_backed};
pub(crate) use limits::query_limit;
