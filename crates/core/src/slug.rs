/// A URL-safe slug for a tag or source name: lowercase words joined by `-`.
///
/// Letters and digits of every script are kept (lowercased); every run of anything else
/// becomes one `-`. A name with no letters or digits at all yields `"untitled"`, so a slug
/// is never empty.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("untitled");
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_lowercase_and_join_words() {
        assert_eq!(slugify("map"), "map");
        assert_eq!(slugify("Machine Learning"), "machine-learning");
        assert_eq!(slugify("  C++ & Rust!  "), "c-rust");
        assert_eq!(slugify("AWS Compute Blog"), "aws-compute-blog");
    }

    #[test]
    fn slugs_keep_non_latin_letters() {
        assert_eq!(slugify("Überwachung Straße"), "überwachung-straße");
        assert_eq!(slugify("日本語"), "日本語");
    }

    #[test]
    fn slug_is_never_empty() {
        assert_eq!(slugify("!!!"), "untitled");
        assert_eq!(slugify(""), "untitled");
    }
}
