#!/usr/bin/env bash
# Checks a Monte Carlo run of the history against its targets, as issue-style acceptance: for each
# target, the run's median against DfE's figure (within 3% for stocks, 6% for flows, 10% for the
# late:early ratio) and whether the figure lies inside the run's 90% interval; then the width of
# the 90% interval of children in care as a share of its median in every year.
# Usage: scripts/history-fit.sh [RESULT_DIR] [TARGETS]
#   RESULT_DIR defaults to output/history-2010 (from `carecast run scenarios/history-2010.json`).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - "${1:-output/history-2010}" "${2:-calibration/history-2010-2025.json}" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/yearly.csv")))
targets = json.load(open(sys.argv[2]))["targets"]
stocks = {"children_in_care", "cp_plans", "children_in_need"}
at = {(r["metric"], r["year"]): r for r in rows}
misses = []
for t in targets:
    r = at[(t["metric"], t["year"])]
    p5, p50, p95 = (float(r[k]) for k in ("p5", "p50", "p95"))
    tol = 0.10 if t["metric"] == "late_early_ratio" else 0.03 if t["metric"] in stocks else 0.06
    err = p50 / t["value"] - 1
    inside = p5 <= t["value"] <= p95
    if abs(err) > tol or not inside:
        misses.append((t["metric"], t["year"], t["value"], p50, err, inside))
print(f"{sys.argv[1]}: {len(targets) - len(misses)} of {len(targets)} targets have the median within "
      "3% (stocks), 6% (flows) or 10% (the ratio) and the figure inside the 90% interval")
print("| target | year | DfE | median | error | inside 90% |\n|---|---|---|---|---|---|")
for m, y, v, p50, err, inside in misses:
    fmt = (lambda x: f"{x:.2f}") if m == "late_early_ratio" else (lambda x: f"{x:,.0f}")
    print(f"| {m} | {y} | {fmt(v)} | {fmt(p50)} | {err * 100:+.1f}% | {'yes' if inside else 'no'} |")
cic = [r for r in rows if r["metric"] == "children_in_care"]
widths = [(float(r["p95"]) - float(r["p5"])) / float(r["p50"]) for r in cic]
print(f"90% interval of children in care: {min(widths) * 100:.1f}% to {max(widths) * 100:.1f}% of the median")
PY
