//! WebSub subscriptions: which hub pushes a source to us, under which topic and secret,
//! and how long the hub's lease lasts.
//!
//! A subscription moves requested → verified (the hub echoed our intent and gave a lease)
//! or denied; a new request (a renewal, a retry, or a changed hub) starts it over as
//! requested. Each change of state is timed (`state_since`), so that a request the hub
//! never confirmed, or a denial, can be retried after a while ([`Store::stuck_subscriptions`]).
//! Subscriptions change no page, so these writes never move the change clock.

use chrono::{DateTime, Utc};
use sqlx::Row;
use syndic_core::SourceId;

use crate::error::QueryContext;
use crate::{Result, Store, StoreError, from_secs, to_secs};

/// Where a subscription stands with its hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionState {
    /// We asked the hub; it has not confirmed yet.
    Requested,
    /// The hub verified our intent; pushes are expected until the lease ends.
    Verified,
    /// The hub refused (or cancelled) the subscription.
    Denied,
}

impl SubscriptionState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Verified => "verified",
            Self::Denied => "denied",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "requested" => Some(Self::Requested),
            "verified" => Some(Self::Verified),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }
}

/// One source's WebSub subscription, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    pub source: SourceId,
    /// The hub we asked.
    pub hub: String,
    /// The feed's own (`rel="self"`) URL, which the hub pushes.
    pub topic: String,
    /// Signs what the hub pushes (`X-Hub-Signature`). Never logged.
    pub secret: String,
    pub state: SubscriptionState,
    /// When the hub's lease ends; `None` until verified.
    pub lease_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When it entered its current state (the last request, verification or denial).
    pub state_since: DateTime<Utc>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("source", &self.source)
            .field("hub", &self.hub)
            .field("topic", &self.topic)
            .field("secret", &"***")
            .field("state", &self.state)
            .field("lease_until", &self.lease_until)
            .field("created_at", &self.created_at)
            .field("state_since", &self.state_since)
            .finish()
    }
}

impl Store {
    /// Records that we asked `hub` to push `topic` for `source`, signed with `secret`:
    /// the subscription is requested again (any earlier lease is forgotten).
    pub async fn request_subscription(
        &self,
        source: SourceId,
        hub: &str,
        topic: &str,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write("starting a subscription request").await?;
        sqlx::query(
            "INSERT INTO websub_subscriptions
                 (source_id, hub, topic, secret, state, lease_until, created_at, state_since)
             VALUES ($1, $2, $3, $4, 'requested', NULL, $5, $5)
             ON CONFLICT (source_id) DO UPDATE SET hub = excluded.hub,
                 topic = excluded.topic, secret = excluded.secret,
                 state = 'requested', lease_until = NULL, state_since = excluded.state_since",
        )
        .bind(source.0)
        .bind(crate::text::clean(hub).into_owned())
        .bind(crate::text::clean(topic).into_owned())
        .bind(secret)
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .during("storing a subscription request")?;
        tx.commit()
            .await
            .during("committing a subscription request")?;
        Ok(())
    }

    /// The hub verified the subscription for `lease_seconds` from `now`. False when
    /// `source` has no subscription.
    pub async fn verify_subscription(
        &self,
        source: SourceId,
        lease_seconds: u32,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let until = to_secs(now).saturating_add(i64::from(lease_seconds));
        self.set_state(source, SubscriptionState::Verified, Some(until), now)
            .await
    }

    /// The hub denied (or ended) the subscription at `now`. False when `source` has none.
    pub async fn deny_subscription(&self, source: SourceId, now: DateTime<Utc>) -> Result<bool> {
        self.set_state(source, SubscriptionState::Denied, None, now)
            .await
    }

    async fn set_state(
        &self,
        source: SourceId,
        state: SubscriptionState,
        lease_until: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write("starting a subscription change").await?;
        let done = sqlx::query(
            "UPDATE websub_subscriptions SET state = $2, lease_until = $3, state_since = $4
             WHERE source_id = $1",
        )
        .bind(source.0)
        .bind(state.as_str())
        .bind(lease_until)
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await
        .during("changing a subscription")?;
        tx.commit()
            .await
            .during("committing a subscription change")?;
        Ok(done.rows_affected() == 1)
    }

    /// The subscription of `source`, if it has one.
    pub async fn subscription(&self, source: SourceId) -> Result<Option<Subscription>> {
        let row = sqlx::query(
            "SELECT source_id, hub, topic, secret, state, lease_until, created_at, state_since
             FROM websub_subscriptions WHERE source_id = $1",
        )
        .bind(source.0)
        .fetch_optional(&self.pool)
        .await
        .during("reading a subscription")?;
        row.as_ref().map(read_subscription).transpose()
    }

    /// Verified subscriptions whose lease ends before `before`, soonest first: those to
    /// renew.
    pub async fn subscriptions_to_renew(&self, before: DateTime<Utc>) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT source_id, hub, topic, secret, state, lease_until, created_at, state_since
             FROM websub_subscriptions
             WHERE state = 'verified' AND lease_until < $1
             ORDER BY lease_until, source_id",
        )
        .bind(to_secs(before))
        .fetch_all(&self.pool)
        .await
        .during("listing subscriptions to renew")?;
        rows.iter().map(read_subscription).collect()
    }

    /// Subscriptions to ask for again although no lease is ending: those still requested
    /// since before `requested_before` (the hub never confirmed) and those denied since
    /// before `denied_before`, longest-standing first.
    pub async fn stuck_subscriptions(
        &self,
        requested_before: DateTime<Utc>,
        denied_before: DateTime<Utc>,
    ) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT source_id, hub, topic, secret, state, lease_until, created_at, state_since
             FROM websub_subscriptions
             WHERE (state = 'requested' AND state_since < $1)
                OR (state = 'denied' AND state_since < $2)
             ORDER BY state_since, source_id",
        )
        .bind(to_secs(requested_before))
        .bind(to_secs(denied_before))
        .fetch_all(&self.pool)
        .await
        .during("listing stuck subscriptions")?;
        rows.iter().map(read_subscription).collect()
    }
}

fn read_subscription(row: &sqlx::any::AnyRow) -> Result<Subscription> {
    let read = || -> Result<_, sqlx::Error> {
        Ok((
            row.try_get::<i64, _>("source_id")?,
            row.try_get::<String, _>("hub")?,
            row.try_get::<String, _>("topic")?,
            row.try_get::<String, _>("secret")?,
            row.try_get::<String, _>("state")?,
            row.try_get::<Option<i64>, _>("lease_until")?,
            row.try_get::<i64, _>("created_at")?,
            row.try_get::<i64, _>("state_since")?,
        ))
    };
    let (id, hub, topic, secret, state, lease_until, created_at, state_since) =
        read().during("reading a subscription")?;
    let state = SubscriptionState::parse(&state).ok_or_else(|| {
        StoreError::Corrupt(format!("subscription of source {id}: state {state:?}"))
    })?;
    Ok(Subscription {
        source: SourceId(id),
        hub,
        topic,
        secret,
        state,
        lease_until: lease_until.map(from_secs),
        created_at: from_secs(created_at),
        state_since: from_secs(state_since),
    })
}

#[cfg(test)]
mod tests;
