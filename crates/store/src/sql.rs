//! Statements built at run time (lists of values, multi-row writes) with `$n` parameters,
//! which both engines read. sqlx's own builder writes `?` for the `Any` driver, which
//! PostgreSQL does not accept.

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, AnyConnection, Arguments, Encode, Type};

use crate::Result;
use crate::error::QueryContext;

/// SQL text and the values of its parameters, in order.
#[derive(Default)]
pub(crate) struct Sql {
    text: String,
    arguments: AnyArguments,
    count: usize,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            ..Sql::default()
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a parameter (`$n`) holding `value`.
    pub(crate) fn bind<T>(&mut self, value: T) -> &mut Sql
    where
        T: Encode<'static, Any> + Type<Any> + 'static,
    {
        let placeholder = self.placeholder(value);
        self.push(&placeholder)
    }

    /// Adds a parameter holding `value` and returns its placeholder (`$n`) without
    /// appending it, for SQL that names one value twice.
    pub(crate) fn placeholder<T>(&mut self, value: T) -> String
    where
        T: Encode<'static, Any> + Type<Any> + 'static,
    {
        self.count += 1;
        let placeholder = format!("${}", self.count);
        // Encoding into the `Any` buffer only fails for values it cannot represent, which
        // the types this crate binds (integers, text, booleans, options) never are.
        if self.arguments.add(value).is_err() {
            tracing::error!("a query parameter could not be encoded");
        }
        placeholder
    }

    /// Appends `items` separated by `, `, each written by `write`.
    pub(crate) fn push_list<I>(&mut self, items: I, mut write: impl FnMut(&mut Sql, I::Item))
    where
        I: IntoIterator,
    {
        for (n, item) in items.into_iter().enumerate() {
            if n > 0 {
                self.push(", ");
            }
            write(self, item);
        }
    }

    /// The text so far (for tests).
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The same statement with `prefix` before it (`EXPLAIN`, for tests).
    #[cfg(test)]
    pub(crate) fn prefixed(mut self, prefix: &str) -> Sql {
        self.text.insert_str(0, prefix);
        self
    }

    fn query(self) -> sqlx::query::Query<'static, Any, AnyArguments> {
        // Prepared once per connection and shape, and kept in sqlx's statement cache (it
        // drops the least recently used): a shape is a number of rows, and one feed's
        // batch after another's repeats the same few, so preparing each statement afresh
        // cost an ingest more than a cache miss now and then.
        sqlx::query_with(sqlx::AssertSqlSafe(self.text), self.arguments)
    }

    /// Runs the statement, with sqlx's own error (for migrations, which wrap it themselves).
    pub(crate) async fn run(self, conn: &mut AnyConnection) -> Result<AnyQueryResult, sqlx::Error> {
        self.query().execute(conn).await
    }

    pub(crate) async fn execute(
        self,
        conn: &mut AnyConnection,
        action: &'static str,
    ) -> Result<AnyQueryResult> {
        self.query().execute(conn).await.during(action)
    }

    pub(crate) async fn fetch_all<'c, E>(
        self,
        executor: E,
        action: &'static str,
    ) -> Result<Vec<AnyRow>>
    where
        E: sqlx::Executor<'c, Database = Any>,
    {
        self.query().fetch_all(executor).await.during(action)
    }

    pub(crate) async fn fetch_count<'c, E>(self, executor: E, action: &'static str) -> Result<u64>
    where
        E: sqlx::Executor<'c, Database = Any>,
    {
        let count: i64 = sqlx::query_scalar_with(sqlx::AssertSqlSafe(self.text), self.arguments)
            .persistent(false)
            .fetch_one(executor)
            .await
            .during(action)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT x FROM t WHERE a = ");
        sql.bind(1_i64).push(" AND b IN (");
        sql.push_list(["p", "q"], |sql, v| {
            sql.bind(v.to_owned());
        });
        sql.push(")");
        let again = sql.placeholder("r".to_owned());
        sql.push(" AND c = ")
            .push(&again)
            .push(" AND d = ")
            .push(&again);
        assert_eq!(
            sql.text(),
            "SELECT x FROM t WHERE a = $1 AND b IN ($2, $3) AND c = $4 AND d = $4"
        );
    }
}
