//! The admin's pages: built-in templates (a site theme does not reach them), every value
//! HTML-escaped, no script; and its small stylesheet.

use std::sync::OnceLock;

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{AutoEscape, Environment, Value, context};

use super::AdminError;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/admin/base.html")),
    (
        "login.html",
        include_str!("../../templates/admin/login.html"),
    ),
    (
        "review.html",
        include_str!("../../templates/admin/review.html"),
    ),
    (
        "takedowns.html",
        include_str!("../../templates/admin/takedowns.html"),
    ),
    (
        "sources.html",
        include_str!("../../templates/admin/sources.html"),
    ),
    (
        "filtered.html",
        include_str!("../../templates/admin/filtered.html"),
    ),
    (
        "audit.html",
        include_str!("../../templates/admin/audit.html"),
    ),
    (
        "message.html",
        include_str!("../../templates/admin/message.html"),
    ),
];

const STYLESHEET: &str = include_str!("../../static/admin.css");

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_formatter(crate::render::html_formatter);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        for (name, source) in TEMPLATES {
            if let Err(error) = env.add_template(name, source) {
                // Covered by the tests, which render every template.
                tracing::error!(template = name, error = %error, "an admin template does not parse");
            }
        }
        env
    })
}

/// `name` rendered with `ctx`, answered with `status`.
pub(crate) fn page(status: StatusCode, name: &str, ctx: Value) -> Response {
    let rendered = environment()
        .get_template(name)
        .and_then(|template| template.render(ctx));
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            let error = AdminError::Template(error);
            tracing::error!(error = %crate::error::chain(&error), "admin page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(FALLBACK)).into_response()
        }
    }
}

/// A page that only says `text`, with `status`.
pub(crate) fn message(status: StatusCode, text: &str) -> Response {
    page(
        status,
        "message.html",
        context! { title => status.canonical_reason().unwrap_or("Admin"), text },
    )
}

/// The page answering a failed action: what went wrong, in words the operator can act on.
pub(crate) fn failure(error: &AdminError) -> Response {
    let status = status_of(error);
    if status.is_server_error() {
        tracing::error!(error = %crate::error::chain(error), "admin action failed");
    }
    let mut response = message(status, &words_for(error));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(crate::RETRY_AFTER_SECS));
    }
    response
}

/// The status an action's failure answers with.
pub(crate) fn status_of(error: &AdminError) -> StatusCode {
    match error {
        AdminError::UnknownPost(_) | AdminError::UnknownSource(_) => StatusCode::NOT_FOUND,
        AdminError::NoChange(_) => StatusCode::CONFLICT,
        AdminError::Store(error) if error.is_unreachable() => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What an operator reads about `error`: its message, but never a store's internals.
pub(crate) fn words_for(error: &AdminError) -> String {
    match error {
        AdminError::Store(error) if error.is_unreachable() => {
            "The database cannot be reached; try again in a few seconds.".to_owned()
        }
        AdminError::Store(_) | AdminError::Template(_) | AdminError::Random(_) => {
            "Something failed on the server; the log says what.".to_owned()
        }
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
            format!("{}{}.", first.unwrap_or_default(), chars.as_str())
        }
    }
}

/// `GET /admin/admin.css`.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        STYLESHEET,
    )
}

const FALLBACK: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Admin</title></head><body><h1>Admin</h1><p>This page cannot be shown.</p></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admin_template_parses() {
        for (name, _) in TEMPLATES {
            assert!(environment().get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn messages_are_escaped() {
        let html = environment()
            .get_template("message.html")
            .and_then(|t| t.render(context! { title => "T", text => "<script>x</script>" }))
            .expect("rendered");
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }
}
