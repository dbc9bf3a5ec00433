//! What a post carries automatically: the tags its terms, profile and categories earn, and
//! the tags its source gives all its posts. Ingest, retag, explain and eval all ask here.

use syndic_core::{TagAssignment, TagOrigin};

use crate::{PostText, Scratch, Tagger};

/// The tags a source gives every post of its own (`[[source]] tags`), and where the source
/// is read from (named in each link's detail).
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceTags<'a> {
    pub tags: &'a [String],
    pub location: &'a str,
    /// The source's own category policy (`[[source]] categories`), over `[tagging]
    /// categories`.
    pub categories: Option<crate::CategoryPolicy>,
}

impl Tagger {
    /// Every automatic tag of `post`: [`Tagger::tag`]'s, then its source's.
    pub fn assign(&self, post: &PostText<'_>, source: SourceTags<'_>) -> Vec<TagAssignment> {
        self.scratch(|scratch| self.assign_with(post, source, scratch))
    }

    /// [`assign`](Self::assign) with caller-provided working memory.
    pub fn assign_with(
        &self,
        post: &PostText<'_>,
        source: SourceTags<'_>,
        scratch: &mut Scratch,
    ) -> Vec<TagAssignment> {
        let mut tags = match source.categories {
            Some(policy) => self.tag_comparing_under(post, scratch, policy).0,
            None => self.tag_with(post, scratch),
        };
        add_source_tags(&mut tags, source);
        tags
    }

    /// [`assign`](Self::assign), and the post's distinct stems (and vocabulary phrases),
    /// which ingest adds to the corpus's document frequencies.
    pub fn assign_counting(
        &self,
        post: &PostText<'_>,
        source: SourceTags<'_>,
    ) -> (Vec<TagAssignment>, Vec<String>) {
        self.scratch(|scratch| {
            let tags = self.assign_with(post, source, scratch);
            (tags, self.post_stems(scratch))
        })
    }
}

/// Appends the source's tags to `tags`.
pub(crate) fn add_source_tags(tags: &mut Vec<TagAssignment>, source: SourceTags<'_>) {
    tags.extend(source.tags.iter().map(|tag| TagAssignment {
        tag: tag.clone(),
        origin: TagOrigin::Source,
        detail: format!("every post of {}", source.location),
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TagRule;

    #[test]
    fn a_post_gets_its_terms_tags_and_its_sources() {
        let tagger = Tagger::new(&[TagRule::new("map", &[])]).expect("compiles");
        let post = PostText {
            title: "Maps of the world",
            ..PostText::default()
        };
        let source_tags = ["atlas".to_owned()];
        let source = SourceTags {
            tags: &source_tags,
            location: "feeds/atlas.xml",
            categories: None,
        };
        let (tags, stems) = tagger.assign_counting(&post, source);
        let names: Vec<(&str, TagOrigin)> =
            tags.iter().map(|t| (t.tag.as_str(), t.origin)).collect();
        assert_eq!(
            names,
            [("map", TagOrigin::Term), ("atlas", TagOrigin::Source)]
        );
        assert_eq!(tags[1].detail, "every post of feeds/atlas.xml");
        assert_eq!(stems, ["map", "of", "the", "world"]);
    }
}
