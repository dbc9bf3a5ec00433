//! Host turns on both engines, with two stores on one database standing for two
//! processes of the fleet.

use std::time::Duration as Gap;

use chrono::Duration;

use super::{HostTurn, TurnKind};
use crate::tests::{at, fresh_store};

const SECOND: Gap = Gap::from_secs(1);
const SECOND_CHRONO: Duration = Duration::seconds(1);

async fn a_host_s_turn_is_taken_once_per_gap_across_two_stores() {
    let (first, db) = fresh_store().await;
    let second = db.open().await;
    let start = at(1);
    let ms = Duration::milliseconds;
    let take = |store: &crate::Store, offset: i64| {
        let store = store.clone();
        async move {
            store
                .take_host_turn("blog.example", TurnKind::Page, SECOND, start + ms(offset))
                .await
                .expect("take a turn")
        }
    };
    assert_eq!(take(&first, 0).await, HostTurn::Taken);
    assert_eq!(
        take(&second, 500).await,
        HostTurn::WaitUntil(start + ms(1000)),
        "the other process waits for the gap"
    );
    assert_eq!(
        take(&first, 999).await,
        HostTurn::WaitUntil(start + ms(1000)),
        "so does the first"
    );
    assert_eq!(take(&second, 1000).await, HostTurn::Taken);
    assert_eq!(
        take(&first, 1200).await,
        HostTurn::WaitUntil(start + ms(2000)),
        "the gap runs from the second's start"
    );
}

async fn kinds_and_hosts_keep_their_own_turns() {
    let (store, _db) = fresh_store().await;
    let now = at(1);
    for (host, kind) in [
        ("blog.example", TurnKind::Page),
        ("blog.example", TurnKind::Image),
        ("cdn.example", TurnKind::Image),
    ] {
        let got = store
            .take_host_turn(host, kind, SECOND, now)
            .await
            .expect("take a turn");
        assert_eq!(got, HostTurn::Taken, "{host} {kind:?} waits for nobody");
    }
    let again = store
        .take_host_turn("cdn.example", TurnKind::Image, Gap::from_millis(500), now)
        .await
        .expect("take a turn");
    assert_eq!(again, HostTurn::WaitUntil(now + SECOND_CHRONO));
}

/// Many asking at the same moment through two stores: exactly one gets the turn.
async fn of_many_asking_at_once_through_two_stores_one_gets_the_turn() {
    let (first, db) = fresh_store().await;
    let second = db.open().await;
    let now = at(1);
    let asks = (0..16).map(|i| {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tokio::spawn(async move {
            store
                .take_host_turn("blog.example", TurnKind::Image, SECOND, now)
                .await
                .expect("take a turn")
        })
    });
    let mut taken = 0;
    for ask in asks.collect::<Vec<_>>() {
        match ask.await.expect("ask") {
            HostTurn::Taken => taken += 1,
            HostTurn::WaitUntil(when) => assert_eq!(when, now + SECOND_CHRONO),
        }
    }
    assert_eq!(taken, 1);
}

async fn turns_a_day_past_are_forgotten_and_recent_ones_kept() {
    let (store, _db) = fresh_store().await;
    for (host, day) in [("old.example", 1), ("new.example", 3)] {
        store
            .take_host_turn(host, TurnKind::Page, SECOND, at(day))
            .await
            .expect("take a turn");
    }
    let forgotten = store
        .forget_past_host_turns(at(3) + Duration::hours(1))
        .await
        .expect("forget");
    assert_eq!(forgotten, 1);
    let recent = store
        .take_host_turn("new.example", TurnKind::Page, SECOND, at(3))
        .await
        .expect("take a turn");
    assert_eq!(recent, HostTurn::WaitUntil(at(3) + SECOND_CHRONO));
}

crate::tests::on_both_engines!(
    a_host_s_turn_is_taken_once_per_gap_across_two_stores,
    kinds_and_hosts_keep_their_own_turns,
    of_many_asking_at_once_through_two_stores_one_gets_the_turn,
    turns_a_day_past_are_forgotten_and_recent_ones_kept,
);
