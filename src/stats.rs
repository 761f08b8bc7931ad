//! The statistics behind editors' usefulness reports, as pure functions: averages that account
//! for how many votes there are, and a confidence bound on the share of readers who found an
//! article useful.

/// z for a two-sided 95% confidence interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Mean stars; 0.0 when there are no votes.
pub fn mean(star_sum: i64, count: i64) -> f64 {
    if count <= 0 {
        0.0
    } else {
        star_sum as f64 / count as f64
    }
}

/// Bayesian average: the mean of the votes pulled toward `prior_mean` as if `prior_weight`
/// extra votes at `prior_mean` had been cast: (prior_weight*prior_mean + star_sum) / (prior_weight + count).
/// With no votes and zero weight it returns prior_mean. Negative weight is treated as 0.
///
/// Editors rank by this so that one 5-star vote does not outrank 900 votes averaging 4.8.
pub fn bayesian_average(star_sum: i64, count: i64, prior_mean: f64, prior_weight: f64) -> f64 {
    // `max` also turns a NaN weight into 0, so a bad setting cannot poison every report.
    let weight = prior_weight.max(0.0);
    let count = count.max(0) as f64;
    if weight + count == 0.0 {
        return prior_mean;
    }
    (weight * prior_mean + star_sum as f64) / (weight + count)
}

/// Lower bound of the Wilson score interval for the share `positives / total` at confidence z
/// (Evan Miller, "How Not To Sort By Average Rating"); 0.0 when total is 0. Result clamped to [0, 1].
///
/// It is a share that few votes cannot fake: 1 of 1 scores far below 90 of 100.
pub fn wilson_lower_bound(positives: u64, total: u64, z: f64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let n = total as f64;
    // More positives than votes can only come from a racing count; read it as "all of them".
    let p = positives.min(total) as f64 / n;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt();
    // Rounding can leave 0/n a hair below zero.
    ((centre - spread) / (1.0 + z2 / n)).clamp(0.0, 1.0)
}

/// positives / total, 0.0 when total is 0.
pub fn share(part: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        part as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_close(got: f64, expected: f64, what: &str) {
        assert!(
            (got - expected).abs() < 1e-9,
            "{what}: got {got}, expected {expected}"
        );
    }

    // Expected values come from the Wilson formula evaluated independently in Python:
    // (phat + z²/2n - z*sqrt((phat(1-phat) + z²/4n)/n)) / (1 + z²/n).
    #[test]
    fn wilson_matches_the_formula_at_95_percent() {
        for (positives, total, expected) in [
            (1, 1, 0.206_549_314_377_237_42),
            (5, 10, 0.236_593_090_512_564),
            (90, 100, 0.825_634_338_495_086_6),
            (3, 4, 0.300_641_842_582_401_9),
            (0, 10, 0.0),
        ] {
            let got = wilson_lower_bound(positives, total, Z_95);
            assert_close(got, expected, &format!("{positives}/{total}"));
        }
    }

    #[test]
    fn wilson_with_the_rounded_z_of_textbooks() {
        let got = wilson_lower_bound(90, 100, 1.96);
        assert_close(got, 0.825_632_695_632_334_7, "90/100 at z=1.96");
        assert!((got - 0.8256).abs() < 1e-4);
    }

    #[test]
    fn wilson_of_no_votes_is_zero_and_overcounts_read_as_all() {
        assert_eq!(wilson_lower_bound(0, 0, Z_95), 0.0);
        assert_eq!(
            wilson_lower_bound(7, 5, Z_95),
            wilson_lower_bound(5, 5, Z_95)
        );
    }

    #[test]
    fn bayesian_average_counts_the_prior_as_extra_votes() {
        assert_close(
            bayesian_average(5, 1, 3.5, 10.0),
            (35.0 + 5.0) / 11.0,
            "one 5-star vote",
        );
        assert_eq!(bayesian_average(0, 0, 3.5, 0.0), 3.5);
        assert_eq!(bayesian_average(5, 1, 3.5, -10.0), 5.0);
    }

    #[test]
    fn many_good_votes_outrank_one_perfect_vote() {
        let one_perfect = bayesian_average(5, 1, 3.5, 10.0);
        let many_good = bayesian_average(4320, 900, 3.5, 10.0);
        assert!(
            mean(5, 1) > mean(4320, 900),
            "raw means rank the single vote first"
        );
        assert!(many_good > one_perfect, "{many_good} vs {one_perfect}");
    }

    #[test]
    fn share_of_nothing_is_zero() {
        assert_eq!(share(1, 4), 0.25);
        assert_eq!(share(0, 0), 0.0);
    }

    proptest! {
        #[test]
        fn mean_of_zero_votes_is_zero(star_sum in any::<i64>()) {
            prop_assert_eq!(mean(star_sum, 0), 0.0);
        }

        #[test]
        fn bayesian_average_lies_between_prior_and_mean(
            votes in proptest::collection::vec(1i64..=5, 1..200),
            prior in 1.0f64..=5.0,
            weight in 0.0f64..=1000.0,
        ) {
            let (sum, count) = (votes.iter().sum::<i64>(), votes.len() as i64);
            let raw = mean(sum, count);
            let bayes = bayesian_average(sum, count, prior, weight);
            prop_assert!(bayes >= raw.min(prior) - 1e-9, "{bayes} below {raw} and {prior}");
            prop_assert!(bayes <= raw.max(prior) + 1e-9, "{bayes} above {raw} and {prior}");
        }

        #[test]
        fn wilson_lies_in_zero_one_and_at_or_below_the_share(
            (total, positives) in (1u64..10_000).prop_flat_map(|t| (Just(t), 0..=t)),
        ) {
            let bound = wilson_lower_bound(positives, total, Z_95);
            prop_assert!((0.0..=1.0).contains(&bound), "{bound}");
            prop_assert!(bound <= share(positives, total) + 1e-12, "{bound}");
        }

        #[test]
        fn more_votes_at_the_same_share_never_lower_the_bound(
            (q, p) in (1u64..20).prop_flat_map(|q| (Just(q), 0..=q)),
        ) {
            let bounds: Vec<f64> = (1..=50).map(|k| wilson_lower_bound(k * p, k * q, Z_95)).collect();
            prop_assert!(bounds.windows(2).all(|w| w[1] >= w[0] - 1e-12), "{p}/{q}: {bounds:?}");
        }
    }
}
