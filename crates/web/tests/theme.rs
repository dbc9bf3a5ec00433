//! Theme folders: overrides are served, broken ones are refused at start.

mod common;

use std::path::Path;

use axum::http::StatusCode;
use common::{fixture, get};
use syndic_web::{AppState, ThemeError, router};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("theme folder");
    }
    std::fs::write(path, text).expect("theme file");
}

fn themed_site(dir: &Path) -> syndic_web::Site {
    let mut site = common::site(10);
    site.theme_dir = Some(dir.to_path_buf());
    site
}

#[tokio::test]
async fn a_theme_folder_overrides_the_stylesheet_and_templates_by_name() {
    let fx = fixture(10).await;
    let theme = tempfile::tempdir().expect("temp dir");
    write(
        theme.path(),
        "style.css",
        "body { color: rebeccapurple; }\n",
    );
    write(
        theme.path(),
        "templates/post.html",
        "{% extends \"base.html\" %}{% block content %}{% include \"byline.html\" %}\
         <h1 class=\"themed\">{{ post.title }}</h1>{{ post.content_html|safe }}{% endblock %}",
    );
    write(
        theme.path(),
        "templates/byline.html",
        "<p class=\"byline\">{{ post.attribution }}</p>",
    );
    write(theme.path(), "notes.txt", "ignored");
    let state = AppState::new(fx.store().clone(), themed_site(theme.path())).expect("theme loads");
    let app = router(state);

    let css = get(&app, "/static/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.body, "body { color: rebeccapurple; }\n");

    let post = get(&app, "/post/4/rendering-vector-maps-in-rust/").await;
    assert_eq!(post.status, StatusCode::OK);
    assert!(
        post.body
            .contains("<h1 class=\"themed\">Rendering vector maps in Rust</h1>")
    );
    assert!(
        post.body
            .contains("<p class=\"byline\">Lamplight Engineering</p>")
    );
    assert!(post.body.contains("<pre><code>let tile"));
    // Templates the theme leaves alone stay built in, and link the theme's stylesheet.
    let home = get(&app, "/").await;
    assert!(home.body.contains("<h1>Latest posts</h1>"));
    let builtin_home = get(&fx.app, "/").await;
    let link = |body: &str| {
        let start = body.find("/static/style.css?v=").expect("stylesheet link");
        body[start..start + 36].to_owned()
    };
    assert_ne!(link(&home.body), link(&builtin_home.body));
    assert_eq!(
        get(&app, &link(&home.body)).await.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn an_empty_theme_folder_is_the_built_in_theme() {
    let fx = fixture(10).await;
    let theme = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(fx.store().clone(), themed_site(theme.path())).expect("theme loads");
    let app = router(state);
    for uri in [
        "/",
        "/static/style.css",
        "/post/4/rendering-vector-maps-in-rust/",
    ] {
        assert_eq!(
            get(&app, uri).await.body,
            get(&fx.app, uri).await.body,
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_broken_theme_template_is_refused_at_start_with_its_path() {
    let fx = fixture(10).await;
    let theme = tempfile::tempdir().expect("temp dir");
    write(
        theme.path(),
        "templates/list.html",
        "{% block content %}{{ unclosed {% endblock %}",
    );
    let err = AppState::new(fx.store().clone(), themed_site(theme.path()))
        .err()
        .expect("broken template refused");
    assert!(matches!(err, ThemeError::Template { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("list.html"), "{message}");
    let cause = std::error::Error::source(&err)
        .expect("parser error")
        .to_string();
    assert!(cause.contains("syntax error"), "{cause}");
}

#[tokio::test]
async fn a_missing_theme_folder_is_refused_at_start() {
    let fx = fixture(10).await;
    let theme = tempfile::tempdir().expect("temp dir");
    let missing = theme.path().join("nope");
    let err = AppState::new(fx.store().clone(), themed_site(&missing))
        .err()
        .expect("missing folder refused");
    assert!(matches!(err, ThemeError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains("nope"), "{err}");

    write(theme.path(), "style.css", "\u{0}\u{ff}");
    std::fs::write(theme.path().join("style.css"), [0xff, 0xfe]).expect("binary");
    let err = AppState::new(fx.store().clone(), themed_site(theme.path()))
        .err()
        .expect("binary stylesheet refused");
    assert!(matches!(err, ThemeError::NotText { .. }), "{err:?}");
}
