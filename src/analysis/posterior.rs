//! Bayesian calibration (`calibrate --posterior`): the posterior of every parameter with a
//! distribution (the scenario's distributions are the priors) given targets with observation
//! errors, by a sequential Monte Carlo sampler with adaptive likelihood tempering (Del Moral,
//! Doucet and Jasra 2006; Chopin 2002) on the cohort engine.
//!
//! Each particle is a vector of independent standard normals `z`, one per drawn slot (one per
//! component for a Dirichlet, through its gamma representation), mapped to parameter values by
//! the priors' quantile functions, so the prior in `z` is N(0, I) whatever the distributions.
//! The moves are Gaussian random walks shaped by the particles' own covariance after each
//! resampling, `z' = z + s L xi` with `L L' = Cov(z)` (Chopin 2002): calibrated parameters trade
//! off (a knot of a time path against the rate it scales), and a proposal along the posterior's
//! own correlations moves where an isotropic one is refused. A move is accepted on the tempered
//! likelihood ratio times the N(0, I) prior ratio; the step `s` starts at 2.38 / sqrt(d) and
//! adapts towards a quarter of moves accepted. The likelihood is normal on the log scale: each target's error is
//! its `observation_sd` as a share of its value. Every random number comes from a named stream
//! of the seed and every evaluation is collected in particle order, so the result is the same for
//! a seed whatever the thread count.

use super::calibrate::Target;
use crate::engine::cohort;
use crate::rng;
use crate::scenario::params::Dist;
use crate::scenario::quantile::{beta_quantile, gamma_p, gamma_quantile};
use crate::scenario::Model;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// The sampler's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub particles: usize,
    /// Random-walk moves per particle after each resampling.
    pub moves: usize,
    /// Tempering steps keep this share of the particles' effective sample size.
    pub ess_share: f64,
    pub seed: u64,
}

/// One tempering stage, for the record.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub beta: f64,
    /// Effective sample size of the reweighted particles, before resampling.
    pub ess: f64,
    /// Share of moves accepted after this stage's resampling.
    pub acceptance: f64,
    /// The random walk's step, as a multiple of the particles' covariance factor.
    pub scale: f64,
}

/// The posterior: an equally weighted sample of parameter vectors (full value vectors, by slot),
/// with each draw's model values of the targets.
#[derive(Debug, Clone)]
pub struct Posterior {
    pub draws: Vec<Vec<f64>>,
    pub fitted: Vec<Vec<f64>>,
    pub stages: Vec<Stage>,
    /// Effective sample size of the final reweighting (at full likelihood), before resampling.
    pub effective_sample_size: f64,
    /// Distinct draws in the final sample.
    pub distinct: usize,
    pub evaluations: u64,
}

/// Where each latent normal goes: (parameter index, component).
fn latent_layout(model: &Model) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, p) in model.params.params.iter().enumerate() {
        let n = match &p.dist {
            Dist::Beta { .. }
            | Dist::LogNormal { .. }
            | Dist::Gamma { .. }
            | Dist::Normal { .. }
            | Dist::Uniform { .. } => 1,
            Dist::Dirichlet { alpha } => alpha.len(),
            Dist::Fixed(_) | Dist::Shares(_) | Dist::Derived(_) | Dist::Path { .. } => 0,
        };
        out.extend((0..n).map(|k| (i, k)));
    }
    out
}

/// The standard normal cdf, through the regularised gamma function.
fn phi(z: f64) -> f64 {
    let p = 0.5 * gamma_p(0.5, 0.5 * z * z);
    let u = if z >= 0.0 { 0.5 + p } else { 0.5 - p };
    u.clamp(1e-300, 1.0 - 1e-16)
}

/// The parameter values of latent vector `z`: the priors' quantiles of `Phi(z)`, then time paths
/// and derived parameters.
pub fn values_of(model: &Model, layout: &[(usize, usize)], z: &[f64]) -> Result<Vec<f64>, String> {
    let ps = &model.params;
    let mut v = ps.central().map_err(|(n, e)| format!("{n}: {e}"))?;
    let mut k = 0;
    while k < layout.len() {
        let p = &ps.params[layout[k].0];
        match &p.dist {
            Dist::Beta { alpha, beta } => v[p.slot] = beta_quantile(phi(z[k]), *alpha, *beta),
            Dist::LogNormal { mu, sigma } => v[p.slot] = (mu + sigma * z[k]).exp(),
            Dist::Gamma { shape, scale } => v[p.slot] = gamma_quantile(phi(z[k]), *shape, *scale),
            Dist::Normal { mean, sd } => v[p.slot] = mean + sd * z[k],
            Dist::Uniform { min, max } => v[p.slot] = min + phi(z[k]) * (max - min),
            Dist::Dirichlet { alpha } => {
                let g: Vec<f64> = alpha
                    .iter()
                    .enumerate()
                    .map(|(j, a)| gamma_quantile(phi(z[k + j]), *a, 1.0).max(1e-300))
                    .collect();
                let s: f64 = g.iter().sum();
                for (j, x) in g.iter().enumerate() {
                    v[p.slot + j] = x / s;
                }
                k += alpha.len();
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    ps.recompute(&mut v).map_err(|(n, e)| format!("{n}: {e}"))?;
    Ok(v)
}

/// Log likelihood of the targets given the model's values of them.
fn log_likelihood(targets: &[Target], fitted: &[f64]) -> f64 {
    let mut ll = 0.0;
    for (t, f) in targets.iter().zip(fitted) {
        if !(f.is_finite() && *f > 0.0) || t.value <= 0.0 {
            return f64::NEG_INFINITY;
        }
        // The command refuses targets without an error; 5% only guards a library caller.
        let sd = t.observation_sd.unwrap_or(0.05);
        let r = (f / t.value).ln() / sd;
        ll -= 0.5 * r * r;
    }
    ll
}

/// A particle: its latent vector, log likelihood and model values of the targets.
#[derive(Debug, Clone)]
struct Particle {
    z: Vec<f64>,
    ll: f64,
    fitted: Vec<f64>,
}

/// Evaluates latent vector `z` (a failed projection has zero likelihood).
fn evaluate(model: &Model, layout: &[(usize, usize)], targets: &[Target], z: Vec<f64>) -> Particle {
    let fitted = values_of(model, layout, &z)
        .and_then(|v| cohort::project(model, &v))
        .map(|p| {
            targets
                .iter()
                .map(|t| t.measure.of(&p))
                .collect::<Vec<f64>>()
        });
    match fitted {
        Ok(fitted) => Particle {
            ll: log_likelihood(targets, &fitted),
            z,
            fitted,
        },
        Err(_) => Particle {
            ll: f64::NEG_INFINITY,
            z,
            fitted: vec![f64::NAN; targets.len()],
        },
    }
}

/// Effective sample size of log weights.
fn ess(logw: &[f64]) -> f64 {
    let m = logw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return 0.0;
    }
    let w: Vec<f64> = logw.iter().map(|l| (l - m).exp()).collect();
    let s: f64 = w.iter().sum();
    let s2: f64 = w.iter().map(|x| x * x).sum();
    s * s / s2
}

/// The next temperature: the largest step from `beta` (up to 1) that keeps the effective sample
/// size of the incremental weights at `target`, by bisection.
fn next_beta(particles: &[Particle], beta: f64, target: f64) -> f64 {
    let at = |b: f64| -> f64 {
        let lw: Vec<f64> = particles.iter().map(|p| (b - beta) * p.ll).collect();
        ess(&lw)
    };
    if at(1.0) >= target {
        return 1.0;
    }
    let (mut lo, mut hi) = (beta, 1.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if at(mid) >= target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo.max(beta + 1e-9).min(1.0)
}

/// Systematic resampling of `n` indices from log weights, with one uniform from `u`.
fn resample(logw: &[f64], n: usize, u: f64) -> Vec<usize> {
    let m = logw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = logw.iter().map(|l| (l - m).exp()).collect();
    let total: f64 = w.iter().sum();
    let mut out = Vec::with_capacity(n);
    let (mut i, mut cum) = (0, w[0] / total);
    for k in 0..n {
        let point = (k as f64 + u) / n as f64;
        while point > cum && i + 1 < w.len() {
            i += 1;
            cum += w[i] / total;
        }
        out.push(i);
    }
    out
}

/// Runs the sampler. `tick` is called once per model evaluation; once `stop` is set, evaluations
/// are skipped and `Ok(None)` is returned at the end of the pass under way.
pub fn sample(
    model: &Model,
    targets: &[Target],
    settings: &Settings,
    tick: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Posterior>, String> {
    let model = super::calibrate::truncated(model, targets);
    let layout = latent_layout(&model);
    if layout.is_empty() {
        return Err("no parameter has a distribution, so there is nothing to calibrate".into());
    }
    let n = settings.particles;
    let eval = |z: Vec<f64>| {
        if stop() {
            // Discarded: the pass ends with `Ok(None)`.
            return Particle {
                ll: f64::NEG_INFINITY,
                fitted: vec![f64::NAN; targets.len()],
                z,
            };
        }
        let p = evaluate(&model, &layout, targets, z);
        tick();
        p
    };
    let mut particles: Vec<Particle> = (0..n as u64)
        .into_par_iter()
        .map(|i| {
            let mut r = rng::stream(rng::run_seed(settings.seed, i), "posterior: prior draw");
            eval(
                (0..layout.len())
                    .map(|_| StandardNormal.sample(&mut r))
                    .collect(),
            )
        })
        .collect();
    let mut evaluations = n as u64;
    if stop() {
        return Ok(None);
    }
    if particles.iter().all(|p| !p.ll.is_finite()) {
        return Err(
            "no prior draw gives a finite likelihood: check the targets against the scenario"
                .into(),
        );
    }
    let mut beta = 0.0;
    let mut scale = 2.38 / (layout.len() as f64).sqrt();
    let mut stages = Vec::new();
    loop {
        let b = next_beta(&particles, beta, settings.ess_share * n as f64);
        let logw: Vec<f64> = particles.iter().map(|p| (b - beta) * p.ll).collect();
        let stage_ess = ess(&logw);
        let mut r = rng::stream(
            rng::run_seed(settings.seed, stages.len() as u64),
            "posterior: resample",
        );
        let picks = resample(&logw, n, r.random::<f64>());
        particles = picks.iter().map(|&i| particles[i].clone()).collect();
        beta = b;
        let shape = proposal_shape(&particles);
        let step = Step {
            beta,
            scale,
            shape: &shape,
        };
        let (moved, accepted) = move_all(&particles, settings, stages.len() as u64, &step, &eval);
        evaluations += (n * settings.moves) as u64;
        if stop() {
            return Ok(None);
        }
        particles = moved;
        let acceptance = accepted as f64 / (n * settings.moves) as f64;
        stages.push(Stage {
            beta,
            ess: stage_ess,
            acceptance,
            scale,
        });
        // Aim for about a quarter of moves accepted.
        scale = (scale * (acceptance / 0.25).clamp(0.5, 2.0)).clamp(0.01, 3.0);
        if beta >= 1.0 {
            let effective_sample_size = stage_ess;
            let mut distinct: Vec<&Vec<f64>> = particles.iter().map(|p| &p.z).collect();
            distinct.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            distinct.dedup();
            let draws = particles
                .iter()
                .map(|p| values_of(&model, &layout, &p.z))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Some(Posterior {
                distinct: distinct.len(),
                draws,
                fitted: particles.into_iter().map(|p| p.fitted).collect(),
                stages,
                effective_sample_size,
                evaluations,
            }));
        }
    }
}

/// One stage's random walk: the temperature, the step and the covariance factor.
struct Step<'a> {
    beta: f64,
    scale: f64,
    shape: &'a [Vec<f64>],
}

/// The lower Cholesky factor of the particles' covariance of `z` (summed in particle order),
/// with a small ridge so that a degenerate direction still moves; the identity if it fails.
fn proposal_shape(particles: &[Particle]) -> Vec<Vec<f64>> {
    let d = particles[0].z.len();
    let n = particles.len() as f64;
    let mut mean = vec![0.0; d];
    for p in particles {
        for (m, x) in mean.iter_mut().zip(&p.z) {
            *m += x / n;
        }
    }
    let mut cov = vec![vec![0.0; d]; d];
    for p in particles {
        for a in 0..d {
            let da = p.z[a] - mean[a];
            for b in 0..=a {
                cov[a][b] += da * (p.z[b] - mean[b]) / n;
            }
        }
    }
    for (a, row) in cov.iter_mut().enumerate() {
        row[a] += 1e-4;
    }
    cholesky(&cov).unwrap_or_else(|| {
        (0..d)
            .map(|a| (0..d).map(|b| f64::from(u8::from(a == b))).collect())
            .collect()
    })
}

/// Lower Cholesky factor of a symmetric matrix given by its lower triangle; `None` unless it is
/// positive definite.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let d = a.len();
    let mut l = vec![vec![0.0; d]; d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= 0.0 {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

/// `settings.moves` random-walk moves of every particle at the step's temperature:
/// (particles, accepted).
fn move_all(
    particles: &[Particle],
    settings: &Settings,
    stage: u64,
    step: &Step,
    eval: &(dyn Fn(Vec<f64>) -> Particle + Sync),
) -> (Vec<Particle>, usize) {
    let norm2 = |z: &[f64]| z.iter().map(|x| x * x).sum::<f64>();
    let results: Vec<(Particle, usize)> = particles
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let seed = rng::run_seed(rng::run_seed(settings.seed, stage), i as u64);
            let mut r = rng::stream(seed, "posterior: move");
            let mut cur = p.clone();
            let mut accepted = 0;
            for _ in 0..settings.moves {
                let xi: Vec<f64> = (0..cur.z.len())
                    .map(|_| StandardNormal.sample(&mut r))
                    .collect();
                let z: Vec<f64> = cur
                    .z
                    .iter()
                    .zip(step.shape)
                    .map(|(x, row)| {
                        let lx: f64 = row.iter().zip(&xi).map(|(l, e)| l * e).sum();
                        x + step.scale * lx
                    })
                    .collect();
                let u: f64 = r.random();
                let log_prior = -0.5 * (norm2(&z) - norm2(&cur.z));
                let prop = eval(z);
                if prop.ll.is_finite() && u.ln() < step.beta * (prop.ll - cur.ll) + log_prior {
                    cur = prop;
                    accepted += 1;
                }
            }
            (cur, accepted)
        })
        .collect();
    let accepted = results.iter().map(|r| r.1).sum();
    (results.into_iter().map(|r| r.0).collect(), accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_is_the_normal_cdf() {
        assert!((phi(0.0) - 0.5).abs() < 1e-12);
        assert!((phi(1.959_963_985) - 0.975).abs() < 1e-8);
        assert!((phi(-1.0) - 0.158_655_254).abs() < 1e-8);
    }

    #[test]
    fn cholesky_factors_a_covariance() {
        let a = vec![vec![4.0, 0.0], vec![2.0, 3.0]];
        let l = cholesky(&a).unwrap();
        assert!((l[0][0] - 2.0).abs() < 1e-12);
        assert!((l[1][0] - 1.0).abs() < 1e-12);
        assert!((l[1][1] - 2f64.sqrt()).abs() < 1e-12);
        assert!(cholesky(&[vec![1.0, 0.0], vec![2.0, 1.0]]).is_none());
    }

    #[test]
    fn systematic_resampling_follows_the_weights() {
        let logw = [0.0f64, (3.0f64).ln(), f64::NEG_INFINITY];
        let picks = resample(&logw, 8, 0.5);
        assert_eq!(picks.iter().filter(|&&i| i == 0).count(), 2);
        assert_eq!(picks.iter().filter(|&&i| i == 1).count(), 6);
        assert!((ess(&[0.0, 0.0, 0.0, 0.0]) - 4.0).abs() < 1e-12);
    }
}
