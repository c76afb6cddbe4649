//! Summaries across runs: mean and percentiles (linear interpolation between order statistics,
//! as R's type 7), computed serially in run order so results never depend on the thread count.

/// Mean, 5th, 50th and 95th percentiles of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

/// The `q` quantile (0 to 1) of sorted values.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Summarises values given in run order.
pub fn summarise(values: &[f64]) -> Summary {
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Summary {
        mean,
        p5: quantile_sorted(&sorted, 0.05),
        p50: quantile_sorted(&sorted, 0.5),
        p95: quantile_sorted(&sorted, 0.95),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn percentiles_interpolate_like_r_type_7() {
        let v: Vec<f64> = (1..=11).map(f64::from).collect();
        let s = summarise(&v);
        assert_relative_eq!(s.mean, 6.0);
        assert_relative_eq!(s.p50, 6.0);
        assert_relative_eq!(s.p5, 1.5);
        assert_relative_eq!(s.p95, 10.5);
        assert_eq!(summarise(&[3.0]).p5, 3.0);
    }

    #[test]
    fn order_of_input_does_not_change_percentiles() {
        let a = summarise(&[5.0, 1.0, 4.0, 2.0, 3.0]);
        let b = summarise(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(a.p5, b.p5);
        assert_eq!(a.p95, b.p95);
        assert!(a.p5 <= a.p50 && a.p50 <= a.p95);
    }
}
