//! The statistics behind editors' reports, as pure functions: averages that account for how
//! many votes there are, and a confidence bound on the share of readers who found an article
//! useful.

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

/// The votes' mean pulled toward `prior_mean` as if `prior_weight` votes at that mean had been
/// cast too, so that one 5-star vote does not outrank 900 votes averaging 4.8.
pub fn bayesian_average(star_sum: i64, count: i64, prior_mean: f64, prior_weight: f64) -> f64 {
    let weight = prior_weight.max(0.0);
    let count = count.max(0) as f64;
    if weight + count == 0.0 {
        return prior_mean;
    }
    (weight * prior_mean + star_sum as f64) / (weight + count)
}

/// Lower bound of the Wilson score interval for `positives / total` at confidence `z`
/// (Evan Miller, "How Not To Sort By Average Rating"): a share that few votes cannot fake.
pub fn wilson_lower_bound(positives: u64, total: u64, z: f64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let n = total as f64;
    let p = positives.min(total) as f64 / n;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt();
    ((centre - spread) / (1.0 + z2 / n)).clamp(0.0, 1.0)
}

/// `part / total`, 0.0 when there is nothing.
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

    /// Values of the Wilson formula evaluated independently (Python, same z).
    #[test]
    fn wilson_matches_known_values() {
        for (positives, total, expected) in [
            (1, 1, 0.206_549_314_377_237_42),
            (5, 10, 0.236_593_090_512_564),
            (90, 100, 0.825_634_338_495_086_6),
            (0, 10, 0.0),
        ] {
            let got = wilson_lower_bound(positives, total, Z_95);
            assert!((got - expected).abs() < 1e-9, "{positives}/{total}: {got}");
        }
        assert_eq!(wilson_lower_bound(0, 0, Z_95), 0.0);
    }

    #[test]
    fn many_good_votes_outrank_one_perfect_vote() {
        let one = bayesian_average(5, 1, 3.5, 10.0);
        assert!((one - 40.0 / 11.0).abs() < 1e-12);
        let many = bayesian_average(4320, 900, 3.5, 10.0);
        assert!(many > one, "{many} vs {one}");
        assert_eq!(bayesian_average(0, 0, 3.5, 0.0), 3.5);
        assert_eq!(mean(0, 0), 0.0);
        assert_eq!(share(1, 4), 0.25);
    }

    proptest! {
        #[test]
        fn bayesian_average_lies_between_prior_and_mean(
            votes in proptest::collection::vec(1i64..=5, 1..200),
            prior in 1.0f64..=5.0,
            weight in 0.0f64..=1000.0,
        ) {
            let (sum, count) = (votes.iter().sum::<i64>(), votes.len() as i64);
            let raw = mean(sum, count);
            let bayes = bayesian_average(sum, count, prior, weight);
            prop_assert!(bayes >= raw.min(prior) - 1e-9 && bayes <= raw.max(prior) + 1e-9);
        }

        #[test]
        fn wilson_lies_in_zero_one_and_below_the_share(total in 1u64..10_000, cut in 0.0f64..=1.0) {
            let positives = (total as f64 * cut) as u64;
            let bound = wilson_lower_bound(positives, total, Z_95);
            prop_assert!((0.0..=1.0).contains(&bound));
            prop_assert!(bound <= share(positives, total) + 1e-12);
        }

        #[test]
        fn more_votes_at_the_same_share_raise_the_bound(q in 1u64..20, p_frac in 0.0f64..=1.0) {
            let p = (q as f64 * p_frac) as u64;
            let bounds: Vec<f64> = (1..=50).map(|k| wilson_lower_bound(k * p, k * q, Z_95)).collect();
            prop_assert!(bounds.windows(2).all(|w| w[1] >= w[0] - 1e-12), "{:?}", bounds);
        }
    }
}
