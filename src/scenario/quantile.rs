//! Quantile functions of the parameter distributions (normal, lognormal, gamma, beta, uniform),
//! used by calibration bounds (p1 and p99).
//! Dirichlet components are treated through their beta marginals: component k of
//! Dirichlet(alpha) is Beta(alpha_k, sum(alpha) - alpha_k).
// AS 241's published coefficients are kept digit for digit.
#![allow(clippy::excessive_precision)]

use super::params::Dist;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-14).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Standard normal quantile (Wichura 1988, AS 241 PPND16; about 16 digits).
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q
            * (((((((r * 2_509.080_928_730_122_7 + 33_430.575_583_588_128) * r
                + 67_265.770_927_008_7)
                * r
                + 45_921.953_931_549_87)
                * r
                + 13_731.693_765_509_461)
                * r
                + 1_971.590_950_306_551_3)
                * r
                + 133.141_667_891_784_38)
                * r
                + 3.387_132_872_796_366_5)
            / (((((((r * 5_226.495_278_852_545 + 28_729.085_735_721_943) * r
                + 39_307.895_800_092_71)
                * r
                + 21_213.794_301_586_597)
                * r
                + 5_394.196_021_424_751)
                * r
                + 687.187_007_492_057_9)
                * r
                + 42.313_330_701_600_91)
                * r
                + 1.0);
    }
    let r0 = if q < 0.0 { p } else { 1.0 - p };
    let mut r = (-r0.ln()).sqrt();
    let val = if r <= 5.0 {
        r -= 1.6;
        (((((((r * 7.745_450_142_783_414e-4 + 0.022_723_844_989_269_184) * r
            + 0.241_780_725_177_450_6)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_546)
            * r
            + 1.423_437_110_749_683_5)
            / (((((((r * 1.050_750_071_644_416_9e-9 + 5.475_938_084_995_345e-4) * r
                + 0.015_198_666_563_616_457)
                * r
                + 0.148_103_976_427_480_08)
                * r
                + 0.689_767_334_985_1)
                * r
                + 1.676_384_830_183_803_8)
                * r
                + 2.053_191_626_637_759)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((r * 2.010_334_399_292_288e-7 + 2.711_555_568_743_487_6e-5) * r
            + 0.001_242_660_947_388_078_4)
            * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_9)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103)
            / (((((((r * 2.044_263_103_389_939_7e-15 + 1.421_511_758_316_446e-7) * r
                + 1.846_318_317_510_054_8e-5)
                * r
                + 7.868_691_311_456_133e-4)
                * r
                + 0.014_875_361_290_850_615)
                * r
                + 0.136_929_880_922_735_8)
                * r
                + 0.599_832_206_555_888)
                * r
                + 1.0)
    };
    if q < 0.0 {
        -val
    } else {
        val
    }
}

/// Regularised lower incomplete gamma P(a, x) (series below a + 1, continued fraction above).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let lnpre = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut ap, mut sum, mut del) = (a, 1.0 / a, 1.0 / a);
        for _ in 0..10_000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (sum.ln() + lnpre).exp().min(1.0)
    } else {
        // Lentz's method for the continued fraction of Q(a, x).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (1.0 - (lnpre.exp() * h)).max(0.0)
    }
}

/// Regularised incomplete beta I_x(a, b) (continued fraction, Numerical Recipes `betacf`).
pub fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let cf = |a: f64, b: f64, x: f64| -> f64 {
        let tiny = 1e-300;
        let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
        let mut c = 1.0;
        let mut d = 1.0 - qab * x / qap;
        if d.abs() < tiny {
            d = tiny;
        }
        d = 1.0 / d;
        let mut h = d;
        for m in 1..10_000 {
            let m = m as f64;
            let m2 = 2.0 * m;
            let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1.0 + aa * d;
            d = if d.abs() < tiny { tiny } else { d };
            c = 1.0 + aa / c;
            c = if c.abs() < tiny { tiny } else { c };
            d = 1.0 / d;
            h *= d * c;
            let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1.0 + aa * d;
            d = if d.abs() < tiny { tiny } else { d };
            c = 1.0 + aa / c;
            c = if c.abs() < tiny { tiny } else { c };
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        h
    };
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * cf(b, a, 1.0 - x) / b
    }
}

/// Inverts an increasing cdf on [lo, hi] by bisection (to the last bits of a double).
fn invert(cdf: impl Fn(f64) -> f64, p: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Quantile of Gamma(shape, scale).
pub fn gamma_quantile(p: f64, shape: f64, scale: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    let mut hi = shape.max(1.0);
    while gamma_p(shape, hi) < p && hi < 1e300 {
        hi *= 2.0;
    }
    scale * invert(|x| gamma_p(shape, x), p, 0.0, hi)
}

/// Quantile of Beta(a, b).
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    invert(|x| beta_i(a, b, x), p, 0.0, 1.0)
}

/// The `p` quantile of each slot of a parameter: one value for a scalar, one per component for a
/// Dirichlet (its beta marginals). `None` for fixed values, fixed shares and derived parameters.
pub fn quantiles(dist: &Dist, p: f64) -> Option<Vec<f64>> {
    Some(match dist {
        Dist::Beta { alpha, beta } => vec![beta_quantile(p, *alpha, *beta)],
        Dist::LogNormal { mu, sigma } => vec![(mu + sigma * normal_quantile(p)).exp()],
        Dist::Gamma { shape, scale } => vec![gamma_quantile(p, *shape, *scale)],
        Dist::Normal { mean, sd } => vec![mean + sd * normal_quantile(p)],
        Dist::Uniform { min, max } => vec![min + p * (max - min)],
        Dist::Dirichlet { alpha } => {
            let s: f64 = alpha.iter().sum();
            alpha.iter().map(|a| beta_quantile(p, *a, s - a)).collect()
        }
        Dist::Fixed(_) | Dist::Shares(_) | Dist::Derived(_) | Dist::Path { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn normal_quantiles_match_tables() {
        assert_relative_eq!(
            normal_quantile(0.9),
            1.281_551_565_544_600_4,
            epsilon = 1e-14
        );
        assert_relative_eq!(
            normal_quantile(0.975),
            1.959_963_984_540_054,
            epsilon = 1e-14
        );
        assert_relative_eq!(
            normal_quantile(0.01),
            -2.326_347_874_040_840_8,
            epsilon = 1e-14
        );
        assert_relative_eq!(
            normal_quantile(1e-10),
            -6.361_340_902_404_056,
            epsilon = 1e-10
        );
        assert_eq!(normal_quantile(0.5), 0.0);
    }

    #[test]
    fn gamma_quantiles_match_exponential_and_chi_square_values() {
        // Shape 1 is the exponential: quantile = -ln(1 - p) x scale.
        assert_relative_eq!(
            gamma_quantile(0.9, 1.0, 3.0),
            -(0.1f64.ln()) * 3.0,
            epsilon = 1e-12
        );
        // Chi-square(k) is Gamma(k/2, 2): qchisq(0.95, 1) and qchisq(0.95, 10).
        assert_relative_eq!(
            gamma_quantile(0.95, 0.5, 2.0),
            3.841_458_820_694_124,
            epsilon = 1e-10
        );
        assert_relative_eq!(
            gamma_quantile(0.95, 5.0, 2.0),
            18.307_038_053_275_146,
            epsilon = 1e-9
        );
        assert_relative_eq!(
            gamma_p(2.0, 1.5),
            1.0 - (-1.5f64).exp() * 2.5,
            epsilon = 1e-14
        );
    }

    #[test]
    fn beta_quantiles_match_closed_forms() {
        // Beta(a, 1): cdf x^a.  Beta(0.5, 0.5): the arcsine law, quantile sin^2(pi p / 2).
        assert_relative_eq!(
            beta_quantile(0.3, 2.5, 1.0),
            0.3f64.powf(1.0 / 2.5),
            epsilon = 1e-13
        );
        let arcsine = (std::f64::consts::PI * 0.1 / 2.0).sin().powi(2);
        assert_relative_eq!(beta_quantile(0.1, 0.5, 0.5), arcsine, epsilon = 1e-12);
        // Beta(2, 2): cdf 3x^2 - 2x^3.
        let x = beta_quantile(0.9, 2.0, 2.0);
        assert_relative_eq!(3.0 * x * x - 2.0 * x * x * x, 0.9, epsilon = 1e-13);
        assert_relative_eq!(ln_gamma(10.0), 362_880f64.ln(), epsilon = 1e-12);
    }

    #[test]
    fn lognormal_uniform_and_dirichlet_quantiles() {
        let ln = quantiles(
            &Dist::LogNormal {
                mu: 700f64.ln(),
                sigma: 0.25,
            },
            0.9,
        )
        .unwrap();
        assert_relative_eq!(
            ln[0],
            700.0 * (0.25 * 1.281_551_565_544_600_4f64).exp(),
            epsilon = 1e-9
        );
        assert_eq!(
            quantiles(&Dist::Uniform { min: 2.0, max: 4.0 }, 0.1).unwrap(),
            vec![2.2]
        );
        // Dirichlet(1, 1): each marginal is Beta(1, 1), so the p10 is 0.1.
        let d = quantiles(
            &Dist::Dirichlet {
                alpha: vec![1.0, 1.0],
            },
            0.1,
        )
        .unwrap();
        assert_relative_eq!(d[0], 0.1, epsilon = 1e-12);
        assert!(quantiles(&Dist::Fixed(1.0), 0.1).is_none());
    }
}
