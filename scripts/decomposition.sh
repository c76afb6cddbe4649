#!/usr/bin/env bash
# The user guide's decomposition of the history's rise in late spend: runs `carecast decompose`
# on history-2010 and its eight driver files twice, with the Monte Carlo engine (the scenarios'
# own runs, seed and scale: the figures quoted) and with the cohort engine (the same parameter
# draws without the families' own randomness), and prints the table quoted in docs/guide.md:
# each part's median and 90% interval, its interval on the cohort engine, and the parameter
# whose draws it follows most closely there (the two strongest). Usage: scripts/decomposition.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
S=scenarios
drivers=()
for d in early-spend home-prices uasc referrals plans care-entries permanence unit-costs; do
  drivers+=("$S/history-2010-hold-$d.json")
done
for engine in mc cohort; do
  target/release/carecast decompose $S/history-2010.json "${drivers[@]}" --engine $engine \
    --no-charts --out "$out" --name $engine 2>/dev/null
done
python3 - "$out/mc/decomposition.json" "$out/cohort/decomposition.json" <<'PY'
import json, sys
mc, co = (json.load(open(f)) for f in sys.argv[1:3])
def m(x): return ("\u2212" if x < 0 else "") + f"£{abs(x):,.0f}m"
def iv(s): return f"{m(s['p5'])} to {m(s['p95'])}"
def top(u):
    def one(c):
        r = c["rank_correlation"]
        sign = "\u2212" if r < 0 else "+"
        return f"`{c['parameter']}` ({sign}{abs(r):.2f})"
    return ", ".join(one(c) for c in u[:2])
print(f"Runs {mc['runs']}, seed {mc['seed']}, scale {mc['scale']}, {mc['first_year']} to {mc['last_year']}, £ at {mc['price_base']} prices.\n")
print("| part | median | 90% interval | cohort engine: 90% interval | cohort engine: strongest parameters (rank correlation) |")
print("|---|---|---|---|---|")
print(f"| late spend in {mc['first_year']} | {m(mc['start_gbp_m']['p50'])} | {iv(mc['start_gbp_m'])} | {iv(co['start_gbp_m'])} | |")
for a, b in zip(mc["drivers"], co["drivers"]):
    s, c = a["late_spend_explained_gbp_m"], b["late_spend_explained_gbp_m"]
    print(f"| {a['label']} | {m(s['p50'])} | {iv(s)} | {iv(c)} | {top(b['uncertainty'])} |")
r, rc = mc["remainder_gbp_m"], co["remainder_gbp_m"]
print(f"| all else (the remainder) | {m(r['p50'])} | {iv(r)} | {iv(rc)} | {top(co['remainder_uncertainty'])} |")
print(f"| late spend in {mc['last_year']} | {m(mc['end_gbp_m']['p50'])} | {iv(mc['end_gbp_m'])} | {iv(co['end_gbp_m'])} | |")
t, tc = mc["change_gbp_m"], co["change_gbp_m"]
print(f"| change, {mc['first_year']} to {mc['last_year']} | {m(t['p50'])} | {iv(t)} | {iv(tc)} | {top(co['change_uncertainty'])} |")
PY
