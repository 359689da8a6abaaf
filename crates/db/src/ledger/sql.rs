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

/// The longest rest [`shaped_chunks`] sends as one statement of its own length.
pub(crate) const WHOLE_TAIL: usize = 16;

/// Splits `items` into chunks for multi-row statements, with lengths from a short
/// fixed ladder: `cap`, then a quarter of the rung above; a rest of at most
/// [`WHOLE_TAIL`] items goes into one statement of its own length.
///
/// A statement's text depends on its row count, and both drivers cache prepared
/// statements by text. Chunks of whatever length a batch happens to have would make
/// each batch's statements new ones: prepared again every time (for a statement of a
/// thousand rows, parsing is a large part of running it) and crowding the steady
/// statements out of the connection's cache. With the ladder there are only a few
/// shapes per statement, each prepared once per connection. Small batches (one
/// payment event's few lines and postings) still take one statement, not a run of
/// tiny ones.
pub(crate) fn shaped_chunks<T>(items: &[T], cap: usize) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut size = cap.max(1);
        if rest.len() <= WHOLE_TAIL.min(size) {
            size = rest.len();
        }
        while size > rest.len() {
            size = (size / 4).max(1);
        }
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
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

    #[test]
    fn shaped_chunks_keep_every_item_in_order_in_few_shapes() {
        let ladder = [1_000, 250, 62, 15];
        for n in [
            0_usize, 1, 2, 3, 7, 16, 17, 61, 62, 999, 1_000, 1_001, 1_234, 5_555,
        ] {
            let items: Vec<usize> = (0..n).collect();
            let chunks: Vec<&[usize]> = shaped_chunks(&items, 1_000).collect();
            assert_eq!(chunks.concat(), items, "{n} items");
            // Rungs of the ladder, and at most one short tail at the end.
            let (tail, body) = chunks
                .split_last()
                .map_or((None, &[][..]), |(t, b)| (Some(t), b));
            assert!(body.iter().all(|c| ladder.contains(&c.len())), "{n} items");
            assert!(
                tail.is_none_or(|t| ladder.contains(&t.len()) || t.len() <= WHOLE_TAIL),
                "{n} items"
            );
            if n <= WHOLE_TAIL {
                assert!(chunks.len() <= 1, "{n} items in one statement");
            }
            // Below the top rung, a rung is used at most four times (what is left is
            // less than the rung above, about four times this one), so a batch
            // takes a bounded number of statements.
            for rung in &ladder[1..] {
                assert!(chunks.iter().filter(|c| c.len() == *rung).count() <= 4);
            }
        }
        assert_eq!(shaped_chunks(&[1, 2], 0).count(), 2);
    }
}
