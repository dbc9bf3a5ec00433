//! What the operator decides about posts: whether a post is shown, and who decided.
//!
//! Only a [`PostState::Published`] post appears where a reader looks. A new post enters the
//! store with an [`Admission`] (published, held for review, or filtered by a rule); a person
//! later approves, rejects, removes or restores it, as an [`Actor`].

use std::fmt;

use serde::Serialize;

/// Who made a decision, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Actor {
    /// The command line (`syndic post remove`, `syndic review`, ...).
    Cli,
    /// A person signed in to the admin pages.
    Admin,
    /// A script calling the admin's JSON API with its token.
    Api,
}

impl Actor {
    /// `cli`, `admin` or `api`: the name stored in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Cli => "cli",
            Actor::Admin => "admin",
            Actor::Api => "api",
        }
    }

    /// The actor a stored name stands for.
    pub fn parse(name: &str) -> Option<Actor> {
        match name {
            "cli" => Some(Actor::Cli),
            "admin" => Some(Actor::Admin),
            "api" => Some(Actor::Api),
            _ => None,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where a stored post stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostState {
    /// Shown everywhere a reader looks.
    Published,
    /// Held for review: stored and tagged, shown nowhere until approved.
    Pending,
    /// Hidden by a keep/block rule (the rule is kept with the post).
    Filtered,
    /// Taken down by a person (the reason is kept); its page answers `410 Gone`.
    Removed,
}

impl PostState {
    /// The name stored in the `posts.state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Published => "published",
            PostState::Pending => "pending",
            PostState::Filtered => "filtered",
            PostState::Removed => "removed",
        }
    }

    /// The state a stored name stands for.
    pub fn parse(name: &str) -> Option<PostState> {
        match name {
            "published" => Some(PostState::Published),
            "pending" => Some(PostState::Pending),
            "filtered" => Some(PostState::Filtered),
            "removed" => Some(PostState::Removed),
            _ => None,
        }
    }
}

impl fmt::Display for PostState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How a post not stored before enters the store: what review and the keep/block rules
/// decided for it. Only new posts are admitted; an update keeps the post's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "state")]
pub enum Admission {
    /// Shown at once.
    #[default]
    Publish,
    /// Held for review (pending).
    Review,
    /// Hidden by the rule named here (its name, or `rule N` for an unnamed one).
    Filter { rule: String },
}

impl Admission {
    /// The state the post is stored in.
    pub fn state(&self) -> PostState {
        match self {
            Admission::Publish => PostState::Published,
            Admission::Review => PostState::Pending,
            Admission::Filter { .. } => PostState::Filtered,
        }
    }

    /// What the store keeps beside the state: the rule that filtered the post, or nothing.
    pub fn detail(&self) -> &str {
        match self {
            Admission::Filter { rule } => rule,
            Admission::Publish | Admission::Review => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_and_states_read_back_the_names_they_store() {
        for actor in [Actor::Cli, Actor::Admin, Actor::Api] {
            assert_eq!(Actor::parse(actor.as_str()), Some(actor));
        }
        for state in [
            PostState::Published,
            PostState::Pending,
            PostState::Filtered,
            PostState::Removed,
        ] {
            assert_eq!(PostState::parse(state.as_str()), Some(state));
        }
        assert_eq!(Actor::parse("root"), None);
        assert_eq!(PostState::parse("hidden"), None);
    }

    #[test]
    fn a_filtered_admission_keeps_its_rule() {
        let filtered = Admission::Filter {
            rule: "no-ads".into(),
        };
        assert_eq!(filtered.state(), PostState::Filtered);
        assert_eq!(filtered.detail(), "no-ads");
        assert_eq!(Admission::Review.state(), PostState::Pending);
        assert_eq!(Admission::default().state(), PostState::Published);
    }
}
