#!/usr/bin/env bash
# Whole-run benchmarks: prints family-months per second, runs per second and peak memory (RSS)
# for the cases in BENCHMARKS.md. Usage: scripts/bench.sh [quick]
# Rates come from summary.json (family_months / elapsed_seconds); peak memory from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/carecast
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

case_run() { # label, then carecast run arguments
  local label=$1; shift
  /usr/bin/time -f "%M" -o "$out/rss" "$bin" run scenarios/baseline.json --no-charts --force --out "$out/r" "$@" 2>/dev/null
  python3 - "$label" "$out/r/baseline/summary.json" "$(cat "$out/rss")" <<'PY'
import json, sys
label, path, rss_kb = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = json.load(open(path))
fm, t, runs = s["family_months"], s["elapsed_seconds"], s["runs"]
print(f"{label:<44} {runs:>5} runs {t:>8.2f} s {fm/t/1e6:>8.1f} M family-months/s {runs/t:>8.2f} runs/s {rss_kb/1024:>7.0f} MiB peak")
PY
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
case_run "baseline --scale 1, 1 run, 1 thread" --scale 1 --runs 1 --threads 1
case_run "baseline --scale 1, 1 run, 2 threads" --scale 1 --runs 1 --threads 2
case_run "baseline --scale 0.1, 20 runs, 1 thread" --scale 0.1 --runs 20 --threads 1
case_run "baseline --scale 0.1, 20 runs, 2 threads" --scale 0.1 --runs 20 --threads 2
case_run "baseline --scale 0.1, 80 runs, 2 threads" --scale 0.1 --runs 80 --threads 2
if [[ "${1:-}" != quick ]]; then
  case_run "baseline --scale 0.1, 1000 runs, 2 threads" --scale 0.1 --runs 1000 --threads 2
fi
case_run "baseline --scale 0.02, 200 runs, 2 threads" --scale 0.02 --runs 200 --threads 2
# Peak memory against the number of runs: flat once the results store's 1 MiB is full.
case_run "baseline --scale 0.01, 200 runs, 2 threads" --scale 0.01 --runs 200 --threads 2
if [[ "${1:-}" != quick ]]; then
  case_run "baseline --scale 0.01, 4000 runs, 2 threads" --scale 0.01 --runs 4000 --threads 2
else
  case_run "baseline --scale 0.01, 800 runs, 2 threads" --scale 0.01 --runs 800 --threads 2
fi
# Built first and timed on its own, so that cargo's memory is not counted as the engine's.
cargo build --release --quiet --example cohort_bench
# 1,000 parameter draws (the issue's case), or 40 in the quick run.
draws=1000
if [[ "${1:-}" == quick ]]; then draws=40; fi
/usr/bin/time -f "%M" -o "$out/rss" target/release/examples/cohort_bench scenarios/baseline.json "$draws" 2 >"$out/cohort.txt" 2>&1 || true
echo "cohort engine: $(tail -3 "$out/cohort.txt" | tr '\n' ' ') peak $(( $(cat "$out/rss") / 1024 )) MiB"
