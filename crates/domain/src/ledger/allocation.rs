//! Proportional allocation of an amount with the largest-remainder method.

use super::LedgerError;

/// Splits `total_minor` over `weights` in proportion, to the minor unit, so that the
/// parts always sum to `total_minor` exactly.
///
/// Each part starts as `floor(total × weight / Σweights)`; the minor units left over go
/// one each to the parts with the largest fractional remainders. Equal remainders are
/// broken by position: the earlier line wins. Arithmetic is exact (i128), so the result
/// is the same on every machine and every run: 100,00 ₽ over three equal lines is
/// 33,34 / 33,33 / 33,33.
///
/// Refuses a negative total, negative weights, and weights that are all zero.
pub fn allocate_largest_remainder(
    total_minor: i64,
    weights: &[i64],
) -> Result<Vec<i64>, LedgerError> {
    if total_minor < 0 {
        return Err(LedgerError::NegativeAmount {
            amount_minor: total_minor,
        });
    }
    if weights.iter().any(|w| *w < 0) {
        return Err(LedgerError::InvalidWeights);
    }
    let weight_sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if weight_sum == 0 {
        return Err(LedgerError::InvalidWeights);
    }
    let total = i128::from(total_minor);
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut allocated: i128 = 0;
    for (index, weight) in weights.iter().enumerate() {
        let numerator = total * i128::from(*weight);
        let part = numerator / weight_sum;
        allocated += part;
        parts.push(part);
        remainders.push((numerator % weight_sum, index));
    }
    let leftover = total - allocated;
    // Largest remainder first; on equal remainders the earlier line first.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let leftover = usize::try_from(leftover).map_err(|_| LedgerError::Overflow)?;
    for (_, index) in remainders.iter().take(leftover) {
        parts[*index] += 1;
    }
    parts
        .into_iter()
        .map(|p| i64::try_from(p).map_err(|_| LedgerError::Overflow))
        .collect()
}

/// `value × numerator / denominator` rounded half up (half away from zero), exact.
///
/// Used for proportional commission reversals: the quotient of two kopeck amounts is
/// computed in integers, so a true half is always recognised as a half.
pub(crate) fn mul_div_round_half_up(
    value: i64,
    numerator: i64,
    denominator: i64,
) -> Result<i64, LedgerError> {
    if denominator <= 0 || value < 0 || numerator < 0 {
        return Err(LedgerError::InvalidWeights);
    }
    let product = i128::from(value) * i128::from(numerator);
    let denominator = i128::from(denominator);
    let quotient = (2 * product + denominator) / (2 * denominator);
    i64::try_from(quotient).map_err(|_| LedgerError::Overflow)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    reason = "tests: a failed unwrap is a failed test, and scenario tables are tuples"
)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn allocation_scenarios() {
        let cases: &[(i64, &[i64], &[i64])] = &[
            // Three sellers sharing 100,00 ₽: the first line gets the odd kopeck.
            (10_000, &[1, 1, 1], &[3_334, 3_333, 3_333]),
            (10_000, &[300, 300, 300], &[3_334, 3_333, 3_333]),
            // Two odd kopecks go to the two earliest of equal remainders.
            (200, &[1, 1, 1], &[67, 67, 66]),
            // Largest remainder wins over position.
            (100, &[1, 2], &[33, 67]),
            // Partial capture of 50 % of 10,01 + 20,00.
            (1_500, &[1_001, 2_000], &[500, 1_000]),
            // A zero-weight line gets nothing.
            (999, &[0, 5, 0], &[0, 999, 0]),
            (0, &[3, 4], &[0, 0]),
            (1, &[1, 1, 1, 1], &[1, 0, 0, 0]),
        ];
        for (total, weights, expected) in cases {
            assert_eq!(
                allocate_largest_remainder(*total, weights).unwrap(),
                expected.to_vec(),
                "total {total} over {weights:?}"
            );
        }
    }

    #[test]
    fn allocation_refuses_meaningless_input() {
        assert_eq!(
            allocate_largest_remainder(100, &[]),
            Err(LedgerError::InvalidWeights)
        );
        assert_eq!(
            allocate_largest_remainder(100, &[0, 0]),
            Err(LedgerError::InvalidWeights)
        );
        assert_eq!(
            allocate_largest_remainder(100, &[1, -1]),
            Err(LedgerError::InvalidWeights)
        );
        assert!(allocate_largest_remainder(-1, &[1]).is_err());
    }

    #[test]
    fn rounding_is_half_up_and_exact() {
        assert_eq!(mul_div_round_half_up(1, 1, 2).unwrap(), 1);
        assert_eq!(mul_div_round_half_up(3, 1, 2).unwrap(), 2);
        assert_eq!(mul_div_round_half_up(1, 1, 3).unwrap(), 0);
        assert_eq!(mul_div_round_half_up(2, 1, 3).unwrap(), 1);
        assert_eq!(mul_div_round_half_up(i64::MAX, 1, 1).unwrap(), i64::MAX);
    }

    proptest! {
        #[test]
        fn parts_sum_to_total_and_stay_within_one_unit_of_the_exact_share(
            total in 0_i64..1_000_000_000_000,
            weights in proptest::collection::vec(0_i64..10_000_000, 1..20),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let parts = allocate_largest_remainder(total, &weights).unwrap();
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            let weight_sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            for (part, weight) in parts.iter().zip(&weights) {
                let exact_floor = i128::from(total) * i128::from(*weight) / weight_sum;
                prop_assert!(i128::from(*part) == exact_floor || i128::from(*part) == exact_floor + 1);
            }
        }
    }
}
