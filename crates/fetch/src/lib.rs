//! syndic-fetch
