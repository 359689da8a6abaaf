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
/// Works on bytes: C0 controls and DEL are single bytes, C1 controls are `C2 80..9F`.
pub fn has_control_chars(input: &str) -> bool {
    let b = input.as_bytes();
    // A cheap pre-scan: most text has none of the bytes a control character needs.
    if !b.iter().any(|&c| c < 0x20 || c == 0x7f || c == 0xC2) {
        return false;
    }
    b.iter().enumerate().any(|(i, &c)| {
        (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'))
            || c == 0x7f
            || (c == 0xC2 && b.get(i + 1).is_some_and(|&n| n <= 0x9F))
    })
}

/// True when the text holds any control character, tab and line breaks included.
pub fn has_any_control_chars(input: &str) -> bool {
    let b = input.as_bytes();
    if !b.iter().any(|&c| c < 0x20 || c == 0x7f || c == 0xC2) {
        return false;
    }
    b.iter().enumerate().any(|(i, &c)| {
        c < 0x20 || c == 0x7f || (c == 0xC2 && b.get(i + 1).is_some_and(|&n| n <= 0x9F))
    })
}

/// `str::trim`, with a byte-level shortcut for the usual case of a cell that starts
/// and ends with a visible character (non-ASCII whitespace can only start with the
/// lead bytes `C2`, `E1`, `E2` or `E3`).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return s;
    };
    let visible_lead =
        |c: u8| (c > b' ' && c < 0x80) || (c >= 0xC3 && c != 0xE1 && c != 0xE2 && c != 0xE3);
    let last_lead = if last < 0x80 {
        last
    } else {
        // Step back to the lead byte of the last character.
        let mut i = b.len() - 1;
        while i > 0 && (b[i] & 0xC0) == 0x80 {
            i -= 1;
        }
        b[i]
    };
    if visible_lead(first) && visible_lead(last_lead) {
        s
    } else {
        s.trim()
    }
}

/// True when collapsing whitespace would change `s` (already trimmed): a run of
/// spaces, or any whitespace other than a plain space. Scans bytes and decodes a
/// character only at the lead bytes non-ASCII whitespace can start with.
pub(crate) fn needs_whitespace_collapse(s: &str) -> bool {
    let b = s.as_bytes();
    let mut prev_space = false;
    for (i, &c) in b.iter().enumerate() {
        let space = match c {
            b' ' => {
                if prev_space {
                    return true;
                }
                true
            }
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => return true,
            0xC2 | 0xE1 | 0xE2 | 0xE3 => {
                if s.get(i..)
                    .and_then(|t| t.chars().next())
                    .is_some_and(char::is_whitespace)
                {
                    return true;
                }
                false
            }
            _ => false,
        };
        prev_space = space;
    }
    false
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
    fn control_and_whitespace_checks_agree_with_char_classes() {
        for s in [
            "abc",
            "a\tb",
            "a\u{85}b",
            "a\u{9f}",
            "«Ёж» — №1",
            "a\u{a0}b",
            "a  b",
            "a b",
            "x\u{2003}y",
            "x\u{3000}",
        ] {
            let any = s.chars().any(char::is_control);
            assert_eq!(has_any_control_chars(s), any, "{s:?}");
            let some = s
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
            assert_eq!(has_control_chars(s), some, "{s:?}");
            let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(needs_whitespace_collapse(s), collapsed != s, "{s:?}");
        }
    }

    #[test]
    fn fast_trim_matches_std_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{a0}a\u{a0}",
            "Ёж",
            "ёж\u{3000}",
            "\u{2003}x",
            "«a»",
            "a\t",
            "\u{85}x",
            "ж ",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn header_keys_ignore_punctuation() {
        assert_eq!(header_key("Вес (г)"), "весг");
        assert_eq!(header_key("Вес, г"), "весг");
        assert_eq!(header_key("weight_g"), "weightg");
        assert_eq!(header_key("Штрих-код"), "штрихкод");
    }
}
