//! syndic-tag
