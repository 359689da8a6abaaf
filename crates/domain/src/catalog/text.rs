//! Text folding used wherever people type names: category paths, attribute names,
//! enum values and CSV headers.
//!
//! Matching is case-insensitive, treats `ё` as `е` (Russian writers use both), and
//! ignores runs of whitespace (including the no-break spaces Excel likes). The
//! `*_into` forms write into a caller's buffer so per-row matching does not allocate.

/// Appends `ch` folded for matching: lowercased, `ё` as `е`.
#[inline]
fn push_folded(ch: char, out: &mut String) {
    if ch.is_ascii() {
        out.push(ch.to_ascii_lowercase());
    } else {
        match ch {
            'ё' | 'Ё' => out.push('е'),
            _ => out.extend(ch.to_lowercase()),
        }
    }
}

/// Folds a name into `out` (cleared first): trimmed, lowercased, `ё` → `е`, every
/// run of whitespace becomes a single space.
pub fn fold_name_into(input: &str, out: &mut String) {
    out.clear();
    let mut pending_space = false;
    for ch in input.chars() {
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        push_folded(ch, out);
    }
}

/// [`fold_name_into`] returning a new string.
pub fn fold_name(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    fold_name_into(input, &mut out);
    out
}

/// True for the separators accepted between the levels of a category path.
#[inline]
pub fn is_path_separator(ch: char) -> bool {
    matches!(ch, '/' | '>' | '\\' | '|' | '»' | '→')
}

/// Folds a category path into `out` (cleared first): each level folded as by
/// [`fold_name_into`], levels joined by `/`. `Электроника > Смартфоны`,
/// `электроника/смартфоны` and `Электроника\ Смартфоны` all fold alike.
pub fn fold_path_into(input: &str, out: &mut String) {
    out.clear();
    let mut pending_space = false;
    for ch in input.chars() {
        if is_path_separator(ch) {
            pending_space = false;
            // Repeated or leading separators collapse: `a//b` is `a/b`.
            if !out.is_empty() && !out.ends_with('/') {
                out.push('/');
            }
            continue;
        }
        if ch.is_whitespace() {
            pending_space = !out.is_empty() && !out.ends_with('/');
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        push_folded(ch, out);
    }
    if out.ends_with('/') {
        out.pop();
    }
}

/// [`fold_path_into`] returning a new string.
pub fn fold_path(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    fold_path_into(input, &mut out);
    out
}

/// Folds a CSV header into a key that ignores case, spaces and punctuation:
/// `Вес (г)`, `Вес, г` and `вес_г` all become `весг`. Only letters and digits stay.
pub fn header_key_into(input: &str, out: &mut String) {
    out.clear();
    for ch in input.chars() {
        if ch.is_alphanumeric() {
            push_folded(ch, out);
        }
    }
}

/// [`header_key_into`] returning a new string.
pub fn header_key(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    header_key_into(input, &mut out);
    out
}

/// True when the text holds a control character other than tab, CR and LF.
pub fn has_control_chars(input: &str) -> bool {
    input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// True when the text holds any control character, tab and line breaks included.
pub fn has_any_control_chars(input: &str) -> bool {
    input.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_yo_and_spaces() {
        assert_eq!(fold_name("  Чёрный\u{a0}\u{a0}МАТОВЫЙ "), "черный матовый");
        assert_eq!(fold_name("Ёмкость"), "емкость");
        assert_eq!(fold_name(""), "");
    }

    #[test]
    fn paths_fold_every_separator_alike() {
        let want = "электроника/смартфоны";
        for input in [
            "Электроника/Смартфоны",
            "Электроника > Смартфоны",
            "электроника \\ смартфоны",
            " ЭЛЕКТРОНИКА  /  смартфоны / ",
            "Электроника//Смартфоны",
        ] {
            assert_eq!(fold_path(input), want, "{input:?}");
        }
        assert_eq!(fold_path("Дом и кухня / Посуда"), "дом и кухня/посуда");
    }

    #[test]
    fn header_keys_ignore_punctuation() {
        assert_eq!(header_key("Вес (г)"), "весг");
        assert_eq!(header_key("Вес, г"), "весг");
        assert_eq!(header_key("weight_g"), "weightg");
        assert_eq!(header_key("Штрих-код"), "штрихкод");
    }
}
