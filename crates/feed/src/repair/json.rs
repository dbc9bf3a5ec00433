//! Normalizing a JSON Feed that feed-rs refuses over a detail.

use serde_json::{Map, Value};

/// Top-level and item fields feed-rs reads as strings.
const FEED_STRINGS: &[&str] = &[
    "home_page_url",
    "feed_url",
    "language",
    "description",
    "icon",
    "favicon",
];
const ITEM_STRINGS: &[&str] = &[
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "date_published",
    "date_modified",
];

/// The document as a JSON Feed feed-rs accepts, when it is a JSON object that only
/// deviates in details: an `http://` version URL, a missing title, numeric ids, fields of
/// the wrong type (dropped). `None` when the JSON is broken or there is nothing to fix.
pub(crate) fn normalize(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut value: Value = serde_json::from_slice(bytes).ok()?;
    let feed = value.as_object_mut()?;
    let mut changed = false;

    let version = feed
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let fixed_version = match version.strip_prefix("http://jsonfeed.org/version/1") {
        Some(rest) => Some(format!("https://jsonfeed.org/version/1{rest}")),
        None if version.is_empty() && feed.get("items").is_some_and(Value::is_array) => {
            Some("https://jsonfeed.org/version/1.1".to_owned())
        }
        None => None,
    };
    if let Some(version) = fixed_version {
        feed.insert("version".to_owned(), Value::String(version));
        changed = true;
    }
    if !feed.get("title").is_some_and(Value::is_string) {
        feed.insert("title".to_owned(), Value::String(String::new()));
        changed = true;
    }
    changed |= keep_strings(feed, FEED_STRINGS);
    changed |= normalize_authors(feed);
    match feed.get_mut("items") {
        Some(Value::Array(items)) => {
            let before = items.len();
            items.retain(Value::is_object);
            changed |= items.len() != before;
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                changed |= normalize_item(item);
            }
        }
        _ => {
            feed.insert("items".to_owned(), Value::Array(Vec::new()));
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    serde_json::to_vec(&value).ok()
}

fn normalize_item(item: &mut Map<String, Value>) -> bool {
    let mut changed = false;
    match item.get("id") {
        Some(Value::Number(n)) => {
            let id = n.to_string();
            item.insert("id".to_owned(), Value::String(id));
            changed = true;
        }
        Some(Value::String(_)) | None => {}
        Some(_) => {
            item.remove("id");
            changed = true;
        }
    }
    changed |= keep_strings(item, ITEM_STRINGS);
    changed |= normalize_authors(item);
    if let Some(tags) = item.get_mut("tags") {
        match tags {
            Value::Array(list) => {
                let before = list.len();
                list.retain(Value::is_string);
                changed |= list.len() != before;
            }
            _ => {
                item.remove("tags");
                changed = true;
            }
        }
    }
    if let Some(attachments) = item.get_mut("attachments") {
        match attachments {
            Value::Array(list) => {
                let before = list.len();
                list.retain(|a| {
                    let field = |name| a.get(name).is_some_and(Value::is_string);
                    field("url") && field("mime_type")
                });
                changed |= list.len() != before;
            }
            _ => {
                item.remove("attachments");
                changed = true;
            }
        }
    }
    changed
}

/// Drops `author`/`authors` entries that are not objects with string fields.
fn normalize_authors(object: &mut Map<String, Value>) -> bool {
    let mut changed = false;
    if let Some(author) = object.get_mut("author") {
        match author.as_object_mut() {
            Some(author) => changed |= keep_strings(author, &["name", "url", "avatar"]),
            None => {
                object.remove("author");
                changed = true;
            }
        }
    }
    if let Some(authors) = object.get_mut("authors") {
        match authors.as_array_mut() {
            Some(list) => {
                let before = list.len();
                list.retain(Value::is_object);
                changed |= list.len() != before;
                for author in list.iter_mut().filter_map(Value::as_object_mut) {
                    changed |= keep_strings(author, &["name", "url", "avatar"]);
                }
            }
            None => {
                object.remove("authors");
                changed = true;
            }
        }
    }
    changed
}

/// Removes the named fields whose values are not strings (`null` included).
fn keep_strings(object: &mut Map<String, Value>, names: &[&str]) -> bool {
    let mut changed = false;
    for name in names {
        if object.get(*name).is_some_and(|v| !v.is_string()) {
            object.remove(*name);
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(json: &str) -> Option<Value> {
        normalize(json.as_bytes()).map(|b| serde_json::from_slice(&b).expect("valid json"))
    }

    #[test]
    fn fixes_version_title_ids_and_wrong_types() {
        let fixed = normalized(
            r#"{"version":"http://jsonfeed.org/version/1","items":[
                {"id": 7, "url": null, "title": "A", "tags": ["x", 3]}, "junk"]}"#,
        )
        .expect("changed");
        assert_eq!(fixed["version"], "https://jsonfeed.org/version/1");
        assert_eq!(fixed["title"], "");
        assert_eq!(fixed["items"][0]["id"], "7");
        assert!(fixed["items"][0].get("url").is_none());
        assert_eq!(fixed["items"][0]["tags"], serde_json::json!(["x"]));
        assert_eq!(fixed["items"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn leaves_valid_feeds_and_broken_json_alone() {
        let valid = r#"{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[]}"#;
        assert_eq!(normalized(valid), None);
        assert_eq!(normalized(r#"{"version": "#), None);
        assert_eq!(normalized("[1, 2]"), None);
    }
}
