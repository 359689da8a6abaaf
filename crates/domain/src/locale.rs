//! The two UI languages and how a request picks one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Ru,
    En,
}

impl Locale {
    pub const fn code(self) -> &'static str {
        match self {
            Locale::Ru => "ru",
            Locale::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ru") {
            Some(Locale::Ru)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Picks the best supported language from an `Accept-Language` header value,
    /// honouring q-values; Russian when nothing matches (most operators are in Russia).
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(locale) = Locale::from_code(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// Picks one of two texts.
    pub const fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::Ru => ru,
            Locale::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_quality_supported_tag() {
        assert_eq!(
            Locale::from_accept_language("en-US,en;q=0.9,ru;q=0.8"),
            Locale::En
        );
        assert_eq!(
            Locale::from_accept_language("de-DE,ru;q=0.5,en;q=0.4"),
            Locale::Ru
        );
        assert_eq!(Locale::from_accept_language("fr"), Locale::Ru);
        assert_eq!(Locale::from_accept_language(""), Locale::Ru);
        assert_eq!(
            Locale::from_accept_language("ru-RU;q=0.2, en-GB;q=0.7"),
            Locale::En
        );
    }
}
