//! Suggestions (in progress).
