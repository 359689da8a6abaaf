//! Small SQL-building helpers for multi-row statements.

use std::fmt::Write as _;

/// `($1,$2,$3),($4,$5,$6)` for `rows` rows of `cols` placeholders, numbered from `first`.
pub(crate) fn values(rows: usize, cols: usize, first: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    let mut n = first;
    for row in 0..rows {
        if row > 0 {
            out.push(',');
        }
        out.push('(');
        for col in 0..cols {
            if col > 0 {
                out.push(',');
            }
            let _ = write!(out, "${n}");
            n += 1;
        }
        out.push(')');
    }
    out
}

/// `$3,$4,$5` for an `IN (...)` list of `count` placeholders starting at `first`.
pub(crate) fn list(count: usize, first: usize) -> String {
    let mut out = String::with_capacity(count * 5);
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "${}", first + i);
    }
    out
}

/// How many rows of `cols` bind parameters fit in one statement, capped at `cap`
/// (multi-row statements beyond a few hundred rows gain nothing but latency).
pub(crate) fn rows_per_statement(cols: usize, cap: usize) -> usize {
    // 30 000 is below both engines' limits (SQLite 32 766, PostgreSQL 65 535).
    (30_000 / cols.max(1)).clamp(1, cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_row_order() {
        assert_eq!(values(2, 3, 1), "($1,$2,$3),($4,$5,$6)");
        assert_eq!(values(1, 2, 4), "($4,$5)");
        assert_eq!(list(3, 2), "$2,$3,$4");
        assert_eq!(rows_per_statement(10, 5_000), 3_000);
        assert_eq!(rows_per_statement(10, 500), 500);
    }
}
