//! Themes: the built-in templates and stylesheet, and an operator's folder that overrides
//! them without recompiling.
//!
//! A theme folder (`site.theme_dir`) may hold `style.css`, which replaces the stylesheet,
//! and `templates/*.html`, each of which replaces the built-in template of the same name
//! (`templates/post.html` replaces `post.html`) or adds a new one that overrides can
//! include or extend. Anything else in the folder is ignored. The folder is read once,
//! when the [`AppState`](crate::AppState) is built; a template that does not parse is an
//! error then, not at the first request.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};

use crate::render::{STYLESHEET, Templates};

/// Why a theme folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// The folder, a file in it or its `templates` folder cannot be read.
    #[error("cannot read the theme file or folder {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file is not UTF-8 text.
    #[error("theme file {path} is not UTF-8 text")]
    NotText { path: PathBuf },
    /// A template has a syntax error.
    #[error("theme template {path} does not parse")]
    Template {
        path: PathBuf,
        #[source]
        source: minijinja::Error,
    },
}

/// The stylesheet served at `/static/style.css`, with a version that changes with its text.
#[derive(Debug)]
pub(crate) struct Stylesheet {
    pub text: String,
    /// The first 16 hex digits of the SHA-256 of `text`; pages link to
    /// `/static/style.css?v=<version>` so that browsers may keep it for long.
    pub version: String,
}

impl Stylesheet {
    fn new(text: String) -> Stylesheet {
        let digest = Sha256::digest(text.as_bytes());
        let version = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Stylesheet { text, version }
    }

    /// Root-relative URL of this version of the stylesheet.
    pub fn url(&self) -> String {
        format!("/static/style.css?v={}", self.version)
    }

    /// [`Stylesheet::url`] of the built-in stylesheet.
    pub fn builtin_url() -> String {
        Stylesheet::new(STYLESHEET.to_owned()).url()
    }
}

/// The templates and stylesheet the site renders with.
#[derive(Debug)]
pub(crate) struct Theme {
    pub templates: Arc<Templates>,
    pub stylesheet: Stylesheet,
}

impl Theme {
    /// The built-in theme, made once per process.
    pub fn builtin() -> Arc<Theme> {
        static BUILTIN: OnceLock<Arc<Theme>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Arc::new(Theme {
                    templates: Templates::builtin(),
                    stylesheet: Stylesheet::new(STYLESHEET.to_owned()),
                })
            })
            .clone()
    }

    /// The built-in theme with the overrides found in `dir`.
    pub fn load(dir: &Path) -> Result<Arc<Theme>, ThemeError> {
        // The folder itself must be readable, even if it overrides nothing.
        std::fs::read_dir(dir).map_err(|source| ThemeError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let css_path = dir.join("style.css");
        let stylesheet = match read_text(&css_path)? {
            Some(text) => Stylesheet::new(text),
            None => Stylesheet::new(STYLESHEET.to_owned()),
        };
        let mut overrides = Vec::new();
        for path in template_files(&dir.join("templates"))? {
            let Some(text) = read_text(&path)? else {
                continue;
            };
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .ok_or_else(|| ThemeError::NotText { path: path.clone() })?
                .to_owned();
            overrides.push((path, name, text));
        }
        let templates = Arc::new(Templates::with_overrides(overrides, stylesheet.url())?);
        Ok(Arc::new(Theme {
            templates,
            stylesheet,
        }))
    }
}

/// The `*.html` files directly in `dir`, by name; none when `dir` does not exist.
fn template_files(dir: &Path) -> Result<Vec<PathBuf>, ThemeError> {
    let read_error = |source| ThemeError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(read_error(err)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(read_error)?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "html") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The text of the file at `path`, or `None` when there is no such file.
fn read_text(path: &Path) -> Result<Option<String>, ThemeError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ThemeError::NotText {
                path: path.to_path_buf(),
            }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ThemeError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}
