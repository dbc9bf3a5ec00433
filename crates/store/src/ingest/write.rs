//! An ingest's writes of its posts: the new ones inserted in the feed's order, the changed
//! ones rewritten in place, each body compressed, and the audit rows of filtered posts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use syndic_core::{Actor, Admission, PostId, SourceId};

use super::{Action, Incoming, PreparedPosts};
use crate::body::dictionary::Dictionary;
use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::{Sql, fixed_runs};
use crate::{Result, audit, body, moderation, text, to_secs};

/// Inserts the new posts, in the batch's order (so ids follow the feed's order), each in
/// the state its admission gives; their ids by guid.
pub(super) async fn insert_posts(
    tx: &mut AnyConnection,
    (engine, dictionary): (Engine, Option<&'static Dictionary>),
    source: SourceId,
    (entries, admissions): (&[Incoming<'_>], &[&Admission]),
    actions: &[Action],
    prepared: &mut PreparedPosts,
    now: DateTime<Utc>,
) -> Result<HashMap<String, i64>> {
    let new: Vec<(usize, &Incoming<'_>, i64, &Admission)> = entries
        .iter()
        .zip(actions)
        .zip(admissions)
        .enumerate()
        .filter_map(|(index, ((entry, action), admission))| match action {
            Action::Insert { published } => Some((index, entry, *published, *admission)),
            _ => None,
        })
        .collect();
    let bodies = encode_bodies(
        new.iter().map(|(index, entry, _, _)| (*index, *entry)),
        dictionary,
        prepared,
    );
    let new: Vec<(&Incoming<'_>, i64, &Admission)> = new
        .into_iter()
        .map(|(_, entry, published, admission)| (entry, published, admission))
        .collect();
    let mut ids = HashMap::with_capacity(new.len());
    let mut bodies = bodies.into_iter();
    for chunk in fixed_runs(engine, &new, 12) {
        let mut insert = Sql::new(
            "INSERT INTO posts (source_id, guid, title, link, author, published_at, updated_at,
                 first_seen_at, body, categories, language, state, state_detail) VALUES ",
        );
        insert.push_list(
            chunk.iter().zip(bodies.by_ref()),
            |sql, ((entry, published, admission), body)| {
                sql.push("(").bind(source.0).push(", ");
                push_described(sql, entry, *published);
                sql.push(", NULL, ").bind(to_secs(now)).push(", ");
                push_contents(sql, entry, body);
                sql.push(", ")
                    .bind(admission.state().as_str())
                    .push(", ")
                    .bind(text::clean(admission.detail()).into_owned());
                sql.push(")");
            },
        );
        insert.push(" RETURNING id, guid");
        for row in insert
            .prepared_on(engine)
            .fetch_rows(tx, "inserting posts")
            .await?
        {
            let id: i64 = row.try_get(0).during("inserting posts")?;
            let guid: String = row.try_get(1).during("inserting posts")?;
            ids.insert(guid, id);
        }
    }
    Ok(ids)
}

/// Records in the audit log each new post a rule filtered (in the ingest's transaction).
/// Rules are the operator's configuration, so the actor is `cli`.
pub(super) async fn record_filtered(
    tx: &mut AnyConnection,
    entries: &[Incoming<'_>],
    admissions: &[&Admission],
    actions: &[Action],
    inserted: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    for ((entry, admission), action) in entries.iter().zip(admissions).zip(actions) {
        let (Admission::Filter { rule }, Action::Insert { .. }) = (admission, action) else {
            continue;
        };
        if let Some(&id) = inserted.get(entry.guid.as_ref()) {
            let target = moderation::target(PostId(id));
            audit::record(tx, Actor::Cli, "filter", &target, rule, now).await?;
        }
    }
    Ok(())
}

/// The columns that name and date a post, in the order both statements list them:
/// `guid, title, link, author, published_at`.
fn push_described(sql: &mut Sql, entry: &Incoming<'_>, published: i64) {
    sql.bind(entry.guid.clone().into_owned())
        .push(", ")
        .bind(entry.title.clone().into_owned())
        .push(", ")
        .bind(entry.link.clone().map(|l| l.into_owned()))
        .push(", ")
        .bind(entry.author.clone().map(|a| a.into_owned()))
        .push(", ")
        .bind(published);
}

/// The columns that hold a post's contents: `body, categories, language`.
fn push_contents(sql: &mut Sql, entry: &Incoming<'_>, body: Vec<u8>) {
    sql.bind(body)
        .push(", ")
        .bind(entry.categories.clone())
        .push(", ")
        .bind(entry.language.clone().map(|l| l.into_owned()));
}

/// The bodies of `entries` (each with its index in the batch), with the store's current
/// dictionary if it has one: those `prepared` holds made with it, the others compressed
/// here, off the async threads (see [`body::off_async`]).
fn encode_bodies<'a>(
    entries: impl Iterator<Item = (usize, &'a Incoming<'a>)>,
    dictionary: Option<&'static Dictionary>,
    prepared: &mut PreparedPosts,
) -> Vec<Vec<u8>> {
    let entries: Vec<(&Incoming<'_>, Option<Vec<u8>>)> = entries
        .map(|(index, entry)| (entry, prepared.take_body(index, dictionary)))
        .collect();
    if entries.iter().all(|(_, body)| body.is_some()) {
        return entries.into_iter().filter_map(|(_, body)| body).collect();
    }
    body::off_async(|| {
        entries
            .into_iter()
            .map(|(entry, body)| {
                body.unwrap_or_else(|| {
                    body::encode_with(&entry.content_text, &entry.content_html, dictionary)
                })
            })
            .collect()
    })
}

/// Rewrites the changed posts in place (first-seen time kept, updated time set).
pub(super) async fn update_posts(
    tx: &mut AnyConnection,
    (engine, dictionary): (Engine, Option<&'static Dictionary>),
    entries: &[Incoming<'_>],
    actions: &[Action],
    prepared: &mut PreparedPosts,
    now: DateTime<Utc>,
) -> Result<()> {
    let changed: Vec<(usize, &Incoming<'_>, i64, i64)> = entries
        .iter()
        .zip(actions)
        .enumerate()
        .filter_map(|(index, (entry, action))| match action {
            Action::Update {
                post, published, ..
            } => Some((index, entry, *post, *published)),
            _ => None,
        })
        .collect();
    let bodies = encode_bodies(
        changed.iter().map(|(index, entry, _, _)| (*index, *entry)),
        dictionary,
        prepared,
    );
    let changed: Vec<(&Incoming<'_>, i64, i64)> = changed
        .into_iter()
        .map(|(_, entry, post, published)| (entry, post, published))
        .collect();
    let mut bodies = bodies.into_iter();
    for chunk in fixed_runs(engine, &changed, 10) {
        let mut update = Sql::new(
            "UPDATE posts SET guid = v.column2, title = v.column3, link = v.column4,
                 author = v.column5, published_at = v.column6, updated_at = v.column7,
                 body = v.column8, categories = v.column9, language = v.column10
             FROM (VALUES ",
        );
        update.push_list(
            chunk.iter().zip(bodies.by_ref()),
            |sql, ((entry, post, published), body)| {
                sql.push("(").bind(*post).push(", ");
                push_described(sql, entry, *published);
                sql.push(", ")
                    .bind(to_secs(entry.updated.unwrap_or(now)))
                    .push(", ");
                push_contents(sql, entry, body);
                sql.push(")");
            },
        );
        update.push(") AS v WHERE posts.id = v.column1");
        update
            .prepared_on(engine)
            .execute(tx, "updating posts")
            .await?;
    }
    Ok(())
}
