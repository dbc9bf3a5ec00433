//! Claims: two processes storing the same new article at the same moment must not both
//! find it new. Before an ingest reads the posts its new entries could merge into, it
//! claims their keys (each normalised link's hash and each fingerprint band) by inserting
//! them into `article_claims`, sorted, and deletes them again at once. The rows never
//! outlive the statement that follows, but the insert holds the keys until the ingest
//! commits or rolls back: a second transaction claiming one of them waits for the first to
//! end (PostgreSQL's unique check waits on an in-progress insert), and its read then sees
//! the first's post, so it merges instead of inserting. Sorted claims cannot deadlock with
//! each other. On SQLite the write lock already lets one ingest run at a time; the claims
//! cost two statements there and change nothing.

use sqlx::AnyConnection;

use super::plan::EntryKeys;
use crate::Result;
use crate::engine::Engine;
use crate::sql::{Sql, fixed_runs};

/// What a claim key stands for: a normalised link's hash, or a fingerprint band.
const LINK: i64 = 1;
const BAND: i64 = 2;

/// The keys `entries` claim, sorted and each once.
fn claim_keys(entries: &[&EntryKeys]) -> Vec<(i64, i64)> {
    let mut keys: Vec<(i64, i64)> = Vec::new();
    for entry in entries {
        keys.extend(entry.links.iter().map(|(hash, _)| (LINK, *hash)));
        if let Some(print) = entry.fingerprint {
            keys.extend(print.bands().map(|band| (BAND, band)));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Claims the keys of the entries an ingest would insert, until its transaction ends.
pub(super) async fn claim(
    tx: &mut AnyConnection,
    engine: Engine,
    entries: &[&EntryKeys],
) -> Result<()> {
    let keys = claim_keys(entries);
    if keys.is_empty() {
        return Ok(());
    }
    for chunk in fixed_runs(engine, &keys, 2) {
        let mut insert = Sql::new("INSERT INTO article_claims (kind, claim_key) VALUES ");
        insert.push_list(chunk, |sql, (kind, key)| {
            sql.push("(").bind(*kind).push(", ").bind(*key).push(")");
        });
        insert.push(" ON CONFLICT DO NOTHING");
        insert
            .prepared_on(engine)
            .execute(&mut *tx, "claiming new articles' links")
            .await?;
    }
    Sql::new("DELETE FROM article_claims")
        .execute(&mut *tx, "releasing the claimed rows")
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use syndic_core::Fingerprint;

    use super::*;

    fn keys(links: &[i64], text: Option<&str>) -> EntryKeys {
        EntryKeys {
            guid: "g".into(),
            links: links.iter().map(|h| (*h, false)).collect(),
            fingerprint: text.and_then(|t| Fingerprint::of("Title", t)),
            published: 0,
            origin: None,
        }
    }

    #[test]
    fn claims_are_sorted_and_each_once_so_two_ingests_take_them_in_one_order() {
        let text = "kelp forests grow along cold coasts where the water is rich in nutrients \
            and a single frond can add half a metre in a day";
        let (a, b) = (keys(&[9, 3], Some(text)), keys(&[3, -5], None));
        let claimed = claim_keys(&[&a, &b]);
        assert!(claimed.windows(2).all(|w| w[0] < w[1]), "{claimed:?}");
        let links: Vec<i64> = claimed
            .iter()
            .filter(|(kind, _)| *kind == LINK)
            .map(|(_, key)| *key)
            .collect();
        assert_eq!(links, [-5, 3, 9]);
        let bands = claimed.iter().filter(|(kind, _)| *kind == BAND).count();
        assert!(
            a.fingerprint.is_some(),
            "the text is long enough for a fingerprint"
        );
        assert_eq!(bands, 4);
    }
}
