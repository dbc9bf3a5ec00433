//! syndic-feed
