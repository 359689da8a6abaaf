//! Banned words and phrases, matched case- and form-insensitively in Russian and
//! English.
//!
//! Text and phrases are normalised the same way: lower case, `ё` → `е`, Latin letters
//! that look Cyrillic folded to Cyrillic inside words written mostly in Cyrillic
//! (`рeплика` with a Latin `e` is still `реплика`), everything that is not a letter or
//! digit is a word break. A phrase word matches a text word with the same stem: the
//! phrase word minus a common inflectional ending (`реплика` → `реплик`, matching
//! `реплики`, `реплику`, `репликой`; `replicas` → `replica`), followed by at most
//! [`MAX_SUFFIX`] more letters. A phrase of several words matches consecutive words.

use serde::{Deserialize, Serialize};

/// How many letters may follow a stem in the text (inflection, not a new word):
/// Russian endings run longer than English ones.
pub const MAX_SUFFIX: usize = 4;
const MAX_SUFFIX_LATIN: usize = 3;

/// Words shorter than this are matched exactly (a two-letter stem would match too much).
const MIN_STEM: usize = 3;

/// Russian inflectional endings, longest first.
const RU_ENDINGS: &[&str] = &[
    "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "ий", "ый", "ой", "ая",
    "яя", "ое", "ее", "ые", "ие", "ую", "юю", "ам", "ям", "ах", "ях", "ов", "ев", "ей", "ом", "ем",
    "ию", "ия", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й",
];

/// English inflectional endings, longest first.
const EN_ENDINGS: &[&str] = &["ing", "ies", "es", "ed", "s"];

/// What a match does to the revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BannedAction {
    /// Rejected automatically.
    Reject,
    /// Sent to a moderator with a flag.
    Review,
}

impl BannedAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            BannedAction::Reject => "reject",
            BannedAction::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reject" => Some(BannedAction::Reject),
            "review" => Some(BannedAction::Review),
            _ => None,
        }
    }
}

/// A banned phrase ready for matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BannedPhrase {
    /// As the admin typed it.
    pub phrase: String,
    pub action: BannedAction,
    /// The stems of its words.
    stems: Vec<String>,
}

/// Why a phrase cannot be banned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhraseError {
    #[error("the phrase has no letters or digits")]
    Empty,
    #[error("the phrase is longer than 100 characters")]
    TooLong,
}

impl BannedPhrase {
    pub fn new(phrase: &str, action: BannedAction) -> Result<Self, PhraseError> {
        let phrase = phrase.trim();
        if phrase.chars().count() > 100 {
            return Err(PhraseError::TooLong);
        }
        let stems: Vec<String> = words(phrase).iter().map(|w| stem(w)).collect();
        if stems.is_empty() {
            return Err(PhraseError::Empty);
        }
        Ok(BannedPhrase {
            phrase: phrase.to_string(),
            action,
            stems,
        })
    }

    /// The normalised form: equal for phrases that match the same texts (stored
    /// unique, so an admin cannot add the same phrase twice).
    pub fn normalized(&self) -> String {
        self.stems.join(" ")
    }

    /// Whether the phrase occurs in already-split `text_words`.
    fn matches(&self, text_words: &[String]) -> bool {
        let n = self.stems.len();
        if n > text_words.len() {
            return false;
        }
        text_words.windows(n).any(|window| {
            window
                .iter()
                .zip(&self.stems)
                .all(|(w, s)| word_matches(w, s))
        })
    }
}

/// The phrases found in `text`, each once, in list order.
pub fn find<'a>(text: &str, phrases: &'a [BannedPhrase]) -> Vec<&'a BannedPhrase> {
    let text_words = words(text);
    phrases.iter().filter(|p| p.matches(&text_words)).collect()
}

/// A text word matches a stem when it starts with it and adds at most
/// [`MAX_SUFFIX`] letters; short stems match exactly.
fn word_matches(word: &str, stem: &str) -> bool {
    if !word.starts_with(stem) {
        return false;
    }
    let extra = word[stem.len()..].chars().count();
    if stem.chars().count() < MIN_STEM {
        extra == 0
    } else if stem.chars().any(is_cyrillic) {
        extra <= MAX_SUFFIX
    } else {
        extra <= MAX_SUFFIX_LATIN
    }
}

/// The word minus its inflectional ending, keeping at least [`MIN_STEM`] letters.
fn stem(word: &str) -> String {
    let len = word.chars().count();
    let endings = if word.chars().any(is_cyrillic) {
        RU_ENDINGS
    } else {
        EN_ENDINGS
    };
    for ending in endings {
        if let Some(base) = word.strip_suffix(ending)
            && base.chars().count() >= MIN_STEM
            && len > MIN_STEM
        {
            return base.to_string();
        }
    }
    word.to_string()
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// Latin letters that look like Cyrillic ones.
fn latin_to_cyrillic(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'b' => 'в',
        'c' => 'с',
        'e' => 'е',
        'h' => 'н',
        'k' => 'к',
        'm' => 'м',
        'o' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        '3' => 'з',
        '0' => 'о',
        _ => return None,
    })
}

/// Normalised words of `text` (see the module documentation).
pub fn words(text: &str) -> Vec<String> {
    let lower: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold_mixed_script)
        .collect()
}

/// A word written mostly in Cyrillic with some Latin look-alikes is read as Cyrillic.
fn fold_mixed_script(word: &str) -> String {
    let cyrillic = word.chars().filter(|c| is_cyrillic(*c)).count();
    let latin = word.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if cyrillic > 0 && cyrillic >= latin {
        word.chars()
            .map(|c| latin_to_cyrillic(c).unwrap_or(c))
            .collect()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(p: &str) -> BannedPhrase {
        BannedPhrase::new(p, BannedAction::Review).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn hits(text: &str, p: &str) -> bool {
        !find(text, &[phrase(p)]).is_empty()
    }

    #[test]
    fn russian_forms_and_case_match() {
        assert!(hits("Кроссовки РЕПЛИКА Nike", "реплика"));
        assert!(hits("Отличные реплики известных брендов", "реплика"));
        assert!(hits("с репликой часов", "реплика"));
        assert!(hits("Копия оригинала", "копия"));
        assert!(hits("продаём копии", "копия"));
        assert!(!hits("Копировальная бумага", "копия"));
    }

    #[test]
    fn english_forms_and_phrases_match() {
        assert!(hits("Best REPLICAS of watches", "replica"));
        assert!(hits("This is a fake rolex watch", "fake rolex"));
        assert!(!hits(
            "This is a fake leather Rolex-style strap",
            "fake rolex"
        ));
        assert!(hits("Cheap fakes", "fake"));
        assert!(!hits("Fakeness", "fake"));
    }

    #[test]
    fn yo_and_look_alike_latin_letters_fold() {
        assert!(hits("Чёрный рынок", "черный рынок"));
        // "реплика" typed with Latin p, e, a.
        assert!(hits("Часы pеплиkа", "реплика"));
        // An English word stays English.
        assert!(!hits("pepper", "перец"));
    }

    #[test]
    fn short_words_match_exactly() {
        assert!(hits("товар 18+ для взрослых", "18"));
        assert!(!hits("размер 180", "18"));
    }

    #[test]
    fn normalised_form_identifies_equivalent_phrases() {
        assert_eq!(
            phrase("Реплика").normalized(),
            phrase("  реплики ").normalized()
        );
        assert_eq!(
            BannedPhrase::new("!!!", BannedAction::Reject),
            Err(PhraseError::Empty)
        );
    }
}
