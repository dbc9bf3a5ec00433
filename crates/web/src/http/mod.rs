//! HTTP done right, as layers around every route: conditional requests and caching
//! headers ([`conditional`]), a bound on the query string ([`limits`]), and the
//! representation's entity tag once compression chose an encoding ([`encoded_etag`]).
//!
//! The order, outermost first (see [`crate::router`]): security headers → encoded ETag →
//! compression → conditional (ETag, `304`, `Cache-Control`) → error pages → query limit →
//! the handler. The ETag is therefore computed on the uncompressed body, and a `304` or an
//! error page still gets the security headers.

mod conditional;
mod limits;

pub(crate) use conditional::{conditional, encoded_etag, http_date};
pub(crate) use limits::query_limit;
