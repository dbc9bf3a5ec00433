//! Changing the `[[source]]` list of the configuration file in place, for `syndic add`,
//! `remove`, `import` and a feed's permanent move.
//!
//! The file is someone's: `toml_edit` keeps every comment, blank line and key order that the
//! edit does not touch. The edited text must pass [`Config::parse`] before it is written, and
//! it is written atomically (a temporary file in the same folder, then a rename), so the file
//! is never half-written nor left invalid.

use std::path::Path;

use anyhow::{Context, bail};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};
use url::Url;

use super::{Config, Overrides};

/// A source to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    pub url: String,
    pub name: Option<String>,
    pub tags: Vec<String>,
}

/// What [`append_sources`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Appended {
    pub added: Vec<String>,
    /// Already configured (or listed twice), so left out.
    pub duplicates: Vec<String>,
}

/// The form two source addresses are compared in: lower-case scheme and host, no default
/// port, no fragment (what `url` does when parsing, plus dropping the fragment). Anything
/// that is not a URL (a path) is compared as written.
pub fn normalize_url(address: &str) -> String {
    let address = address.trim();
    match Url::parse(address) {
        Ok(mut url) => {
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => address.to_owned(),
    }
}

/// Adds one `[[source]]`; refuses an address already configured.
pub fn append_source(
    path: &Path,
    url: &str,
    name: Option<&str>,
    tags: &[String],
) -> anyhow::Result<()> {
    let source = NewSource {
        url: url.to_owned(),
        name: name.map(str::to_owned),
        tags: tags.to_vec(),
    };
    let appended = append_sources(path, &[source])?;
    if appended.added.is_empty() {
        bail!("{url} is already a source in {}", path.display());
    }
    Ok(())
}

/// Adds every source not yet configured, in one edit.
pub fn append_sources(path: &Path, sources: &[NewSource]) -> anyhow::Result<Appended> {
    let mut document = read(path)?;
    let mut known: Vec<String> = urls(&document).iter().map(|u| normalize_url(u)).collect();
    let mut appended = Appended::default();
    // Blank lines at the end of the file go before the first new table, not after it.
    let trailing = document.trailing().as_str().unwrap_or_default().to_owned();
    let mut prefix = (!trailing.is_empty() && trailing.trim().is_empty()).then_some(trailing);
    if prefix.is_some()
        && sources
            .iter()
            .any(|s| !known.contains(&normalize_url(&s.url)))
    {
        document.set_trailing("");
    }
    let list = source_list(&mut document)?;
    for source in sources {
        let normal = normalize_url(&source.url);
        if known.contains(&normal) {
            appended.duplicates.push(source.url.clone());
            continue;
        }
        known.push(normal);
        let mut table = table(source);
        if let Some(prefix) = prefix.take() {
            table.decor_mut().set_prefix(prefix);
        }
        list.push(table);
        appended.added.push(source.url.clone());
    }
    if !appended.added.is_empty() {
        write(path, &document)?;
    }
    Ok(appended)
}

/// Removes the `[[source]]` whose address is `url`; false when there is none.
pub fn remove_source(path: &Path, url: &str) -> anyhow::Result<bool> {
    let mut document = read(path)?;
    let Some(index) = position(&document, url) else {
        return Ok(false);
    };
    let list = source_list(&mut document)?;
    list.remove(index);
    if list.is_empty() {
        document.remove("source");
    }
    write(path, &document)?;
    Ok(true)
}

/// Points the `[[source]]` at `old` to `new` (keeping its name, tags and comments); false
/// when no source is at `old`.
pub fn replace_source_url(path: &Path, old: &str, new: &str) -> anyhow::Result<bool> {
    let mut document = read(path)?;
    let Some(index) = position(&document, old) else {
        return Ok(false);
    };
    if position(&document, new).is_some() {
        bail!(
            "cannot change {old} to {new} in {}: {new} is already a source",
            path.display()
        );
    }
    let list = source_list(&mut document)?;
    let Some(entry) = list.get_mut(index).and_then(|t| t.get_mut("url")) else {
        return Ok(false);
    };
    let decor = entry.as_value().map(|v| v.decor().clone());
    *entry = value(new);
    if let (Some(decor), Some(v)) = (decor, entry.as_value_mut()) {
        *v.decor_mut() = decor;
    }
    write(path, &document)?;
    Ok(true)
}

/// The configured source addresses, as written.
fn urls(document: &DocumentMut) -> Vec<String> {
    document
        .get("source")
        .and_then(Item::as_array_of_tables)
        .map(|list| {
            list.iter()
                .map(|t| {
                    t.get("url")
                        .and_then(Item::as_str)
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn position(document: &DocumentMut, url: &str) -> Option<usize> {
    let wanted = normalize_url(url);
    urls(document)
        .iter()
        .position(|u| normalize_url(u) == wanted)
}

fn source_list(document: &mut DocumentMut) -> anyhow::Result<&mut ArrayOfTables> {
    let item = document
        .entry("source")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
    item.as_array_of_tables_mut()
        .context("`source` is not a list of [[source]] tables")
}

fn table(source: &NewSource) -> Table {
    let mut table = Table::new();
    table.decor_mut().set_prefix("\n");
    table.insert("url", value(source.url.as_str()));
    if let Some(name) = &source.name {
        table.insert("name", value(name.as_str()));
    }
    if !source.tags.is_empty() {
        let tags: Array = source.tags.iter().map(String::as_str).collect();
        table.insert("tags", value(tags));
    }
    table
}

fn read(path: &Path) -> anyhow::Result<DocumentMut> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.parse::<DocumentMut>()
        .with_context(|| format!("cannot read {} as TOML", path.display()))
}

/// Validates the edited text as a configuration, then replaces the file atomically.
fn write(path: &Path, document: &DocumentMut) -> anyhow::Result<()> {
    let mut text = document.to_string();
    if text.trim().is_empty() {
        // The last source went: an empty file would be refused as a mistake.
        text = "# syndic configuration: every setting has its default (`syndic init --print` \
                shows them all).\n"
            .to_owned();
    }
    Config::parse(&text, path, &Overrides::default())
        .context("the edited configuration would be invalid, so it was not written")?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write a temporary file in {}", dir.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write {}", file.path().display()))?;
    if let Ok(metadata) = std::fs::metadata(path) {
        // Keep the file's permissions; a failure here leaves the temporary file's, no harm.
        let _ = std::fs::set_permissions(file.path(), metadata.permissions());
    }
    file.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# My planet.
[site]
title = \"Test\"   # shown on every page

[database]
url = \"sqlite://test.db\"

# Maps people.
[[source]]
url = \"https://maps.example/feed\"  # the best one
name = \"Maps\"
tags = [\"maps\"]

[[source]]
url = \"https://other.example/rss\"

# Tags below.
[[tag]]
name = \"maps\"
terms = [\"map\"]
";

    fn file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("syndic.toml");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    fn text(path: &Path) -> String {
        std::fs::read_to_string(path).expect("read")
    }

    #[test]
    fn append_keeps_everything_else_byte_for_byte() {
        let (_dir, path) = file(FILE);
        append_source(
            &path,
            "https://new.example/atom",
            Some("New"),
            &["maps".into()],
        )
        .expect("append");
        let after = text(&path);
        let added =
            "\n[[source]]\nurl = \"https://new.example/atom\"\nname = \"New\"\ntags = [\"maps\"]\n";
        let (before_tags, tags) = FILE.split_at(FILE.find("\n# Tags below.").expect("tags"));
        assert_eq!(after, format!("{before_tags}{added}{tags}"));
        let config = Config::load(&path, &Overrides::default()).expect("valid");
        assert_eq!(config.sources.len(), 3);
    }

    #[test]
    fn append_to_a_file_without_sources() {
        let (_dir, path) = file("# just a comment\n[site]\ntitle = \"T\"\n");
        append_source(&path, "https://a.example/feed", None, &[]).expect("append");
        assert_eq!(
            text(&path),
            "# just a comment\n[site]\ntitle = \"T\"\n\n[[source]]\nurl = \"https://a.example/feed\"\n"
        );
    }

    #[test]
    fn duplicates_are_refused_after_normalising() {
        let (_dir, path) = file(FILE);
        let error = append_source(&path, "HTTPS://Maps.Example:443/feed#x", None, &[])
            .expect_err("a duplicate");
        assert!(error.to_string().contains("already a source"), "{error}");
        assert_eq!(text(&path), FILE);
        let appended = append_sources(
            &path,
            &[
                NewSource {
                    url: "https://b.example/".into(),
                    name: None,
                    tags: vec![],
                },
                NewSource {
                    url: "https://b.example/#top".into(),
                    name: None,
                    tags: vec![],
                },
                NewSource {
                    url: "https://other.example/rss".into(),
                    name: None,
                    tags: vec![],
                },
            ],
        )
        .expect("append");
        assert_eq!(appended.added, ["https://b.example/"]);
        assert_eq!(appended.duplicates.len(), 2);
    }

    #[test]
    fn remove_takes_out_one_source_only() {
        let (_dir, path) = file(FILE);
        assert!(remove_source(&path, "https://other.example/rss").expect("remove"));
        assert_eq!(
            text(&path),
            FILE.replace("[[source]]\nurl = \"https://other.example/rss\"\n\n", "")
        );
        assert!(!remove_source(&path, "https://nowhere.example/").expect("remove"));
    }

    #[test]
    fn replace_keeps_the_comment_beside_the_url() {
        let (_dir, path) = file(FILE);
        assert!(
            replace_source_url(
                &path,
                "https://maps.example/feed",
                "https://maps.example/new"
            )
            .expect("replace")
        );
        assert_eq!(
            text(&path),
            FILE.replace("https://maps.example/feed", "https://maps.example/new")
        );
        assert!(
            !replace_source_url(&path, "https://gone.example/", "https://x.example/")
                .expect("replace")
        );
        assert!(
            replace_source_url(
                &path,
                "https://maps.example/new",
                "https://other.example/rss"
            )
            .is_err()
        );
    }

    #[test]
    fn an_edit_that_would_be_invalid_is_not_written() {
        let (_dir, path) = file(FILE);
        let error = append_source(&path, "gopher://old.example/", None, &[]).expect_err("invalid");
        assert!(
            format!("{error:#}").contains("would be invalid"),
            "{error:#}"
        );
        assert_eq!(text(&path), FILE);
    }
}
