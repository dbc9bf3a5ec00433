//! Statements built at run time (lists of values, multi-row writes) with `$n` parameters,
//! which both engines read. sqlx's own builder writes `?` for the `Any` driver, which
//! PostgreSQL does not accept.

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, AnyConnection, Arguments, Encode, Type};

use crate::Result;
use crate::engine::Engine;
use crate::error::QueryContext;

/// SQL text and the values of its parameters, in order.
#[derive(Default)]
pub(crate) struct Sql {
    text: String,
    arguments: AnyArguments,
    count: usize,
    /// Whether the connection keeps the statement prepared (see [`Sql::prepared`]).
    prepared: bool,
    /// Where each `$n` written by [`Sql::bind`] starts in `text`, while every parameter
    /// was written once, in order (`None` once [`Sql::placeholder`] hands one out to be
    /// written anywhere): then SQLite can take them as plain `?` ([`Sql::positional`]).
    in_order: Option<Vec<usize>>,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            in_order: Some(Vec::new()),
            ..Sql::default()
        }
    }

    /// Keeps the statement prepared on its connection (sqlx's statement cache), for the
    /// statements of a page: their texts take few shapes, and preparing costs more than
    /// running them (PostgreSQL parses and plans an unprepared statement every time).
    /// Others are built in too many shapes (lists of any length) to be worth a cache slot.
    pub(crate) fn prepared(mut self) -> Sql {
        self.prepared = true;
        self
    }

    /// [`Sql::prepared`] on SQLite only: for the multi-row statements cut by
    /// [`fixed_runs`], whose few shapes are measured to pay there.
    pub(crate) fn prepared_on(self, engine: Engine) -> Sql {
        match engine {
            Engine::Sqlite => self.prepared(),
            Engine::Postgres => self,
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
        let at = self.text.len();
        let placeholder = self.numbered(value);
        if let Some(starts) = &mut self.in_order {
            starts.push(at);
        }
        self.push(&placeholder)
    }

    /// Adds a parameter holding `value` and returns its placeholder (`$n`) without
    /// appending it, for SQL that names one value twice.
    pub(crate) fn placeholder<T>(&mut self, value: T) -> String
    where
        T: Encode<'static, Any> + Type<Any> + 'static,
    {
        self.in_order = None;
        self.numbered(value)
    }

    fn numbered<T>(&mut self, value: T) -> String
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

    /// The text with each `$n` as a plain `?`, when every parameter appears once and in
    /// order. SQLite looks a named parameter (`$n`, and `?n` when sqlx binds it) up in a
    /// list by name, both while parsing and for every value bound, so a statement's cost
    /// grew with the square of its parameters (a tenth of an ingest's parse and bind
    /// time); a plain `?` is numbered as it is read. PostgreSQL needs `$n`.
    fn positional(&self) -> Option<String> {
        let starts = self.in_order.as_ref()?;
        // Any other `$` and digit (a literal, text pushed by hand) keeps the names.
        let named = self
            .text
            .as_bytes()
            .windows(2)
            .filter(|pair| pair[0] == b'$' && pair[1].is_ascii_digit())
            .count();
        if named != starts.len() {
            return None;
        }
        let mut text = String::with_capacity(self.text.len());
        let mut copied = 0;
        for &start in starts {
            let digits = self.text[start + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            text.push_str(&self.text[copied..start]);
            text.push('?');
            copied = start + 1 + digits;
        }
        text.push_str(&self.text[copied..]);
        Some(text)
    }

    /// The statement for `conn`'s engine: positional parameters on SQLite when they can be.
    fn query_for(mut self, conn: &AnyConnection) -> sqlx::query::Query<'static, Any, AnyArguments> {
        if conn.backend_name() == "SQLite"
            && let Some(text) = self.positional()
        {
            self.text = text;
        }
        self.query()
    }

    fn query(self) -> sqlx::query::Query<'static, Any, AnyArguments> {
        sqlx::query_with(sqlx::AssertSqlSafe(self.text), self.arguments).persistent(self.prepared)
    }

    /// Runs the statement, with sqlx's own error (for migrations, which wrap it themselves).
    pub(crate) async fn run(self, conn: &mut AnyConnection) -> Result<AnyQueryResult, sqlx::Error> {
        self.query_for(conn).execute(conn).await
    }

    pub(crate) async fn execute(
        self,
        conn: &mut AnyConnection,
        action: &'static str,
    ) -> Result<AnyQueryResult> {
        self.query_for(conn).execute(conn).await.during(action)
    }

    /// [`Sql::fetch_all`] on one connection, with positional parameters on SQLite (see
    /// [`Sql::positional`]): for the statements of a write, which hold many parameters.
    pub(crate) async fn fetch_rows(
        self,
        conn: &mut AnyConnection,
        action: &'static str,
    ) -> Result<Vec<AnyRow>> {
        self.query_for(conn).fetch_all(conn).await.during(action)
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
            .persistent(self.prepared)
            .fetch_one(executor)
            .await
            .during(action)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

/// On SQLite, `items` in runs of a few fixed lengths, for multi-row statements of
/// `per_row` parameters a row kept prepared ([`Sql::prepared_on`]): runs of as many rows as
/// the engine takes in one statement ([`Engine::rows_per_statement`]: 250 parameters on
/// SQLite), then what is left in runs of the largest power of four that fits (64, 16, 4,
/// 1). A statement's text depends on its row count, so cutting batches of any size this
/// way gives each statement at most five shapes, which repeat from one ingest to the next
/// and stay in the connection's statement cache (100 statements) instead of being parsed
/// at every ingest (with the table's triggers compiled into each), at the price of a few
/// more, cheaper, statements per batch. On PostgreSQL, whose limit is 65,535 parameters,
/// runs of the limit as before: it was not measured there, and its round trips cost more.
pub(crate) fn fixed_runs<T>(engine: Engine, items: &[T], per_row: usize) -> FixedRuns<'_, T> {
    runs_of(engine, items, engine.rows_per_statement(per_row))
}

/// [`fixed_runs`] with at most `most` rows a run.
fn runs_of<T>(engine: Engine, items: &[T], most: usize) -> FixedRuns<'_, T> {
    FixedRuns {
        rest: items,
        most: most.max(1),
        fixed: matches!(engine, Engine::Sqlite),
    }
}

/// The runs of [`fixed_runs`].
pub(crate) struct FixedRuns<'a, T> {
    rest: &'a [T],
    most: usize,
    fixed: bool,
}

impl<'a, T> Iterator for FixedRuns<'a, T> {
    type Item = &'a [T];

    fn next(&mut self) -> Option<&'a [T]> {
        let left = self.rest.len();
        if left == 0 {
            return None;
        }
        let length = if left >= self.most {
            self.most
        } else if !self.fixed {
            left
        } else {
            let mut power = 1;
            while power * 4 <= left {
                power *= 4;
            }
            power
        };
        let (run, rest) = self.rest.split_at(length);
        self.rest = rest;
        Some(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_take_few_fixed_lengths() {
        let lengths = |n: usize, most: usize| {
            let items: Vec<usize> = (0..n).collect();
            let runs: Vec<&[usize]> = runs_of(Engine::Sqlite, &items, most).collect();
            assert_eq!(runs.concat(), items, "every item once, in order");
            runs.iter().map(|r| r.len()).collect::<Vec<_>>()
        };
        assert_eq!(lengths(0, 20), Vec::<usize>::new());
        assert_eq!(lengths(100, 20), vec![20; 5]);
        assert_eq!(lengths(47, 20), vec![20, 20, 4, 1, 1, 1]);
        assert_eq!(lengths(249, 249), vec![249]);
        assert_eq!(lengths(200, 249), vec![64, 64, 64, 4, 4]);
        assert_eq!(
            lengths(3, 0),
            vec![1, 1, 1],
            "a limit of nothing is one a run"
        );
        let shapes: std::collections::BTreeSet<usize> =
            (0..1000).flat_map(|n| lengths(n, 83)).collect();
        assert_eq!(
            shapes.into_iter().collect::<Vec<_>>(),
            vec![1, 4, 16, 64, 83]
        );
        let items: Vec<usize> = (0..47).collect();
        let plain: Vec<usize> = runs_of(Engine::Postgres, &items, 20)
            .map(<[usize]>::len)
            .collect();
        assert_eq!(plain, vec![20, 20, 7], "PostgreSQL keeps plain chunks");
    }

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
        assert_eq!(sql.positional(), None, "a value named twice keeps its name");
    }

    #[test]
    fn parameters_written_once_in_order_become_positional() {
        let mut sql = Sql::new("INSERT INTO t (a, b) VALUES ");
        sql.push_list(0..12_i64, |sql, n| {
            sql.push("(").bind(n).push(", '$ not a parameter')");
        });
        assert_eq!(
            sql.positional().as_deref(),
            Some(
                "INSERT INTO t (a, b) VALUES (?, '$ not a parameter'), (?, '$ not a parameter'), \
                 (?, '$ not a parameter'), (?, '$ not a parameter'), (?, '$ not a parameter'), \
                 (?, '$ not a parameter'), (?, '$ not a parameter'), (?, '$ not a parameter'), \
                 (?, '$ not a parameter'), (?, '$ not a parameter'), (?, '$ not a parameter'), \
                 (?, '$ not a parameter')"
            )
        );
        let mut literal = Sql::new("SELECT '$1', ");
        literal.bind(1_i64);
        assert_eq!(
            literal.positional(),
            None,
            "a `$` and digit of its own keeps the names"
        );
    }
}
