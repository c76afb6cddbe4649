#!/usr/bin/env bash
# The README's table of the baseline's 90% intervals: runs the baseline (which continues the
# calibrated history-2010 runs) and baseline-2025-stocks (the same baseline from its own 2025
# stocks and priors), each with its own runs, seed and scale, and prints each metric's median
# and 90% interval in 2025-26 and 2034-35, with the interval's width as a share of the median;
# then the width for plans at 31 March 2026 on the cohort engine (the same draws without the
# families' own randomness), the share of that interval which is parameter uncertainty.
# Usage: scripts/baseline-intervals.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in baseline baseline-2025-stocks; do
  target/release/carecast run "scenarios/$s.json" --no-charts --out "$out" >/dev/null 2>&1
done
target/release/carecast run scenarios/baseline.json --engine cohort --no-charts --out "$out/cohort" >/dev/null 2>&1
python3 - "$out" <<'PY'
import csv, sys
out = sys.argv[1]
def read(name):
    rows = csv.DictReader(open(f"{out}/{name}/yearly.csv"))
    return {(r["year"], r["metric"]): r for r in rows}
new, old = read("baseline"), read("baseline-2025-stocks")
metrics = [("children_in_care", "children in care, 31 March"), ("cp_plans", "child protection plans, 31 March"),
           ("children_in_need", "children in need, 31 March"), ("care_entries", "care entries in the year"),
           ("late_spend", "late spend (£m)")]
def cell(r):
    p5, p50, p95 = (float(r[k]) for k in ("p5", "p50", "p95"))
    return f"{p50:,.0f} ({p5:,.0f} to {p95:,.0f}; {100 * (p95 - p5) / p50:.0f}%)"
print("| metric | year | continuing the history | from its own 2025 stocks and priors |")
print("|---|---|---|---|")
for m, label in metrics:
    for y in ("2025-26", "2034-35"):
        print(f"| {label} | {y} | {cell(new[(y, m)])} | {cell(old[(y, m)])} |")
r = {(r["year"], r["metric"]): r for r in csv.DictReader(open(f"{out}/cohort/baseline/yearly.csv"))}[("2025-26", "cp_plans")]
print(f"plans at 31 March 2026 on the cohort engine: {cell(r)}")
PY
