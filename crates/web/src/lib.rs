//! syndic-web
