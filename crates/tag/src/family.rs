//! Word families: a term also matches the other forms of its word that the Snowball stemmer
//! keeps apart, as weaker evidence than the term's own stem.
//!
//! Snowball removes inflections (`hacks`, `hacked`, `hacking` → `hack`) but not derivations:
//! `hacker` stays `hacker`, `slowly` becomes `slowli`, `optimise` `optimis` against
//! `optimiz`'s `optim`, so a post about being *hacked* never meets the term `hacker`, and
//! `opensource` never meets `open source`. About a third of the posts our labels say a tag
//! misses contain none of its terms' stems; some of those use another form of a term.
//!
//! [`family_key`] reduces a stem further, the same way for a vocabulary term's stem and a
//! post's: it takes off an agent or adverb suffix (`-er`, `-or`, `-ist`, `-ian`, `-li`), the
//! British `-is(e)` for `-iz(e)`, `-aci` (`privacy`) for `-at` (`private`), the `-i` Snowball
//! leaves of a noun's `-y` (`photographi`, `photograph`), then a final `e`
//! and a doubled consonant as Snowball undoubles them (`mapper` → `mapp` → `map`). Two stems of one key are one family.
//! A phrase term's family is its words written together (`open source` → `opensource`).
//! English only: the suffixes are English; other languages keep exact stems.
//!
//! A post word whose stem is not the term's own but shares its family counts
//! [`FAMILY_WEIGHT`] of an occurrence (in the content and the title alike), so a form alone
//! needs more evidence than the term itself, and `syndic explain` names the form it saw
//! (`"hacker" as "Hacked"`). Exclude terms do not reach their families: a veto stays literal.

use std::borrow::Cow;

use crate::verdict::{Field, Hits, Posting};
use crate::word_index::{FxMap, NO_ID, StemId, Tok};

/// What an occurrence of another form of a term counts, against 1 for the term's own stem:
/// half, a round figure not tuned to any labelled set (see ARCHITECTURE.md for the
/// measurements at 0.5 and at 1).
pub(crate) const FAMILY_WEIGHT: f32 = 0.5;

/// Shortest stem a suffix is taken from (what is left must be longer than this less the
/// suffix), so `user`, `over` and `only` keep their letters.
const MIN_LEFT: usize = 3;

/// Suffixes of derivation the Snowball English stemmer leaves on, with the shortest stem
/// each may leave: agents (`hacker`, `editor`, `artist`, `musician`) and adverbs (`slowli`).
const SUFFIXES: [(&str, usize); 5] = [
    ("ian", MIN_LEFT + 1),
    ("ist", MIN_LEFT),
    ("er", MIN_LEFT),
    ("or", MIN_LEFT),
    ("li", MIN_LEFT + 1),
];

/// The family of an English Snowball stem: the stem without a derivational suffix, a final
/// `e` or a doubled final consonant. Stems of one word family share it (`hacker`, `hack`;
/// `slowli`, `slow`; `optimis`, `optim`; `privaci`, `privat`; `game`, `gamer`).
pub(crate) fn family_key(stem: &str) -> Cow<'_, str> {
    if !stem.is_ascii() {
        return Cow::Borrowed(stem);
    }
    let mut key = stem;
    let suffix = SUFFIXES
        .iter()
        .find(|(suffix, min)| key.len() >= suffix.len() + min && key.ends_with(suffix));
    if let Some((suffix, _)) = suffix {
        key = &key[..key.len() - suffix.len()];
    } else if key.len() >= 3 + MIN_LEFT && key.ends_with("aci") {
        // privacy → privaci, private → privat; democracy, democrat.
        return Cow::Owned(format!("{}at", &key[..key.len() - 3]));
    } else if key.len() >= 2 + MIN_LEFT && (key.ends_with("is") || key.ends_with("iz")) {
        // optimise → optimis, realize → realiz (and optimize → optim, untouched).
        key = &key[..key.len() - 2];
    } else if key.len() > 2 + MIN_LEFT && key.ends_with('i') {
        // The y of a noun the adjective or agent drops: photographi, photograph(er);
        // economi, econom(ic). Not from short stems: parti is not part.
        key = &key[..key.len() - 1];
    }
    if key.len() > MIN_LEFT && key.ends_with('e') {
        key = &key[..key.len() - 1];
    }
    let b = key.as_bytes();
    if b.len() > MIN_LEFT
        && b[b.len() - 1] == b[b.len() - 2]
        && matches!(
            b[b.len() - 1],
            b'b' | b'd' | b'f' | b'g' | b'm' | b'n' | b'p' | b'r' | b't'
        )
    {
        key = &key[..key.len() - 1];
    }
    Cow::Borrowed(key)
}

/// One include term reachable through a family: the stems that are its own (a word with one
/// of those already matched it exactly) and whom a match concerns.
#[derive(Debug)]
struct Member {
    own: Box<[StemId]>,
    posting: Posting,
}

/// Family keys of the vocabulary's include terms, each with the terms of that family.
#[derive(Debug, Default)]
pub(crate) struct FamilyIndex {
    ids: FxMap<Box<str>, StemId>,
    members: Vec<Vec<Member>>,
}

impl FamilyIndex {
    /// Adds an include term whose family key is `key`, whose own stem is `own` (its
    /// number in the word index; [`NO_ID`] for a phrase's joined form). One member per rule
    /// and family: a second term of the rule in the same family adds its stem to the first's.
    pub(crate) fn add(&mut self, key: &str, own: StemId, posting: Posting) {
        let next = self.members.len() as StemId;
        let id = *self.ids.entry(key.into()).or_insert(next);
        if id == next {
            self.members.push(Vec::new());
        }
        let members = &mut self.members[id as usize];
        let own: Vec<StemId> = (own != NO_ID).then_some(own).into_iter().collect();
        match members.iter_mut().find(|m| m.posting.rule == posting.rule) {
            Some(member) => {
                let mut all = member.own.to_vec();
                all.extend(own);
                member.own = all.into();
            }
            None => members.push(Member {
                own: own.into(),
                posting: Posting {
                    variant: true,
                    ..posting
                },
            }),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The number of the family of a post's stem, or [`NO_ID`].
    pub(crate) fn id(&self, stem: &str) -> StemId {
        if self.is_empty() {
            return NO_ID;
        }
        self.ids
            .get(family_key(stem).as_ref())
            .copied()
            .unwrap_or(NO_ID)
    }

    /// Records every word of a field that is another form of an include term (one word
    /// each: a phrase is reached through its joined form only).
    pub(crate) fn scan(&self, words: &[Tok], field: Field, hits: &mut Hits) {
        for word in words {
            if word.family == NO_ID {
                continue;
            }
            for member in &self.members[word.family as usize] {
                if word.stem != NO_ID && member.own.contains(&word.stem) {
                    continue;
                }
                hits.record(
                    member.posting,
                    field,
                    word.zone,
                    word.short_item,
                    (word.start as usize, word.end as usize),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_stemmers::{Algorithm, Stemmer};

    use super::*;

    fn key(word: &str) -> String {
        family_key(&Stemmer::create(Algorithm::English).stem(word)).into_owned()
    }

    #[test]
    fn derived_forms_share_a_family() {
        for (a, b) in [
            ("hacker", "hacked"),
            ("hackers", "hack"),
            ("tester", "testing"),
            ("slowly", "slow"),
            ("faster", "fast"),
            ("mapper", "maps"),
            ("gamer", "game"),
            ("optimise", "optimize"),
            ("optimisation", "optimization"),
            ("privacy", "private"),
            ("researchers", "research"),
            ("editor", "edited"),
            ("artist", "art"),
            ("musician", "music"),
            ("photography", "photographer"),
            ("economy", "economic"),
            ("strategy", "strategic"),
        ] {
            assert_eq!(key(a), key(b), "{a} {b}");
        }
    }

    #[test]
    fn short_and_unrelated_words_stay_apart() {
        for (a, b) in [
            ("user", "use"),
            ("over", "ov"),
            ("only", "on"),
            ("apply", "app"),
            ("error", "era"),
            ("release", "relevant"),
            ("party", "part"),
        ] {
            assert_ne!(key(a), key(b), "{a} {b}");
        }
        assert_eq!(
            key("straße"),
            Stemmer::create(Algorithm::English).stem("straße")
        );
    }
}

#[cfg(test)]
#[path = "family_tests.rs"]
mod tagger_tests;
