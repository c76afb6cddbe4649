#!/usr/bin/env bash
# The user guide's headline for the policy in force: compares no-families-first with current-policy
# (the scenarios' own runs, seed and scale) and prints the table quoted in docs/guide.md, medians
# with 90% intervals from comparison.json. Usage: scripts/policy-headline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
target/release/carecast compare scenarios/no-families-first.json scenarios/current-policy.json \
  --no-charts --out "$out" --name headline 2>/dev/null
python3 - "$out/headline/comparison.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
a = c["alternatives"][0]
def m(x): return ("\u2212" if x < 0 else "") + f"£{abs(x):,.0f}m"
def n(x): return ("\u2212" if x < 0 else "") + f"{abs(x):,.0f}"
def p(x): return f"£{x:.2f}"
def row(label, s, f): print(f"| {label} | {f(s['p50'])} | {f(s['p5'])} to {f(s['p95'])} |")
print(f"Runs {c['runs']}, seed {c['seed']}, scale {c['scale']}, {c['start_year']} to {c['end_year']}, £ at {c['price_base']} prices.\n")
print("| measure (current-policy minus no-families-first) | median | 90% interval |\n|---|---|---|")
row("extra early spend, 2025-26 to 2034-35", a["extra_early_spend_gbp_m"], m)
row("change in late spend", a["late_spend_change_gbp_m"], m)
row("net cost (negative = a saving)", a["net_cost_gbp_m"], m)
row("net cost, present value", a["net_cost_pv_gbp_m"], m)
row("late spend avoided per £1 of extra early spend", a["late_avoided_per_extra_early_gbp"], p)
row("care entries avoided (children kept out of care)", a["children_kept_out_of_care"], n)
last = a["children_in_care_change"][-1] if isinstance(a["children_in_care_change"], list) else None
if last: row(f"change in children in care at the end of {last.get('year', c['end_year'])}", last, n)
print(f"| probability of a net saving by {c['end_year']} | {a['probability_net_saving']:.0%} | |")
PY
