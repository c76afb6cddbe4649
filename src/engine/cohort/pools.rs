//! Destination pools of the cohort engine: states that every table row of a year enters in the
//! same fixed shares (as the care placements are, each entered in its `entry_placement` share).
//! A row's moves into a pool are added once, to the pool's entrants, and shared out among its
//! states when the month's entrants settle, instead of once for each of its states.

use super::grid::Grid;
use crate::engine::tables::{Tables, EXIT};
use crate::scenario::model::{Model, Role};

/// Rows enter a pool's states in its shares when every row's moves into each of them are its
/// share of the row's moves into the pool to this relative tolerance (the shares are products
/// of the same parameters, so they agree to rounding).
const TOLERANCE: f64 = 1e-12;

/// The pools of one year.
#[derive(Debug, Clone, Default)]
pub struct Pools {
    /// Pool of each state, if it is in one.
    pub of: Vec<Option<usize>>,
    /// Each pool's states with their shares (summing to one), and whether they are child
    /// protection plans (all or none of them are).
    pub members: Vec<(Vec<(usize, f64)>, bool)>,
}

/// Probabilities of each row's moves by destination state, one column a state (moves out of
/// the model and requests for family help, state `cap`, left out: they add nothing to
/// entrants).
fn columns(tables: &Tables, n: usize, cap: usize) -> Vec<Vec<f64>> {
    let mut cols = vec![vec![0.0; tables.rows.len()]; n];
    for (row, r) in tables.rows.iter().enumerate() {
        let mut prev = 0.0;
        for e in &tables.entries[r.start as usize..(r.start + r.len) as usize] {
            let p = e.cum - prev;
            prev = e.cum;
            if e.dest != EXIT && e.dest as usize != cap && p > 0.0 {
                cols[e.dest as usize][row] += p;
            }
        }
    }
    cols
}

/// Whether columns `a` and `b` (with sums `sa` and `sb`, both above zero) are proportional:
/// every row enters them in the shares of their sums.
fn proportional((a, sa): (&[f64], f64), (b, sb): (&[f64], f64)) -> bool {
    a.iter()
        .zip(b)
        .all(|(&x, &y)| (x * sb - y * sa).abs() <= TOLERANCE * (x * sb + y * sa))
}

/// The pools of the year of `tables`: states of the same number of age cells, all plans or
/// none, that every row enters in fixed shares, each pool as large as it can be made.
pub fn find(model: &Model, grid: &Grid, tables: &Tables) -> Pools {
    let n = model.states.len();
    let cols = columns(tables, n, model.capacity_state);
    let sums: Vec<f64> = cols.iter().map(|c| c.iter().sum()).collect();
    let is_plan = |s: usize| model.states[s].role == Role::ChildProtection;
    let mut pools = Pools {
        of: vec![None; n],
        members: Vec::new(),
    };
    for a in 0..n {
        if pools.of[a].is_some() || sums[a] <= 0.0 {
            continue;
        }
        let mut states = vec![a];
        for b in a + 1..n {
            let alike = grid.states[b].n_age == grid.states[a].n_age && is_plan(b) == is_plan(a);
            if alike
                && pools.of[b].is_none()
                && sums[b] > 0.0
                && proportional((&cols[a], sums[a]), (&cols[b], sums[b]))
            {
                states.push(b);
            }
        }
        if states.len() < 2 {
            continue;
        }
        let total: f64 = states.iter().map(|&t| sums[t]).sum();
        for &t in &states {
            pools.of[t] = Some(pools.members.len());
        }
        let shares = states.iter().map(|&t| (t, sums[t] / total)).collect();
        pools.members.push((shares, is_plan(a)));
    }
    pools
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_pools_the_four_care_placements_in_their_entry_shares() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.json");
        let model = crate::scenario::load_model(path.as_ref()).expect("baseline loads");
        let values = model.params.draw(11).expect("parameters draw");
        let grid = Grid::new(&model);
        let tables = Tables::build(&model, &values, 2).expect("tables build");
        let pools = find(&model, &grid, &tables);
        let care: Vec<usize> = [
            "care_kinship",
            "care_foster",
            "care_residential",
            "care_other",
        ]
        .iter()
        .map(|n| {
            model
                .states
                .iter()
                .position(|s| s.name == *n)
                .expect("state")
        })
        .collect();
        assert_eq!(pools.members.len(), 1);
        let (members, plan) = &pools.members[0];
        assert!(!plan);
        assert_eq!(members.iter().map(|m| m.0).collect::<Vec<_>>(), care);
        let total: f64 = members.iter().map(|m| m.1).sum();
        assert!((total - 1.0).abs() < 1e-12);
        // Every row's move into each placement is its share of the row's move into care.
        let cols = columns(&tables, model.states.len(), model.capacity_state);
        let rows = (0..tables.rows.len()).map(|row| care.iter().map(move |&t| (t, row)));
        for row in rows {
            let p: f64 = row.clone().map(|(t, r)| cols[t][r]).sum();
            for ((t, r), &(m, w)) in row.zip(members) {
                assert_eq!(t, m);
                assert!((cols[t][r] - w * p).abs() <= 1e-12 * p);
            }
        }
        // A pool needs every row to agree: a row entering one placement alone breaks it.
        let (a, b) = (care[0], care[1]);
        let (sa, sb) = (cols[a].iter().sum(), cols[b].iter().sum());
        assert!(proportional((&cols[a], sa), (&cols[b], sb)));
        let mut broken = cols[a].clone();
        broken[0] += 0.01;
        assert!(!proportional((&broken, sa + 0.01), (&cols[b], sb)));
    }
}
