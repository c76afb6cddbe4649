//! What the cohort engine carries from month to month (`Mass`, the expected families and
//! children in every grid cell) and what it accumulates over a year (`YearAcc`).

use crate::engine::year_metrics::YearExtras;

/// The cells' number type: `f32`, with eight lanes to an AVX2 register (four for `f64`) and half
/// the bytes a cell, which made the baseline's projection about 1.4x as fast (BENCHMARKS.md).
/// Sums, flows and metrics are taken in `f64`.
pub type Real = f32;

/// Expected families and children in every cell, and the children among them whose family has
/// had a child protection plan (a marker that moves with its cell, for repeat plans).
#[derive(Debug, Clone)]
pub struct Mass {
    pub fam: Vec<Real>,
    pub ch: Vec<Real>,
    pub had_plan: Vec<Real>,
}

impl Mass {
    /// `n` empty cells.
    pub fn zeros(n: usize) -> Mass {
        Mass {
            fam: vec![0.0; n],
            ch: vec![0.0; n],
            had_plan: vec![0.0; n],
        }
    }

    /// Adds families `f`, children `c` and marked children `k` to cell `i`.
    #[inline]
    pub fn add(&mut self, i: usize, f: f64, c: f64, k: f64) {
        self.fam[i] += f as Real;
        self.ch[i] += c as Real;
        self.had_plan[i] += k as Real;
    }

    /// The three vectors (families, children, marked children), to treat alike.
    #[inline]
    pub fn parts(&self) -> [&Vec<Real>; 3] {
        [&self.fam, &self.ch, &self.had_plan]
    }

    /// Vector `i` of `parts`, mutably.
    #[inline]
    pub fn part_mut(&mut self, i: usize) -> &mut Vec<Real> {
        match i {
            0 => &mut self.fam,
            1 => &mut self.ch,
            _ => &mut self.had_plan,
        }
    }

    /// The three vectors, mutably.
    #[inline]
    pub fn parts_mut(&mut self) -> [&mut Vec<Real>; 3] {
        [&mut self.fam, &mut self.ch, &mut self.had_plan]
    }
}

/// Flows between states within a year (index `n_states` is outside the model).
#[derive(Debug, Clone)]
pub struct Flows {
    pub n: usize,
    pub children: Vec<f64>,
    pub families: Vec<f64>,
}

impl Flows {
    /// No flows between `n_states` states and the outside.
    pub fn new(n_states: usize) -> Flows {
        let n = n_states + 1;
        Flows {
            n,
            children: vec![0.0; n * n],
            families: vec![0.0; n * n],
        }
    }

    /// Adds a flow of `children` in `families` from state `from` to state `to`.
    #[inline]
    pub fn add(&mut self, from: usize, to: usize, children: f64, families: f64) {
        let k = from * self.n + to;
        self.children[k] += children;
        self.families[k] += families;
    }
}

/// What a year accumulates month by month.
#[derive(Debug, Clone)]
pub struct YearAcc {
    pub occ_ch: Vec<f64>,
    pub occ_fam: Vec<f64>,
    pub oneoff: [f64; 3],
    pub flows: Flows,
    pub extras: YearExtras,
}

impl YearAcc {
    /// An empty year for `n_states` states.
    pub fn new(n_states: usize) -> YearAcc {
        YearAcc {
            occ_ch: vec![0.0; n_states],
            occ_fam: vec![0.0; n_states],
            oneoff: [0.0; 3],
            flows: Flows::new(n_states),
            extras: YearExtras::default(),
        }
    }
}
