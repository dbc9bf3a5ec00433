//! What the matchers found for each rule while reading one post.

/// The part of a post a term was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Title,
    Content,
}

impl Field {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Content => "content",
        }
    }
}

/// One compiled term: which rule it belongs to, which of the rule's terms (or exclude terms) it
/// is, and whether it vetoes the tag rather than giving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Posting {
    pub(crate) rule: u32,
    pub(crate) term: u32,
    pub(crate) exclude: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Verdict {
    /// The first include term found (index into the rule's terms) and where.
    hit: Option<(u32, Field)>,
    excluded: bool,
}

/// Per-rule findings for one post, filled by every matcher and read once at the end.
pub(crate) struct Verdicts(Vec<Verdict>);

impl Verdicts {
    pub(crate) fn new(rules: usize) -> Verdicts {
        Verdicts(vec![Verdict::default(); rules])
    }

    /// Records that `posting` matched in `field`. Only the first include match of a rule is kept:
    /// matchers read the title before the content and each field front to back.
    pub(crate) fn record(&mut self, posting: Posting, field: Field) {
        let verdict = &mut self.0[posting.rule as usize];
        if posting.exclude {
            verdict.excluded = true;
        } else if verdict.hit.is_none() {
            verdict.hit = Some((posting.term, field));
        }
    }

    /// The deciding match of a rule that gets its tag: a term matched and no exclude term did.
    pub(crate) fn decided(&self, rule: usize) -> Option<(u32, Field)> {
        let verdict = self.0[rule];
        if verdict.excluded { None } else { verdict.hit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INCLUDE: Posting = Posting {
        rule: 0,
        term: 1,
        exclude: false,
    };
    const EXCLUDE: Posting = Posting {
        rule: 0,
        term: 0,
        exclude: true,
    };

    #[test]
    fn first_include_match_decides() {
        let mut verdicts = Verdicts::new(1);
        verdicts.record(INCLUDE, Field::Title);
        verdicts.record(Posting { term: 2, ..INCLUDE }, Field::Content);
        assert_eq!(verdicts.decided(0), Some((1, Field::Title)));
    }

    #[test]
    fn an_exclude_match_vetoes_before_or_after() {
        let mut verdicts = Verdicts::new(2);
        verdicts.record(EXCLUDE, Field::Content);
        verdicts.record(INCLUDE, Field::Content);
        assert_eq!(verdicts.decided(0), None);
        assert_eq!(verdicts.decided(1), None);
    }
}
