#!/usr/bin/env bash
# Prints the strongest posterior correlations between calibrated parameters (the trade-offs the
# data cannot settle) and how far each moved from its prior, from a posterior.json.
# Usage: scripts/posterior-correlations.sh [calibration/history-2010.posterior.json] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - "${1:-calibration/history-2010.posterior.json}" "${2:-8}" <<'PY'
import json, sys, math
d = json.load(open(sys.argv[1])); top = int(sys.argv[2])
names, draws, priors = d["parameters"], d["draws"], d["priors"]
cols = [i for i, n in enumerate(names) if n.split(".")[0] in priors]
def col(i): return [r[i] for r in draws]
def mean(x): return sum(x) / len(x)
def sd(x):
    m = mean(x); return math.sqrt(sum((v - m) ** 2 for v in x) / (len(x) - 1))
def corr(a, b):
    ma, mb, sa, sb = mean(a), mean(b), sd(a), sd(b)
    if sa == 0 or sb == 0: return 0.0
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / ((len(a) - 1) * sa * sb)
pairs = []
for k, i in enumerate(cols):
    for j in cols[k + 1:]:
        if names[i].split(".")[0] == names[j].split(".")[0]: continue
        pairs.append((corr(col(i), col(j)), names[i], names[j]))
pairs.sort(key=lambda p: -abs(p[0]))
print(f"{sys.argv[1]}: {len(draws)} draws, effective sample size {d['effective_sample_size']:.0f}")
print("| parameters | posterior correlation |\n|---|---|")
for c, a, b in pairs[:top]: print(f"| `{a}` and `{b}` | {c:+.2f} |")
PY
