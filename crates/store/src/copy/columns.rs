//! Columns read from each database's catalog, and their values carried from one engine
//! to the other through `Any` values: integers, reals, text and bytes, NULL typed by the
//! target's column (PostgreSQL wants a NULL of the column's own type).

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::CopyError;
use crate::engine::Engine;
use crate::error::QueryContext;
use crate::sql::Sql;
use crate::tables::Table;
use crate::{Result, text};

/// What a column holds, as far as the copy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Integer,
    Real,
    Text,
    Bytes,
}

impl Kind {
    /// The kind of a declared type, as SQLite's affinity rules and PostgreSQL's type
    /// names say (`INTEGER`/`bigint`, `TEXT`/`text`, `BLOB`/`bytea`, `REAL`/`double
    /// precision`); `None` for anything else.
    pub(super) fn of_declared(declared: &str) -> Option<Kind> {
        let declared = declared.to_ascii_lowercase();
        let has = |part: &str| declared.contains(part);
        if has("int") {
            Some(Kind::Integer)
        } else if has("char") || has("text") || has("clob") {
            Some(Kind::Text)
        } else if has("blob") || has("bytea") {
            Some(Kind::Bytes)
        } else if has("real") || has("floa") || has("doub") {
            Some(Kind::Real)
        } else {
            None
        }
    }
}

/// A column the copy moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) kind: Kind,
}

/// One value in transit.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

/// The columns of `table` as `engine`'s catalog lists them, as `(name, declared type)`.
/// The search index lives in tables of its own, which the copy leaves out.
pub(super) async fn listed(
    conn: &mut AnyConnection,
    engine: Engine,
    table: &str,
) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(engine.columns_query())
        .bind(table)
        .fetch_all(conn)
        .await
        .during("reading a table's columns")?;
    let mut columns = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get("name").during("reading a table's columns")?;
        let declared: String = row.try_get("type").during("reading a table's columns")?;
        columns.push((name, declared));
    }
    Ok(columns)
}

/// The columns to copy for `table`: the target's, which the source must have too, by
/// name, and no others. Kinds come from the target's declarations.
pub(super) fn plan(
    table: &Table,
    source: &[(String, String)],
    target: &[(String, String)],
) -> Result<Vec<Column>, CopyError> {
    let mismatch = |detail: String| CopyError::SchemaMismatch {
        table: table.name,
        detail,
    };
    if target.is_empty() {
        return Err(mismatch("the target has no such table".into()));
    }
    let names = |columns: &[(String, String)]| -> Vec<String> {
        let mut names: Vec<String> = columns.iter().map(|(name, _)| name.clone()).collect();
        names.sort();
        names
    };
    if names(source) != names(target) {
        return Err(mismatch(format!(
            "the source has columns {:?}, the target {:?}",
            names(source),
            names(target)
        )));
    }
    let mut columns = Vec::with_capacity(target.len());
    for (name, declared) in target {
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(mismatch(format!(
                "column name {name:?} is not a plain name"
            )));
        }
        let kind = Kind::of_declared(declared).ok_or_else(|| CopyError::UnknownColumnType {
            table: table.name,
            column: name.clone(),
            declared: declared.clone(),
        })?;
        columns.push(Column {
            name: name.clone(),
            kind,
        });
    }
    for key in table.key {
        if !columns.iter().any(|c| c.name == *key) {
            return Err(mismatch(format!("it has no key column {key}")));
        }
    }
    Ok(columns)
}

/// The values of one row read with `columns` in order. Text loses any NUL character,
/// which PostgreSQL refuses (as at ingest).
pub(super) fn read_row(row: &AnyRow, columns: &[Column]) -> Result<Vec<Value>> {
    const ACTION: &str = "reading a row to copy";
    columns
        .iter()
        .enumerate()
        .map(|(at, column)| {
            Ok(match column.kind {
                Kind::Integer => Value::Integer(row.try_get(at).during(ACTION)?),
                Kind::Real => Value::Real(row.try_get(at).during(ACTION)?),
                Kind::Text => {
                    let value: Option<String> = row.try_get(at).during(ACTION)?;
                    Value::Text(value.map(|text| text::clean(&text).into_owned()))
                }
                Kind::Bytes => Value::Bytes(row.try_get(at).during(ACTION)?),
            })
        })
        .collect()
}

/// Appends `value` as a parameter.
pub(super) fn bind(sql: &mut Sql, value: &Value) {
    match value.clone() {
        Value::Integer(v) => sql.bind(v),
        Value::Real(v) => sql.bind(v),
        Value::Text(v) => sql.bind(v),
        Value::Bytes(v) => sql.bind(v),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TABLES;

    #[test]
    fn declared_types_of_both_engines_have_a_kind() {
        let rows = [
            ("INTEGER", Some(Kind::Integer)),
            ("bigint", Some(Kind::Integer)),
            ("TEXT", Some(Kind::Text)),
            ("text", Some(Kind::Text)),
            ("character varying", Some(Kind::Text)),
            ("BLOB", Some(Kind::Bytes)),
            ("bytea", Some(Kind::Bytes)),
            ("double precision", Some(Kind::Real)),
            ("REAL", Some(Kind::Real)),
            ("tsvector", None),
        ];
        for (declared, kind) in rows {
            assert_eq!(Kind::of_declared(declared), kind, "{declared}");
        }
    }

    #[test]
    fn the_plan_follows_the_target_and_refuses_columns_on_one_side_only() {
        let posts = TABLES.iter().find(|t| t.name == "posts").expect("posts");
        let col = |name: &str, declared: &str| (name.to_owned(), declared.to_owned());
        let source = [col("title", "TEXT"), col("id", "INTEGER")];
        let target = [col("id", "bigint"), col("title", "text")];
        let planned = plan(posts, &source, &target).expect("same columns");
        assert_eq!(
            planned,
            vec![
                Column {
                    name: "id".into(),
                    kind: Kind::Integer
                },
                Column {
                    name: "title".into(),
                    kind: Kind::Text
                }
            ]
        );
        let extra = [col("id", "INTEGER"), col("title", "TEXT"), col("x", "TEXT")];
        let refused = plan(posts, &extra, &target);
        assert!(
            matches!(
                refused,
                Err(CopyError::SchemaMismatch { table: "posts", .. })
            ),
            "{refused:?}"
        );
        assert!(plan(posts, &source, &[]).is_err());
        let no_key = [col("title", "TEXT")];
        assert!(plan(posts, &no_key, &no_key).is_err());
    }
}
