//! Tunnel states held as delay lines in the cohort engine. In a state tracked by months in state,
//! with no waiting flag and one age run, every cell of a run of months (a segment) stays with the
//! same probability `p`, so its families move diagonally, one month more in state and one month
//! older, scaled by `p`. A segment then needs only its per-age sum over its months (`Seg::r`, for
//! the moves out, occupancy, ageing out and the 31 March stocks) and the vector that leaves its
//! last month. Each vector entering a segment is kept, as it entered, in a ring as long as the
//! segment with the product of the stays since it entered, so the leaving vector is one scaled
//! read, and `r` moves on as `r'(a + 1) = p (r(a) - out(a)) + in'(a + 1)`: a pass a month for
//! the segment instead of one for each of its months. The last, absorbing month is a segment of
//! its own with no outflow; month 0 stays in the grid (arrivals and entrants are written there)
//! and is taken into the first segment at each step. The grid cells of later months are zero
//! while a state is held here; `lines::Lines` loads and unloads states as each year's runs allow.

use super::grid::Grid;
use super::mass::{Mass, Real};

/// Months `d0..d1` of one (state, group), moving alike.
#[derive(Debug, Clone)]
pub struct Seg {
    pub d0: usize,
    pub d1: usize,
    /// Offset of the segment's table row from the row of months 0 (this year's run holding it).
    pub dr: usize,
    /// Per-age sums over the segment's months (months 0 excluded between steps: the grid holds
    /// them).
    pub r: Mass,
    /// Next month's `r`, written here and then swapped in.
    spare: Mass,
    /// The vectors as they entered month `d0`, one slot of `n_age + d1 - d0 - 1` cells each:
    /// entry age `b` at `b + d1 - d0 - 1`, leaving room for initial families younger than their
    /// months in state. Empty for the absorbing month.
    ring: Mass,
    /// Product of the stays since each slot's vector entered.
    scale: Vec<f64>,
    /// Slot of month `d0`; month `d0 + j` is in slot `(head + j) % (d1 - d0)`.
    head: usize,
}

impl Seg {
    /// An empty segment of months `d0..d1` over `na` age cells (`last`: the absorbing month).
    pub(super) fn new((d0, d1, dr): (usize, usize, usize), na: usize, last: bool) -> Seg {
        let l = d1 - d0;
        let (cells, slots) = if last { (0, 0) } else { (l * (na + l - 1), l) };
        Seg {
            d0,
            d1,
            dr,
            r: Mass::zeros(na),
            spare: Mass::zeros(na),
            ring: Mass::zeros(cells),
            scale: vec![1.0; slots],
            head: 0,
        }
    }

    fn len(&self) -> usize {
        self.d1 - self.d0
    }

    /// Cells of a ring slot.
    fn width(&self) -> usize {
        self.r.fam.len() + self.len() - 1
    }

    /// The first month held here rather than in the grid.
    fn first(&self) -> usize {
        usize::from(self.d0 == 0)
    }

    /// Slot of month `d0 + j` and where its age 0 now sits in the ring.
    fn at(&self, j: usize) -> (usize, usize) {
        let slot = (self.head + j) % self.len();
        (slot, slot * self.width() + self.len() - 1 - j)
    }

    /// Takes the months-in-state vectors of the segment from the grid (`first()` on).
    pub(super) fn load(&mut self, grid: &Grid, m: &Mass, s: usize, g: usize) {
        let na = self.r.fam.len();
        for j in self.first()..self.len() {
            let v = grid.ages(s, g, self.d0 + j, 0);
            let absorbing = self.scale.is_empty();
            let at = if absorbing { 0 } else { self.at(j).1 };
            for ((r, ring), src) in self
                .r
                .parts_mut()
                .into_iter()
                .zip(self.ring.parts_mut())
                .zip(m.parts())
            {
                let src = &src[v..v + na];
                r.iter_mut().zip(src).for_each(|(x, y)| *x += y);
                if !absorbing {
                    ring[at..at + na].copy_from_slice(src);
                }
            }
        }
    }

    /// Writes the segment's cells back into the grid (`first()` on).
    pub(super) fn unload(&self, grid: &Grid, m: &mut Mass, s: usize, g: usize) {
        let na = self.r.fam.len();
        for j in self.first()..self.len() {
            let v = grid.ages(s, g, self.d0 + j, 0);
            for ((dst, r), ring) in m
                .parts_mut()
                .into_iter()
                .zip(self.r.parts())
                .zip(self.ring.parts())
            {
                let dst = &mut dst[v..v + na];
                if self.scale.is_empty() {
                    dst.copy_from_slice(r);
                } else {
                    let (slot, at) = self.at(j);
                    let c = self.scale[slot] as Real;
                    dst.iter_mut()
                        .zip(&ring[at..at + na])
                        .for_each(|(x, &y)| *x = c * y);
                }
            }
        }
    }

    /// Takes the month-0 vector (at `base` in `m`) into the first segment's newest slot and `r`.
    #[inline(always)]
    pub fn take_in(&mut self, m: &Mass, base: usize) {
        let na = self.r.fam.len();
        let (_, at) = self.at(0);
        let pad = self.len() - 1;
        for ((r, ring), src) in self
            .r
            .parts_mut()
            .into_iter()
            .zip(self.ring.parts_mut())
            .zip(m.parts())
        {
            let src = &src[base..base + na];
            ring[at - pad..at].fill(0.0);
            ring[at..at + na].copy_from_slice(src);
            r.iter_mut().zip(src).for_each(|(x, y)| *x += y);
        }
    }

    /// Moves the segment one month on with stay probability `p`: the families leaving its last
    /// month (after `p`) enter `next`, whose own month has already moved on. Ages below `live`
    /// move up a cell; the last age cell has aged out.
    #[inline(always)]
    pub fn advance(&mut self, p64: f64, live: usize, next: Option<&mut Seg>) {
        let p = p64 as Real;
        if self.scale.is_empty() {
            for (sp, r) in self.spare.parts_mut().into_iter().zip(self.r.parts()) {
                sp[0] = 0.0;
                sp[1..=live]
                    .iter_mut()
                    .zip(&r[..live])
                    .for_each(|(x, &y)| *x = p * y);
            }
        } else {
            let l = self.len();
            let (old, at) = self.at(l - 1);
            let c = self.scale[old] as Real;
            let mut next = next;
            for (i, ((sp, r), ring)) in self
                .spare
                .parts_mut()
                .into_iter()
                .zip(self.r.parts())
                .zip(self.ring.parts())
                .enumerate()
            {
                sp[0] = 0.0;
                let (sp, r, e) = (&mut sp[1..=live], &r[..live], &ring[at..at + live]);
                match next.as_deref_mut() {
                    Some(nx) => nx.enter(i, p, c, (r, e), sp),
                    None => leave_nowhere(p, c, (r, e), sp),
                }
            }
            self.scale.iter_mut().for_each(|x| *x *= p64);
            self.scale[old] = 1.0;
            self.head = old;
        }
        std::mem::swap(&mut self.r, &mut self.spare);
    }

    /// For part `i` (families, children, marked children) of the segment before this one: its
    /// next `r` (`sp`, from its `r` and leaving vector `c * e`, ages shifted by one) and the
    /// families leaving it into this segment's newest slot and `r`.
    #[inline(always)]
    fn enter(&mut self, i: usize, p: Real, c: Real, (r, e): (&[Real], &[Real]), sp: &mut [Real]) {
        let absorbing = self.scale.is_empty();
        let (at, pad) = if absorbing {
            (0, 0)
        } else {
            (self.at(0).1, self.len() - 1)
        };
        let nr = &mut self.r.part_mut(i)[1..];
        if absorbing {
            for (((x, n), &ri), &ei) in sp.iter_mut().zip(nr).zip(r).zip(e) {
                let o = c * ei;
                *x = p * (ri - o);
                *n += p * o;
            }
        } else {
            let slot = &mut self.ring.part_mut(i)[at - pad..at + 1 + r.len()];
            slot[..=pad].fill(0.0);
            let out = sp.iter_mut().zip(nr).zip(&mut slot[pad + 1..]);
            for (((x, n), s), (&ri, &ei)) in out.zip(r.iter().zip(e)) {
                let o = c * ei;
                let y = p * o;
                *x = p * (ri - o);
                *n += y;
                *s = y;
            }
        }
    }
}

/// A segment's next `r` where nothing follows it (not reached: the last month absorbs).
fn leave_nowhere(p: Real, c: Real, (r, e): (&[Real], &[Real]), sp: &mut [Real]) {
    for ((x, &ri), &ei) in sp.iter_mut().zip(r).zip(e) {
        *x = p * (ri - c * ei);
    }
}
