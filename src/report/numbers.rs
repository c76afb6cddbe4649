//! Numbers in a report's words: one rule for every estimate the text quotes. Money and head
//! counts are rounded to three significant figures (money to no finer than £0.1m, children to
//! whole children): "£298m", "£1,590m", "£12,100m", "89,600". Pounds per £1 are shown to the
//! penny ("£0.81"). A median whose 90% interval rounds to the same figure at both ends (a fixed
//! input, such as a budget set in the scenario) is printed as that one value.

use super::measures::Stat;

/// The true minus sign the report writes before a negative number.
pub const MINUS: char = '\u{2212}';

/// Thousands separators on `x` rounded to `decimals` places, with a true minus sign (none on a
/// number that rounds to zero).
pub fn grouped(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (s.clone(), String::new()),
    };
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    let neg = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!(
        "{}{out}{frac}",
        if neg { MINUS.to_string() } else { "".into() }
    )
}

/// `x` rounded to three significant figures and the decimal places that shows them, at most
/// `max_decimals` (1,591 → 1,590 with none; 29.84 → 29.8 with one; 0.04 → 0 with one).
pub fn three_sf(x: f64, max_decimals: usize) -> (f64, usize) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let magnitude = |v: f64| v.abs().log10().floor() as i32;
    let round = |v: f64| {
        if v == 0.0 {
            return 0.0;
        }
        let m = magnitude(v);
        if m >= 2 {
            let f = 10f64.powi(m - 2);
            (v / f).round() * f
        } else {
            let d = (2 - m).min(max_decimals as i32);
            let f = 10f64.powi(d);
            (v * f).round() / f
        }
    };
    // Rounding up can add a digit (999.6 → 1,000, 9.996 → 10.0): round again at the new size.
    let r = round(round(x));
    let decimals = if r == 0.0 {
        0
    } else {
        (2 - magnitude(r)).clamp(0, max_decimals as i32) as usize
    };
    (r, decimals)
}

/// An estimate in £ million, to three significant figures: "£298m", "−£1,590m", "£29.8m".
pub fn money_m(x: f64) -> String {
    let (r, d) = three_sf(x, 1);
    let g = grouped(r, d);
    match g.strip_prefix(MINUS) {
        Some(rest) => format!("{MINUS}£{rest}m"),
        None => format!("£{g}m"),
    }
}

/// A number of children, to three significant figures and never a fraction of a child:
/// "89,600", "2,700", "12".
pub fn count(x: f64) -> String {
    let (r, _) = three_sf(x, 0);
    grouped(r.round(), 0)
}

/// Pounds per £1, to the penny: "£0.81", "−£1.20".
pub fn pounds(x: f64) -> String {
    let g = grouped(x, 2);
    match g.strip_prefix(MINUS) {
        Some(rest) => format!("{MINUS}£{rest}"),
        None => format!("£{g}"),
    }
}

/// A share as a whole percentage: "66%".
pub fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// The median with its 90% interval, the one statistic a report's text quotes: "£298m (90%
/// interval £120m to £510m)", or the median alone when both ends of the interval print as the
/// same figure.
pub fn interval(s: Stat, f: fn(f64) -> String) -> String {
    let (median, rest) = interval_parts(s, f);
    format!("{median}{rest}")
}

/// The median and, apart, the " (90% interval a to b)" that follows it (empty for a fixed
/// value), for sentences that put words between the two.
pub fn interval_parts(s: Stat, f: fn(f64) -> String) -> (String, String) {
    let (lo, hi) = (f(s.p5), f(s.p95));
    if lo == hi {
        (f(s.p50), String::new())
    } else {
        (f(s.p50), format!(" (90% interval {lo} to {hi})"))
    }
}

/// A short form for table cells: "12,100 (11,900 to 12,400)", or the median alone as above.
pub fn interval_short(s: Stat, f: fn(f64) -> String) -> String {
    let (lo, hi) = (f(s.p5), f(s.p95));
    if lo == hi {
        f(s.p50)
    } else {
        format!("{} ({lo} to {hi})", f(s.p50))
    }
}

/// The statistic of `-x`: the median negated and the interval's ends swapped, for quoting a
/// negative change as a positive amount ("care entries added", "early spend cut by").
pub fn negated(s: Stat) -> Stat {
    Stat {
        mean: -s.mean,
        p5: -s.p95,
        p50: -s.p50,
        p95: -s.p5,
    }
}

/// A number in £ million to three significant figures without the £ and m, for tables whose
/// header names the unit: "2,840", "−236".
pub fn table_gbp_m(x: f64) -> String {
    let (r, d) = three_sf(x, 1);
    grouped(r, d)
}

/// A late:early ratio for a table: two decimals.
pub fn ratio(x: f64) -> String {
    grouped(x, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_figures_in_money_and_counts() {
        assert_eq!(money_m(-1591.3), "\u{2212}£1,590m");
        assert_eq!(money_m(298.4), "£298m");
        assert_eq!(money_m(12106.0), "£12,100m");
        assert_eq!(money_m(29.84), "£29.8m");
        assert_eq!(money_m(999.6), "£1,000m");
        assert_eq!(money_m(9.996), "£10.0m");
        assert_eq!(money_m(-0.04), "£0m");
        assert_eq!(money_m(0.0), "£0m");
        assert_eq!(count(89586.0), "89,600");
        assert_eq!(count(2702.0), "2,700");
        assert_eq!(count(-3750.0), "\u{2212}3,750");
        assert_eq!(count(12.4), "12");
        assert_eq!(count(123456.0), "123,000");
        assert_eq!(pounds(0.832), "£0.83");
        assert_eq!(grouped(-1234.5, 1), "\u{2212}1,234.5");
    }

    #[test]
    fn a_fixed_value_is_printed_without_an_interval() {
        let fixed = Stat {
            mean: -1591.0,
            p5: -1591.2,
            p50: -1591.0,
            p95: -1590.9,
        };
        assert_eq!(interval(fixed, money_m), "\u{2212}£1,590m");
        let varying = Stat {
            mean: 300.0,
            p5: 120.0,
            p50: 298.0,
            p95: 510.0,
        };
        assert_eq!(
            interval(varying, money_m),
            "£298m (90% interval £120m to £510m)"
        );
        let n = negated(varying);
        assert_eq!((n.p5, n.p50, n.p95), (-510.0, -298.0, -120.0));
    }
}
