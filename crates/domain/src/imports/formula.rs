//! CSV formula-injection guard for files people open in Excel.
//!
//! A cell starting with `=`, `+`, `-`, `@`, tab or CR can run as a formula when the
//! file is opened in a spreadsheet, so exports prefix such cells with `'` (OWASP's
//! advice). Plain numbers stay as they are (`-5`, `+7`, `-1 299,90`): they cannot
//! run, and a `'` would turn them into text in the seller's spreadsheet. Anything
//! else starting with those characters is guarded, phone numbers like `+7 (999)
//! 123-45-67` included.
//!
//! Imports undo the guard: a leading `'` directly followed by one of those
//! characters is removed, so an exported file (an error report, a catalog export)
//! can be fixed and uploaded again without the apostrophes creeping into the data.

use std::borrow::Cow;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True for `-5`, `+12`, `-1 299,90`, `-0.5`: a sign, digits (spaces allowed between
/// them) and at most one decimal separator followed by digits.
fn is_plain_number(s: &str) -> bool {
    let Some(body) = s.strip_prefix(['-', '+']) else {
        return false;
    };
    let mut digits = 0;
    let mut separator = false;
    let mut after_separator = 0;
    for c in body.chars() {
        match c {
            '0'..='9' => {
                digits += 1;
                if separator {
                    after_separator += 1;
                }
            }
            ' ' | '\u{a0}' if digits > 0 && !separator => {}
            '.' | ',' if digits > 0 && !separator => separator = true,
            _ => return false,
        }
    }
    digits > 0 && (!separator || after_separator > 0) && !body.ends_with([' ', '\u{a0}'])
}

/// Guards one cell for export (see the module docs).
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if TRIGGERS.contains(&c) && !is_plain_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// Undoes [`neutralise_formula`] on an imported cell.
pub fn strip_neutraliser(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_an_apostrophe() {
        for cell in [
            "=SUM(A1:A2)",
            "+CMD|' /C calc'!A0",
            "-2+3",
            "@SUM(1)",
            "\t=1",
            "\r=1",
            "+7 (999) 123-45-67",
            "-",
            "=-5",
        ] {
            assert_eq!(neutralise_formula(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn plain_numbers_and_ordinary_text_stay() {
        for cell in [
            "-5",
            "+5",
            "-1 299,90",
            "-0.5",
            "Футболка",
            "5-10",
            "",
            "'=already",
        ] {
            assert_eq!(neutralise_formula(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn import_undoes_the_guard_only_before_trigger_characters() {
        assert_eq!(strip_neutraliser("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(strip_neutraliser("'-Sale-"), "-Sale-");
        assert_eq!(strip_neutraliser("'0012"), "'0012");
        assert_eq!(strip_neutraliser("Rock'n'roll"), "Rock'n'roll");
        for cell in ["=1", "@x", "-x", "+7 999"] {
            assert_eq!(strip_neutraliser(&neutralise_formula(cell)), cell);
        }
    }
}
