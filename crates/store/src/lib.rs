//! syndic-store
