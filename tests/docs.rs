//! The project's own documentation (README.md, BENCHMARKS.md and docs/*.md) against the code and
//! the shipped files: every command shown parses, every repository path named exists and none
//! lies outside the repository, the README's first scenario runs as shown, and every figure the
//! docs quote from a shipped output equals a fresh run of it or the shipped file it comes from.

use assert_cmd::Command;
use clap::Parser;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn carecast() -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1");
    c
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A document with each line's indentation removed, so that a table inside a list item reads as
/// a table at the margin.
fn unindented(path: &str) -> String {
    read(path)
        .lines()
        .map(|l| l.trim_start().to_string() + "\n")
        .collect()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Every documentation file: the README, BENCHMARKS.md and each Markdown file in docs/.
fn doc_files() -> Vec<String> {
    let mut files = vec!["README.md".to_string(), "BENCHMARKS.md".to_string()];
    let mut docs: Vec<String> = fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// Whitespace runs (line breaks included) as single spaces, so phrases survive rewrapping.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The contents of the fenced code blocks, and the rest of the text with the blocks removed.
fn split_fences(text: &str) -> (Vec<String>, String) {
    let (mut blocks, mut prose, mut current) = (Vec::new(), String::new(), None::<String>);
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some(String::new()),
            }
        } else if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        } else {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    (blocks, prose)
}

/// Inline code spans (`...`, possibly across a line break) of text without fenced blocks.
fn code_spans(prose: &str) -> Vec<String> {
    prose.split('`').skip(1).step_by(2).map(collapse).collect()
}

/// Command lines shown in a document: lines of code blocks (joined at a trailing `\`) and inline
/// spans that start with `carecast `, or `cargo run ... -- ` followed by carecast's arguments.
fn commands(text: &str) -> Vec<String> {
    let (blocks, prose) = split_fences(text);
    let mut lines: Vec<String> = Vec::new();
    for block in blocks {
        let joined = block.replace("\\\n", " ");
        lines.extend(joined.lines().map(collapse));
    }
    lines.extend(code_spans(&prose));
    lines
        .into_iter()
        .filter_map(|l| {
            let l = l.replace("$S/", "scenarios/");
            if let Some(rest) = l.strip_prefix("cargo run ") {
                let (cargo, args) = rest.split_once("-- ")?;
                if cargo.contains("--example") || cargo.contains("--bin") {
                    return None;
                }
                Some(format!("carecast {args}"))
            } else if l.starts_with("carecast ") && !l.contains('<') {
                Some(l)
            } else {
                None
            }
        })
        .filter(|c| !c.starts_with("carecast ..."))
        .collect()
}

/// A synopsis's placeholder replaced by a value of its kind, so that the line can be parsed.
fn example_value(word: &str) -> Option<&'static str> {
    Some(match word {
        "SCENARIO" | "BASELINE" | "FILE" => "scenarios/baseline.json",
        "ALTERNATIVE" => "scenarios/squeeze.json",
        "SHARD_DIR" => "shards/baseline.shard-1-of-2",
        "DIR" | "OUTPUT_DIR" => "output/baseline",
        "N" | "BATCH" => "200",
        "K" => "2",
        "K/N" => "1/2",
        "S" => "1",
        "F" => "0.02",
        "T" => "2",
        "TOL" => "0.01",
        "W" => "800",
        "H" => "500",
        "NAME" => "example",
        "CHART" => "ratio",
        "M" => "total_spend",
        "Y" => "2025-26",
        "TARGETS.json" => "calibration/targets-2024-25.json",
        "p1,p2,..." => "need_resolve,fh_end",
        _ => return None,
    })
}

/// Words of a shell line: whitespace splits them except inside '...' or "...", which go.
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quote) = (Vec::new(), String::new(), None);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (None, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The arguments of a command line; a synopsis (`[--runs N]`, `mc|cohort`, `SCENARIO...`) is
/// turned into one concrete command that uses each option it shows.
fn argv(line: &str) -> Vec<String> {
    shell_words(&line.replace(['[', ']'], " "))
        .into_iter()
        .map(|t| {
            let t = t.split('|').next().unwrap();
            let t = t.strip_suffix("...").filter(|s| !s.is_empty()).unwrap_or(t);
            example_value(t).unwrap_or(t).to_string()
        })
        .collect()
}

#[test]
fn every_command_shown_in_the_docs_parses() {
    let mut seen = BTreeSet::new();
    let mut count = 0;
    for file in doc_files() {
        for line in commands(&read(&file)) {
            let mut args = argv(&line);
            if args.len() == 2 {
                // A subcommand named in prose: it must exist.
                args.push("--help".into());
            }
            let parsed = carecast::cli::Cli::try_parse_from(&args);
            if let Err(e) = parsed.as_ref().map(|_| ()).or_else(|e| match e.kind() {
                clap::error::ErrorKind::DisplayHelp => Ok(()),
                _ => Err(e),
            }) {
                panic!("{file}: `{line}` does not parse as {args:?}:\n{e}");
            }
            seen.insert(args[1].clone());
            count += 1;
        }
    }
    for sub in [
        "run",
        "merge",
        "validate",
        "chart",
        "compare",
        "report",
        "sensitivity",
        "calibrate",
    ] {
        assert!(seen.contains(sub), "no `carecast {sub}` in the docs");
    }
    assert!(count >= 25, "only {count} commands found in the docs");
}

/// A word that names a file or folder of this repository (`scenarios/baseline.json`).
fn repo_path(word: &str) -> Option<&str> {
    let w = word.trim_matches(|c: char| "\"'(),.:;".contains(c));
    let prefixes = [
        "scenarios/",
        "calibration/",
        "scripts/",
        "src/",
        "tests/",
        "docs/",
        "benches/",
        "examples/",
        "assets/",
        ".ci/",
    ];
    let templated = w.contains(['*', '<', '{', '$']);
    (!templated && prefixes.iter().any(|p| w.starts_with(p))).then_some(w)
}

#[test]
fn the_docs_name_only_files_inside_the_repository_and_each_exists() {
    let repo = root().canonicalize().unwrap();
    let mut checked = 0;
    for file in doc_files() {
        let text = read(&file);
        for outside in [
            "../shared",
            "MODEL.md",
            "/work/",
            "/tmp/",
            "/home/",
            "file://",
        ] {
            assert!(!text.contains(outside), "{file} names `{outside}`");
        }
        // Markdown links to files resolve inside the repository, from the document's folder.
        for link in text.split("](").skip(1) {
            let target = link.split(')').next().unwrap().split('#').next().unwrap();
            if target.is_empty() || target.starts_with("http") {
                continue;
            }
            let dir = root().join(&file).parent().unwrap().to_path_buf();
            let resolved = dir
                .join(target)
                .canonicalize()
                .unwrap_or_else(|_| panic!("{file}: the link `{target}` leads nowhere"));
            assert!(resolved.starts_with(&repo), "{file}: `{target}` is outside");
            checked += 1;
        }
        let (blocks, prose) = split_fences(&text);
        let spans = code_spans(&prose);
        let words: Vec<String> = blocks
            .iter()
            .chain(spans.iter())
            .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        for word in words {
            if let Some(path) = repo_path(&word) {
                assert!(root().join(path).exists(), "{file} names `{path}`: missing");
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} paths checked");
}

#[test]
fn the_readme_shows_the_test_command_that_ci_runs() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    let last = ci.lines().rfind(|l| l.starts_with("cargo ")).unwrap();
    assert_eq!(last, "cargo test --locked");
    assert!(
        readme.contains(&format!("\n{last}\n")),
        "README lacks `{last}`"
    );
}

#[test]
fn the_readmes_first_scenario_validates_compares_and_reports_as_shown() {
    let readme = read("README.md");
    let (blocks, _) = split_fences(&readme);
    let scenario = blocks
        .iter()
        .find(|b| b.contains("\"extends\""))
        .expect("a scenario in the README");
    let raw: Value = serde_json::from_str(scenario).unwrap();
    assert_eq!(raw["extends"], "scenarios/baseline.json");
    let name = raw["name"].as_str().unwrap();
    let file_name = format!("{name}.json");
    assert!(readme.contains(&format!("as `{file_name}`")));
    // The README saves the file in the repository's root; here it goes beside a copy of the path.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(&file_name);
    let abs = root().join("scenarios/baseline.json");
    let text = scenario.replace("scenarios/baseline.json", abs.to_str().unwrap());
    fs::write(&file, text).unwrap();
    carecast().arg("validate").arg(&file).assert().success();
    let out = tmp.path().join("output");
    carecast()
        .args(["compare", "--runs", "4", "--scale", "0.004", "--no-charts"])
        .arg(&abs)
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let folder = format!("baseline-vs-{name}");
    assert!(readme.contains(&format!("carecast report output/{folder}\n")));
    carecast()
        .arg("report")
        .arg(out.join(&folder))
        .assert()
        .success();
    for written in ["comparison.json", "deltas.csv", "report.md", "results.xlsx"] {
        assert!(out.join(&folder).join(written).exists(), "{written}");
        assert!(readme.contains(&format!("`{written}`")), "{written}");
    }
    let comparison = json(&out.join(&folder).join("comparison.json"));
    let extra = comparison["alternatives"][0]["extra_early_spend_gbp_m"]["p50"]
        .as_f64()
        .unwrap();
    assert!(
        (extra - 1500.0).abs() < 1e-6,
        "£500m a year for three years: {extra}"
    );
}

/// Whole number with thousands separators.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if x < 0.0 && digits != "0" {
        "\u{2212}"
    } else {
        ""
    };
    format!("{sign}{out}")
}

/// Year-2025-26 p50 of each metric of a baseline run cut to its first year (the first year of a
/// longer run is the same: every draw is keyed by run, family and month).
fn baseline_first_year_p50() -> Vec<(String, f64)> {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("baseline.json");
    let abs = root().join("scenarios/baseline.json");
    fs::write(
        &file,
        format!(
            "{{\"extends\": {:?}, \"horizon_years\": 1}}",
            abs.to_str().unwrap()
        ),
    )
    .unwrap();
    carecast()
        .arg("run")
        .arg(&file)
        .args(["--no-charts", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    let csv = fs::read_to_string(tmp.path().join("baseline/yearly.csv")).unwrap();
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[1] == "2025-26")
        .map(|r| (r[2].to_string(), r[6].parse().unwrap()))
        .collect()
}

#[test]
fn the_guides_baseline_fit_table_equals_a_fresh_run_and_the_targets_file() {
    let baseline = json(&root().join("scenarios/baseline.json"));
    let run = &baseline["run"];
    let targets = json(&root().join("calibration/targets-2024-25.json"));
    let early = baseline["policy"]["early_budget"]["base_gbp_m"]
        .as_f64()
        .unwrap();
    let mut rows: Vec<(String, f64)> = targets["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["metric"].as_str().unwrap().to_string(),
                t["value"].as_f64().unwrap(),
            )
        })
        .collect();
    let at = rows.iter().position(|r| r.0 == "late_spend").unwrap();
    let late = rows.remove(at);
    rows.push(("early_spend".into(), early));
    rows.push(late.clone());
    rows.push(("late_early_ratio".into(), late.1 / early));
    let p50 = baseline_first_year_p50();
    let mut table = String::from("| metric | target | p50 | error |\n|---|---|---|---|\n");
    let mut worst = 0.0f64;
    for (metric, target) in &rows {
        let got = p50.iter().find(|r| &r.0 == metric).unwrap().1;
        let error = got / target - 1.0;
        let (label, t, g) = match metric.as_str() {
            "late_early_ratio" => (metric.clone(), format!("{target:.2}"), format!("{got:.2}")),
            m if m.ends_with("_spend") => (format!("{m} (£m)"), thousands(*target), thousands(got)),
            m => (m.to_string(), thousands(*target), thousands(got)),
        };
        if !matches!(metric.as_str(), "referrals" | "cp_starts") {
            worst = worst.max(error.abs());
        }
        table.push_str(&format!(
            "| {label} | {t} | {g} | {:+.1}% |\n",
            error * 100.0
        ));
    }
    let guide = unindented("docs/guide.md");
    let heading = format!(
        "Baseline 2025-26 medians ({} runs, seed {}, scale {}) against the 2024-25 targets:",
        run["runs"], run["seed"], run["scale"]
    );
    assert!(guide.contains(&heading), "guide lacks: {heading}");
    assert!(
        guide.contains(&table),
        "docs/guide.md should hold:\n{table}"
    );
    // docs/model.md sums the table up in words.
    let model = collapse(&read("docs/model.md"));
    let bound = (worst * 200.0).ceil() / 2.0; // to the next half percent
    let phrase = format!("within {bound:.1}% of their targets");
    assert!(
        model.contains(&phrase),
        "docs/model.md should say `{phrase}`"
    );
}

/// The row scripts/policy-headline.sh prints for one measure of comparison.json.
fn headline_row(label: &str, s: &Value, f: fn(f64) -> String) -> String {
    let v = |k: &str| f(s[k].as_f64().unwrap());
    format!("| {label} | {} | {} to {} |", v("p50"), v("p5"), v("p95"))
}

fn money(x: f64) -> String {
    let t = thousands(x);
    match t.strip_prefix('\u{2212}') {
        Some(rest) => format!("\u{2212}£{rest}m"),
        None => format!("£{t}m"),
    }
}

#[test]
fn the_guides_policy_headline_equals_a_fresh_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    carecast()
        .args([
            "compare",
            "scenarios/no-families-first.json",
            "scenarios/current-policy.json",
            "--no-charts",
            "--name",
            "headline",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .success();
    let c = json(&tmp.path().join("headline/comparison.json"));
    let a = &c["alternatives"][0];
    let end = c["end_year"].as_str().unwrap();
    let last = a["children_in_care_change"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    let rows = [
        headline_row(
            &format!(
                "extra early spend, {} to {end}",
                c["start_year"].as_str().unwrap()
            ),
            &a["extra_early_spend_gbp_m"],
            money,
        ),
        headline_row("change in late spend", &a["late_spend_change_gbp_m"], money),
        headline_row(
            "net cost (negative = a saving)",
            &a["net_cost_gbp_m"],
            money,
        ),
        headline_row("net cost, present value", &a["net_cost_pv_gbp_m"], money),
        headline_row(
            "late spend avoided per £1 of extra early spend",
            &a["late_avoided_per_extra_early_gbp"],
            |x| format!("£{x:.2}"),
        ),
        headline_row(
            "care entries avoided (children kept out of care)",
            &a["children_kept_out_of_care"],
            thousands,
        ),
        headline_row(
            &format!(
                "change in children in care at the end of {}",
                last["year"].as_str().unwrap()
            ),
            last,
            thousands,
        ),
        format!(
            "| probability of a net saving by {end} | {:.0}% | |",
            a["probability_net_saving"].as_f64().unwrap() * 100.0
        ),
    ];
    let guide = unindented("docs/guide.md");
    let table = rows.join("\n");
    assert!(
        guide.contains(&table),
        "docs/guide.md should hold (scripts/policy-headline.sh prints it):\n{table}"
    );
    assert!(collapse(&guide).contains(&format!(
        "({} runs; `scripts/policy-headline.sh` prints this table)",
        c["runs"]
    )));
}

/// Quantile q of sorted values, interpolating between neighbours.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn the_docs_posterior_figures_equal_the_shipped_posterior() {
    let p = json(&root().join("calibration/history-2010.posterior.json"));
    let guide = unindented("docs/guide.md");
    let flat = collapse(&guide);
    let draws = p["draws"].as_array().unwrap();
    let run = format!(
        "({} cohort-engine evaluations, {} tempering stages, {:.0} s on this 2-core machine",
        thousands(p["evaluations"].as_f64().unwrap()),
        p["stages"].as_array().unwrap().len(),
        p["elapsed_seconds"].as_f64().unwrap()
    );
    let sample = format!(
        "effective sample size {} of {} draws, {} distinct",
        thousands(p["effective_sample_size"].as_f64().unwrap()),
        thousands(draws.len() as f64),
        thousands(p["distinct_draws"].as_f64().unwrap())
    );
    assert!(flat.contains(&run), "guide lacks: {run}");
    assert!(flat.contains(&sample), "guide lacks: {sample}");
    let benchmarks = collapse(&read("BENCHMARKS.md"));
    for want in [
        format!(
            "{} ({} stages)",
            thousands(p["evaluations"].as_f64().unwrap()),
            p["stages"].as_array().unwrap().len()
        ),
        format!("{:.0} s", p["elapsed_seconds"].as_f64().unwrap()),
        format!(
            "{} of {} ({} distinct draws)",
            thousands(p["effective_sample_size"].as_f64().unwrap()),
            thousands(draws.len() as f64),
            thousands(p["distinct_draws"].as_f64().unwrap())
        ),
    ] {
        assert!(benchmarks.contains(&want), "BENCHMARKS.md lacks: {want}");
    }

    let names: Vec<&str> = p["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let column = |name: &str| -> Vec<f64> {
        let i = names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("{name}"));
        draws.iter().map(|d| d[i].as_f64().unwrap()).collect()
    };
    let mut rr = column("family_help_rr");
    rr.sort_by(f64::total_cmp);
    let effect = format!(
        "(`family_help_rr`) at {:.2} (90% interval {:.2} to {:.2}; prior median {})",
        quantile(&rr, 0.5),
        quantile(&rr, 0.05),
        quantile(&rr, 0.95),
        p["priors"]["family_help_rr"]["median"]
    );
    assert!(flat.contains(&effect), "guide lacks: {effect}");

    // Each row of the correlation table is recomputed from the draws.
    let mut rows = 0;
    for line in guide.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((a, rest)) = rest.split_once("` and `") else {
            continue;
        };
        let (b, value) = rest.split_once("` | ").unwrap();
        let want = format!("{:+.2}", correlation(&column(a), &column(b)));
        assert_eq!(
            value.trim_end_matches(" |"),
            want,
            "correlation of {a} and {b}"
        );
        rows += 1;
    }
    assert!(rows >= 3, "only {rows} correlations in the guide");

    // The fit: the targets the posterior medians miss, and the rest in a sentence.
    let stocks = ["children_in_care", "cp_plans", "children_in_need"];
    let targets = p["targets"].as_array().unwrap();
    let mut misses =
        String::from("| target | year | DfE | posterior median | error |\n|---|---|---|---|---|\n");
    let (mut within, mut care) = (0, Vec::new());
    for t in targets {
        let metric = t["metric"].as_str().unwrap();
        let (observed, median) = (t["observed"].as_f64().unwrap(), t["p50"].as_f64().unwrap());
        let error = median / observed - 1.0;
        let tolerance = match metric {
            m if stocks.contains(&m) => 0.03,
            "late_early_ratio" => 0.10,
            _ => 0.06,
        };
        if metric == "children_in_care" {
            care.push(error);
        }
        if error.abs() <= tolerance {
            within += 1;
        } else {
            let show = |x: f64| match metric {
                "late_early_ratio" => format!("{x:.2}"),
                _ => thousands(x),
            };
            misses.push_str(&format!(
                "| {metric} | {} | {} | {} | {:+.1}% |\n",
                t["year"].as_str().unwrap(),
                show(observed),
                show(median),
                error * 100.0
            ));
        }
    }
    let ratio = targets
        .iter()
        .rfind(|t| t["metric"] == "late_early_ratio")
        .unwrap();
    let fit = format!(
        "children in care within {:+.1}% to {:+.1}% of DfE's count at every odd-year 31 March, and the late:early ratio at {:.2} in {} against {}. {within} of the {} targets have their posterior median within 3% (stocks), 6% (flows) or 10% (the ratio)",
        care.iter().cloned().fold(f64::INFINITY, f64::min) * 100.0,
        care.iter().cloned().fold(f64::NEG_INFINITY, f64::max) * 100.0,
        ratio["p50"].as_f64().unwrap(),
        ratio["year"].as_str().unwrap(),
        ratio["observed"],
        targets.len()
    );
    assert!(flat.contains(&fit), "guide lacks: {fit}");
    assert!(
        guide.contains(&misses),
        "docs/guide.md should hold:\n{misses}"
    );
}

#[test]
fn the_docs_quote_the_smallest_sensible_scale_the_check_computes() {
    use carecast::app::scale;
    let baseline = carecast::scenario::load_model(&root().join("scenarios/baseline.json")).unwrap();
    let b = scale::need(&baseline);
    let model = collapse(&read("docs/model.md"));
    let phrase = format!(
        "For the baseline that smallest scale is {}, set by child protection's 32,947 families",
        scale::round_up(b.smallest)
    );
    assert!(b.reason.contains("32,947 families"), "{}", b.reason);
    assert!(model.contains(&phrase), "docs/model.md lacks: {phrase}");
}

#[test]
fn the_readme_describes_the_baseline_run_as_the_scenario_sets_it() {
    let baseline = json(&root().join("scenarios/baseline.json"));
    let start = baseline["start_year"].as_i64().unwrap();
    let end = start + baseline["horizon_years"].as_i64().unwrap() - 1;
    let fy = |y: i64| format!("{y}-{:02}", (y + 1) % 100);
    let phrase = format!(
        "{} runs of {} to {}",
        baseline["run"]["runs"],
        fy(start),
        fy(end)
    );
    assert!(
        collapse(&read("README.md")).contains(&phrase),
        "README lacks: {phrase}"
    );
}

/// One cell of the README's interval table: "median (p5 to p95; width%)".
fn interval_cell(row: &[&str]) -> String {
    let (p5, p50, p95): (f64, f64, f64) = (
        row[5].parse().unwrap(),
        row[6].parse().unwrap(),
        row[7].parse().unwrap(),
    );
    format!(
        "{} ({} to {}; {:.0}%)",
        thousands(p50),
        thousands(p5),
        thousands(p95),
        100.0 * (p95 - p5) / p50
    )
}

#[test]
fn the_readmes_baseline_intervals_equal_fresh_runs() {
    // As scripts/baseline-intervals.sh prints them.
    let tmp = tempfile::tempdir().unwrap();
    let mut yearly = Vec::new();
    for s in ["baseline", "baseline-2025-stocks"] {
        carecast()
            .arg("run")
            .arg(root().join(format!("scenarios/{s}.json")))
            .args(["--no-charts", "--out"])
            .arg(tmp.path())
            .assert()
            .success();
        yearly.push(fs::read_to_string(tmp.path().join(format!("{s}/yearly.csv"))).unwrap());
    }
    let cell = |csv: &str, year: &str, metric: &str| {
        let line = csv
            .lines()
            .find(|l| {
                let r: Vec<&str> = l.split(',').collect();
                r[1] == year && r[2] == metric
            })
            .unwrap();
        interval_cell(&line.split(',').collect::<Vec<_>>())
    };
    let mut table = String::from(
        "| metric | year | continuing the history | from its own 2025 stocks and priors |\n|---|---|---|---|\n",
    );
    for (m, label) in [
        ("children_in_care", "children in care, 31 March"),
        ("cp_plans", "child protection plans, 31 March"),
        ("children_in_need", "children in need, 31 March"),
        ("care_entries", "care entries in the year"),
        ("late_spend", "late spend (£m)"),
    ] {
        for y in ["2025-26", "2034-35"] {
            table.push_str(&format!(
                "| {label} | {y} | {} | {} |\n",
                cell(&yearly[0], y, m),
                cell(&yearly[1], y, m)
            ));
        }
    }
    let readme = read("README.md");
    assert!(readme.contains(&table), "README.md should hold:\n{table}");
}
