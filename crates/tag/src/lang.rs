//! Which Snowball stemmer reads a post: the language it declares, else the configured one,
//! else a cheap stop-word vote over its opening words, else English.

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_stemmers::Algorithm;

use crate::words::{Token, fold, for_each_token};

/// Every language rust-stemmers has a Snowball algorithm for, by slot number.
pub(crate) const LANGUAGES: [(&str, Algorithm); 18] = [
    ("en", Algorithm::English),
    ("ar", Algorithm::Arabic),
    ("da", Algorithm::Danish),
    ("nl", Algorithm::Dutch),
    ("fi", Algorithm::Finnish),
    ("fr", Algorithm::French),
    ("de", Algorithm::German),
    ("el", Algorithm::Greek),
    ("hu", Algorithm::Hungarian),
    ("it", Algorithm::Italian),
    ("no", Algorithm::Norwegian),
    ("pt", Algorithm::Portuguese),
    ("ro", Algorithm::Romanian),
    ("ru", Algorithm::Russian),
    ("es", Algorithm::Spanish),
    ("sv", Algorithm::Swedish),
    ("ta", Algorithm::Tamil),
    ("tr", Algorithm::Turkish),
];

/// A language by its slot in [`LANGUAGES`].
pub(crate) type Lang = usize;

pub(crate) const ENGLISH: Lang = 0;

/// The slot of a language tag (`en`, `de-AT`, `pt_BR`, `nb`, `German`), if Snowball has it.
pub(crate) fn from_tag(tag: &str) -> Option<Lang> {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let code = match primary.as_str() {
        "nb" | "nn" | "nob" | "nno" | "nor" | "norwegian" => "no",
        "eng" | "english" => "en",
        "ara" | "arabic" => "ar",
        "dan" | "danish" => "da",
        "nld" | "dut" | "dutch" => "nl",
        "fin" | "finnish" => "fi",
        "fra" | "fre" | "french" => "fr",
        "deu" | "ger" | "german" => "de",
        "ell" | "gre" | "greek" => "el",
        "hun" | "hungarian" => "hu",
        "ita" | "italian" => "it",
        "por" | "portuguese" => "pt",
        "ron" | "rum" | "mo" | "romanian" => "ro",
        "rus" | "russian" => "ru",
        "spa" | "spanish" => "es",
        "swe" | "swedish" => "sv",
        "tam" | "tamil" => "ta",
        "tur" | "turkish" => "tr",
        other => other,
    };
    LANGUAGES.iter().position(|(c, _)| *c == code)
}

/// Common function words per language (a vote, not a dictionary: words shared by several
/// languages count for each).
const STOP_WORDS: [(&str, &str); 15] = [
    (
        "en",
        "the and of to is that it for was with this are you not have but they be on at from \
         which were their has had would there been what when will",
    ),
    (
        "da",
        "og det er at en til som på med af ikke har den for jeg var de et men også kan om \
         der skal vil blev efter",
    ),
    (
        "nl",
        "de het een en van is dat niet op te zijn voor met ook wordt maar aan bij als er \
         door nog naar dit deze",
    ),
    (
        "fi",
        "ja on ei se että oli mutta kun ovat myös tai jos hän mitä niin kuin joka ole olla \
         sen vain tämä",
    ),
    (
        "fr",
        "le la les et des est une que dans pour pas qui sur avec sont ce du au il elle nous \
         vous mais aussi été cette",
    ),
    (
        "de",
        "der die das und ist nicht mit ein eine zu den von sich auf für im dem auch es wird \
         sind werden aber wir ich",
    ),
    (
        "hu",
        "és a az hogy nem is egy van meg de csak már ez volt mint még vagy azt ki lesz után \
         minden",
    ),
    (
        "it",
        "il di che e la è per non una sono con del della anche gli le più come alla questo \
         ma nel dei",
    ),
    (
        "no",
        "og det er at en til som på med av ikke har den for jeg var de et men også kan om \
         vil ble etter",
    ),
    (
        "pt",
        "de que e o a do da em um para é com não uma os no se na por mais as dos como mas \
         foi ao são",
    ),
    (
        "ro",
        "și de în la cu nu este că o un pe care se din pentru mai sunt sau fost acest dar \
         și ca",
    ),
    (
        "ru",
        "и в не на что он с как это по но из же у за от так то все она было для они",
    ),
    (
        "es",
        "el la de que y en los se del las por un para con no una su al es lo como más pero \
         sus le ha",
    ),
    (
        "sv",
        "och att det som en på är av för med till den har inte om ett jag var men de kan \
         också eller",
    ),
    (
        "tr",
        "ve bir bu da de için ile çok ne daha gibi ama olarak sonra kadar ancak olan ya en \
         mi var",
    ),
];

/// Folded stop word to a bit set of the languages (by slot) it belongs to.
pub(crate) fn stop_words() -> &'static HashMap<&'static str, u32> {
    static TABLE: OnceLock<HashMap<&'static str, u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<&'static str, u32> = HashMap::new();
        for (code, words) in STOP_WORDS {
            let Some(slot) = from_tag(code) else { continue };
            for word in words.split_whitespace() {
                *table.entry(word).or_default() |= 1 << slot;
            }
        }
        table
    })
}

/// How much of a post detection reads.
const DETECT_BYTES: usize = 600;
/// Fewer stop words than this and the vote is void.
const MIN_VOTES: u32 = 3;

/// Guesses the language of `title` and `text` from their opening words: the script for
/// Greek, Arabic, Tamil and Cyrillic, else the language whose stop words occur most. `None`
/// when the text is too short or the vote too close to call.
pub(crate) fn detect(title: &str, text: &str) -> Option<Lang> {
    let mut end = text.len().min(DETECT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let mut script = [0u32; 4];
    for c in title.chars().chain(head.chars()) {
        match c {
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => script[0] += 1,
            '\u{0600}'..='\u{06FF}' => script[1] += 1,
            '\u{0B80}'..='\u{0BFF}' => script[2] += 1,
            '\u{0400}'..='\u{04FF}' => script[3] += 1,
            _ => {}
        }
    }
    let (best, &count) = script.iter().enumerate().max_by_key(|(_, n)| **n)?;
    if count >= 20 {
        let code = ["el", "ar", "ta", "ru"][best];
        return from_tag(code);
    }
    let table = stop_words();
    let mut votes = [0u32; LANGUAGES.len()];
    let mut folded = String::new();
    for part in [title, head] {
        for_each_token(part, |token| {
            if let Token::Word(word) = token {
                fold(word, &mut folded);
                if let Some(&langs) = table.get(folded.as_str()) {
                    for (slot, vote) in votes.iter_mut().enumerate() {
                        *vote += (langs >> slot) & 1;
                    }
                }
            }
        });
    }
    let mut ranked: Vec<(u32, Lang)> = votes.iter().enumerate().map(|(l, v)| (*v, l)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    let (top, lang) = ranked[0];
    let runner_up = ranked[1].0;
    (top >= MIN_VOTES && top * 4 > runner_up * 5).then_some(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_snowball_languages() {
        assert_eq!(from_tag("en"), Some(ENGLISH));
        assert_eq!(from_tag("de-AT").map(|l| LANGUAGES[l].0), Some("de"));
        assert_eq!(from_tag("pt_BR").map(|l| LANGUAGES[l].0), Some("pt"));
        assert_eq!(from_tag("nb").map(|l| LANGUAGES[l].0), Some("no"));
        assert_eq!(from_tag("EN-us"), Some(ENGLISH));
        assert_eq!(from_tag("ja"), None);
        assert_eq!(from_tag(""), None);
    }

    fn detected(text: &str) -> Option<&'static str> {
        detect("", text).map(|l| LANGUAGES[l].0)
    }

    #[test]
    fn detection_reads_function_words() {
        assert_eq!(
            detected("The cat sat on the mat and it was happy with the day that followed."),
            Some("en")
        );
        assert_eq!(
            detected("Der Hund ist nicht mit dem Auto gefahren, und die Katze auch nicht."),
            Some("de")
        );
        assert_eq!(
            detected("Le chat est dans la maison avec les enfants qui sont pas contents."),
            Some("fr")
        );
        assert_eq!(
            detected("El perro de la casa es muy grande y los niños lo quieren para jugar."),
            Some("es")
        );
        assert_eq!(
            detected("Кошка сидит на окне, и она не хочет есть, как это было вчера и всегда."),
            Some("ru")
        );
    }

    #[test]
    fn too_little_text_is_undecided() {
        assert_eq!(detected("Kubernetes 1.30"), None);
        assert_eq!(detected(""), None);
    }

    #[test]
    fn detection_reads_only_the_opening() {
        let mut text =
            "Der Hund ist nicht mit dem Auto gefahren und die Katze auch nicht. ".repeat(9);
        text.push_str(&"the and of to is that it for was with ".repeat(500));
        assert_eq!(detected(&text), Some("de"));
    }
}
