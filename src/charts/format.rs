//! Number formatting (thousands separators, £m/£bn, ratios) and "nice" axis ticks.

/// How values on an axis or label are written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueFormat {
    /// Head counts: `81,770`.
    Count,
    /// Money held in £ million: `£450m`, `£2.8bn`.
    GbpM,
    /// £ of late spend per £1 of early spend: `£2.50`.
    Ratio,
}

/// Inserts thousands separators into a non-negative decimal string such as `1234567.8`.
fn group_thousands(digits: &str) -> String {
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let (sign, int) = match int.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", int),
    };
    let mut out = String::with_capacity(int.len() + int.len() / 3 + 4);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let mut s = format!("{sign}{out}");
    if let Some(f) = frac {
        s.push('.');
        s.push_str(f);
    }
    s
}

/// Formats with `decimals` places and thousands separators; never prints `-0`.
pub fn number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v);
    let s = if s.trim_start_matches(['-', '0', '.']).is_empty() {
        s.trim_start_matches('-').to_string()
    } else {
        s
    };
    group_thousands(&s)
}

/// A whole-number count: `81,770`.
pub fn count(v: f64) -> String {
    number(v.round(), 0)
}

/// Money given in £ million, as a label: `£450m`, `£2.8bn`, `£12m`, `£0`.
pub fn gbp_m(v: f64) -> String {
    if v == 0.0 {
        "£0".to_string()
    } else if v.abs() >= 99_950.0 {
        format!("£{}bn", number(v / 1000.0, 0))
    } else if v.abs() >= 999.95 {
        format!("£{}bn", number(v / 1000.0, 1))
    } else if v.abs() >= 9.95 {
        format!("£{}m", number(v, 0))
    } else {
        format!("£{}m", number(v, 1))
    }
}

/// Ratio written as £ per £1: `£2.50`.
pub fn ratio(v: f64) -> String {
    format!("£{}", number(v, 2))
}

/// `v` rounded to `digits` significant figures.
pub fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// Decimals that show three significant figures of `v` (already rounded to them).
fn decimals_3sf(v: f64) -> usize {
    if v == 0.0 {
        return 0;
    }
    (2 - v.abs().log10().floor() as i32).clamp(0, 6) as usize
}

/// A value in words, to three significant figures, with a true minus sign: `81,800`,
/// `−£3.55bn`, `£450m`, `£4.40`. Counts below 1,000 are whole numbers.
pub fn sig3(v: f64, fmt: ValueFormat) -> String {
    let a = round_sig(v.abs(), 3);
    let text = match fmt {
        ValueFormat::Count => number(a.round(), 0),
        ValueFormat::Ratio => format!("£{}", number(a, decimals_3sf(a))),
        ValueFormat::GbpM if a >= 1000.0 => {
            format!("£{}bn", number(a / 1000.0, decimals_3sf(a / 1000.0)))
        }
        ValueFormat::GbpM => format!("£{}m", number(a, decimals_3sf(a))),
    };
    let shown_zero = match fmt {
        ValueFormat::Count => a.round() == 0.0,
        _ => a == 0.0,
    };
    if shown_zero && fmt == ValueFormat::GbpM {
        "£0".to_string()
    } else if v < 0.0 && !shown_zero {
        format!("\u{2212}{text}")
    } else {
        text
    }
}

/// [`sig3`] with a `+` before a value above zero that does not show as zero: a change.
pub fn signed3(v: f64, fmt: ValueFormat) -> String {
    let text = sig3(v, fmt);
    if v > 0.0 && text != sig3(0.0, fmt) {
        format!("+{text}")
    } else {
        text
    }
}

/// Axis ticks from zero: evenly spaced "nice" values covering `max`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    pub values: Vec<f64>,
    pub step: f64,
    pub top: f64,
    /// The lowest tick: 0 unless some value is negative.
    pub bottom: f64,
}

/// Picks about five ticks from 0 to at least `max`, with steps of 1, 2, 2.5 or 5 × 10^k.
/// Counts get whole-number steps. An all-zero axis still gets a visible scale.
pub fn ticks(max: f64, fmt: ValueFormat) -> Ticks {
    let floor = match fmt {
        ValueFormat::Count => 5.0,
        ValueFormat::GbpM => 1.0,
        ValueFormat::Ratio => 0.5,
    };
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        0.0
    }
    .max(floor);
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-12))
        .unwrap_or(10.0 * mag);
    if fmt == ValueFormat::Count {
        step = step.max(1.0).round();
    }
    let n = (max / step - 1e-9).ceil().max(1.0) as usize;
    let values: Vec<f64> = (0..=n).map(|i| i as f64 * step).collect();
    Ticks {
        top: n as f64 * step,
        step,
        values,
        bottom: 0.0,
    }
}

/// Like [`ticks`], but reaching down to `min` when it is negative (zero is always a tick).
pub fn ticks_range(min: f64, max: f64, fmt: ValueFormat) -> Ticks {
    if !(min.is_finite() && min < 0.0) {
        return ticks(max, fmt);
    }
    let max = if max.is_finite() { max.max(0.0) } else { 0.0 };
    // Nice steps for the whole span, then whole steps either side of zero.
    let span = ticks(max - min, fmt);
    let step = span.step;
    let below = (-min / step - 1e-9).ceil().max(1.0);
    let above = (max / step - 1e-9).ceil().max(0.0);
    let values = (-(below as i64)..=(above as i64))
        .map(|i| i as f64 * step)
        .collect();
    Ticks {
        values,
        step,
        top: above * step,
        bottom: -below * step,
    }
}

/// Tick label text for an axis whose ticks are `step` apart.
pub fn tick_label(fmt: ValueFormat, v: f64, step: f64) -> String {
    if v < 0.0 {
        // "−£2bn", not "£-2bn"; a true minus sign for counts too.
        return format!("−{}", tick_label(fmt, -v, step));
    }
    let decimals_for = |step: f64| -> usize {
        let mut d = 0;
        while d < 6
            && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-6
        {
            d += 1;
        }
        d
    };
    match fmt {
        ValueFormat::Count => number(v, decimals_for(step)),
        ValueFormat::Ratio => format!("£{}", number(v, decimals_for(step).max(2))),
        ValueFormat::GbpM => {
            if v == 0.0 {
                "£0".to_string()
            } else if step >= 100.0 {
                format!("£{}bn", number(v / 1000.0, decimals_for(step / 1000.0)))
            } else {
                format!("£{}m", number(v, decimals_for(step)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_money() {
        assert_eq!(count(81770.0), "81,770");
        assert_eq!(count(1e9), "1,000,000,000");
        assert_eq!(count(999.0), "999");
        assert_eq!(gbp_m(2800.0), "£2.8bn");
        assert_eq!(gbp_m(450.0), "£450m");
        assert_eq!(gbp_m(1e9), "£1,000,000bn");
        assert_eq!(gbp_m(0.0), "£0");
        assert_eq!(ratio(2.5), "£2.50");
        assert_eq!(number(-0.0001, 1), "0.0");
    }

    #[test]
    fn three_significant_figures_in_words() {
        assert_eq!(sig3(81_770.0, ValueFormat::Count), "81,800");
        assert_eq!(sig3(79_312.0, ValueFormat::Count), "79,300");
        assert_eq!(sig3(-2_702.0, ValueFormat::Count), "\u{2212}2,700");
        assert_eq!(sig3(12.0, ValueFormat::Count), "12");
        assert_eq!(sig3(-3_548.8, ValueFormat::GbpM), "\u{2212}£3.55bn");
        assert_eq!(sig3(18_432.0, ValueFormat::GbpM), "£18.4bn");
        assert_eq!(sig3(123_456.0, ValueFormat::GbpM), "£123bn");
        assert_eq!(sig3(450.2, ValueFormat::GbpM), "£450m");
        assert_eq!(sig3(999.7, ValueFormat::GbpM), "£1.00bn");
        assert_eq!(sig3(12.34, ValueFormat::GbpM), "£12.3m");
        assert_eq!(sig3(4.4012, ValueFormat::Ratio), "£4.40");
        assert_eq!(sig3(5.3712, ValueFormat::Ratio), "£5.37");
        assert_eq!(sig3(0.0, ValueFormat::GbpM), "£0");
        assert_eq!(sig3(-0.0001, ValueFormat::Count), "0");
        assert_eq!(signed3(2_175.0, ValueFormat::Count), "+2,180");
        assert_eq!(signed3(-0.2, ValueFormat::Count), "0");
        assert_eq!(signed3(-1_204.0, ValueFormat::GbpM), "\u{2212}£1.20bn");
    }

    #[test]
    fn ticks_cover_max_from_zero() {
        let t = ticks(81_770.0, ValueFormat::Count);
        assert_eq!(t.values.first().copied(), Some(0.0));
        assert!(t.top >= 81_770.0);
        assert_eq!(t.step, 20_000.0);
        let z = ticks(0.0, ValueFormat::Count);
        assert_eq!(z.values, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let m = ticks(2_800.0, ValueFormat::GbpM);
        assert_eq!(m.step, 1_000.0);
        assert_eq!(tick_label(ValueFormat::GbpM, m.values[1], m.step), "£1bn");
        let h = ticks(2_300.0, ValueFormat::GbpM);
        assert_eq!(tick_label(ValueFormat::GbpM, h.values[1], h.step), "£0.5bn");
        assert_eq!(tick_label(ValueFormat::GbpM, h.values[2], h.step), "£1.0bn");
        assert_eq!(tick_label(ValueFormat::GbpM, 250.0, 50.0), "£250m");
        assert_eq!(tick_label(ValueFormat::Ratio, 1.5, 0.5), "£1.50");
    }

    #[test]
    fn ranges_below_zero_keep_zero_as_a_tick() {
        let t = ticks_range(-2_300.0, 900.0, ValueFormat::GbpM);
        assert!(t.bottom <= -2_300.0 && t.top >= 900.0);
        assert!(t.values.contains(&0.0));
        assert_eq!(t.values.first().copied(), Some(t.bottom));
        assert_eq!(
            ticks_range(0.0, 81_770.0, ValueFormat::Count),
            ticks(81_770.0, ValueFormat::Count)
        );
        assert_eq!(tick_label(ValueFormat::GbpM, -2_000.0, 1_000.0), "−£2bn");
        assert_eq!(tick_label(ValueFormat::Count, -5_000.0, 1_000.0), "−5,000");
    }
}
