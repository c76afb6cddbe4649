//! `carecast decompose` on the shipped history and its driver scenarios, in small runs: the parts
//! and the remainder add up to the change, each part is the base minus its driver run by run,
//! every scenario takes the base's parameter draws, the driver files change only what they hold,
//! the folder is replaced whole or not at all, and bad requests are refused with the file and
//! the fix.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The shipped driver scenarios, in the order the guide runs them.
const DRIVERS: [&str; 8] = [
    "early-spend",
    "home-prices",
    "uasc",
    "referrals",
    "plans",
    "care-entries",
    "permanence",
    "unit-costs",
];

fn carecast() -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1");
    c
}

fn history() -> PathBuf {
    fs::canonicalize("scenarios/history-2010.json").unwrap()
}

fn driver(name: &str) -> PathBuf {
    PathBuf::from(format!("scenarios/history-2010-hold-{name}.json"))
}

/// `carecast decompose history-2010 <files> --runs RUNS --scale 0.004 --out OUT` plus `extra`.
fn decompose(out: &Path, files: &[PathBuf], runs: &str, extra: &[&str]) -> Command {
    let mut c = carecast();
    c.arg("decompose")
        .arg("scenarios/history-2010.json")
        .args(files)
        .args(["--runs", runs, "--scale", "0.004", "--out"])
        .arg(out)
        .args(extra);
    c
}

fn all_drivers() -> Vec<PathBuf> {
    DRIVERS.iter().map(|d| driver(d)).collect()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// decomposition.csv as (kind, scenario, label, [mean, p5, p50, p95]).
fn rows(dir: &Path) -> Vec<(String, String, String, [f64; 4])> {
    let text = fs::read_to_string(dir.join("decomposition.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("kind,scenario,label,mean,p5,p50,p95"));
    lines
        .map(|l| {
            // Labels here hold no commas, so a plain split reads them.
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 7, "{l}");
            let v = |i: usize| f[i].parse::<f64>().unwrap();
            (
                f[0].to_string(),
                f[1].to_string(),
                f[2].to_string(),
                [v(3), v(4), v(5), v(6)],
            )
        })
        .collect()
}

/// The p50 of late spend in `year` of a scenario's yearly.csv.
fn late_spend(dir: &Path, year: &str) -> f64 {
    let text = fs::read_to_string(dir.join("yearly.csv")).unwrap();
    text.lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1] == year && f[2] == "late_spend").then(|| f[6].parse::<f64>().unwrap())
        })
        .unwrap()
}

#[test]
fn one_run_of_the_shipped_drivers_adds_up_and_each_part_is_the_base_minus_its_driver() {
    let dir = tempfile::tempdir().unwrap();
    decompose(dir.path(), &all_drivers(), "1", &["--format", "png"])
        .assert()
        .success();
    let root = dir.path().join("history-2010-decomposition");
    let r = rows(&root);
    let kinds: Vec<&str> = r.iter().map(|x| x.0.as_str()).collect();
    let mut expected = vec!["start"];
    expected.extend(["driver"; 8]);
    expected.extend(["remainder", "end", "total"]);
    assert_eq!(kinds, expected);
    // With one run, every summary is that run's value: the arithmetic holds exactly (to the
    // 0.1 the files round to).
    let p50 = |i: usize| r[i].3[2];
    let (start, end, total, remainder) = (p50(0), p50(10), p50(11), p50(9));
    assert!(
        (total - (end - start)).abs() < 0.15,
        "{total} vs {end} - {start}"
    );
    let parts: f64 = (1..9).map(p50).sum();
    assert!(
        (parts + remainder - total).abs() < 0.1 * 10.0,
        "parts {parts} + remainder {remainder} != change {total}"
    );
    let base_end = late_spend(&root.join("history-2010"), "2024-25");
    assert!((late_spend(&root.join("history-2010"), "2010-11") - start).abs() < 0.15);
    for (i, d) in DRIVERS.iter().enumerate() {
        let name = format!("history-2010-hold-{d}");
        assert_eq!(r[i + 1].1, name);
        let held = late_spend(&root.join(&name), "2024-25");
        assert!(
            (p50(i + 1) - (base_end - held)).abs() < 0.15,
            "{name}: part {} but base {base_end} minus held {held}",
            p50(i + 1)
        );
    }
    assert!(root.join("charts/waterfall.png").is_file());
    assert!(
        !root.join("charts/waterfall.svg").exists(),
        "--format png only"
    );
}

#[test]
fn every_driver_takes_the_bases_draws_and_leaves_the_first_year_alone() {
    let dir = tempfile::tempdir().unwrap();
    decompose(dir.path(), &all_drivers(), "4", &[])
        .assert()
        .success();
    let root = dir.path().join("history-2010-decomposition");
    let draws = |name: &str| json(&root.join(name).join("summary.json"))["parameter_draws"].clone();
    let base = draws("history-2010");
    assert!(base["sha256"].as_str().is_some_and(|s| s.len() == 64));
    let doc = json(&root.join("decomposition.json"));
    assert_eq!(doc["runs"], 4);
    assert_eq!(doc["seed"], 20_100_401);
    assert_eq!(doc["parameter_draws"]["sha256"], base["sha256"]);
    for (d, j) in DRIVERS.iter().zip(doc["drivers"].as_array().unwrap()) {
        let name = format!("history-2010-hold-{d}");
        let own = draws(&name);
        assert_eq!(own["sha256"], base["sha256"], "{name}");
        assert_eq!(
            own["parameters_from_posterior"], base["parameters_from_posterior"],
            "{name} takes every calibrated parameter from the posterior"
        );
        assert_eq!(j["calibrated_parameters_redefined"], Value::Array(vec![]));
        // Held at their 2010-11 values, the drivers leave 2010-11 alone exactly (same draws and
        // random numbers).
        let first = &j["first_year_difference_gbp_m"];
        for q in ["p5", "p50", "p95"] {
            assert_eq!(first[q], 0.0, "{name}: {first}");
        }
        let u = j["uncertainty"].as_array().unwrap();
        assert_eq!(u.len(), 5);
        let rho: Vec<f64> = u
            .iter()
            .map(|c| c["rank_correlation"].as_f64().unwrap().abs())
            .collect();
        assert!(rho.windows(2).all(|w| w[0] >= w[1]), "{rho:?}");
    }
    assert!(root.join("charts/waterfall.svg").is_file());
    assert!(root.join("charts/waterfall.png").is_file());
}

/// JSON paths at which two documents differ (objects compared key by key, anything else whole).
fn differences(a: &Value, b: &Value, path: &str, out: &mut BTreeSet<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                differences(va, vb, &format!("{path}.{k}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                differences(va, vb, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => {
            out.insert(path.to_string());
        }
        _ => {}
    }
}

#[test]
fn each_driver_file_differs_from_the_history_only_in_what_it_holds() {
    use carecast::scenario::load::load;
    let base = load(&history()).unwrap().merged;
    let text = [".name", ".label", ".description", ".notes"];
    let late_states = [
        "assessment",
        "child_in_need",
        "child_protection",
        "care_kinship",
        "care_foster",
        "care_other",
        "permanence",
        "care_leaver",
    ];
    for d in DRIVERS {
        let held = load(&driver(d)).unwrap().merged;
        let mut diff = BTreeSet::new();
        differences(&base, &held, "$", &mut diff);
        let mut allowed: Vec<String> = text.iter().map(|t| format!("${t}")).collect();
        let mut starts: Vec<String> = Vec::new();
        match d {
            "early-spend" => {
                starts.push("$.policy".into());
            }
            "home-prices" => {
                starts.push("$.states.care_residential.monthly_cost".into());
                allowed.push("$.parameters.resi_price_held".into());
            }
            "uasc" => {
                starts.push("$.parameters.uasc_level".into());
            }
            "unit-costs" => {
                for s in late_states {
                    starts.push(format!("$.states.{s}.monthly_cost"));
                }
                allowed.push("$.parameters.late_cost_held".into());
            }
            level => {
                let p = match level {
                    "referrals" => "referral_level",
                    "plans" => "cp_level",
                    "care-entries" => "care_entry_level",
                    _ => "permanence_level",
                };
                starts.push(format!("$.parameters.{p}"));
            }
        }
        let stray: Vec<&String> = diff
            .iter()
            .filter(|p| !allowed.contains(p) && !starts.iter().any(|s| p.starts_with(s.as_str())))
            .collect();
        assert!(stray.is_empty(), "{d}: unexpected changes {stray:?}");
        // And it changes every one of them.
        for want in allowed[text.len()..].iter().chain(&starts) {
            assert!(
                diff.iter().any(|p| p.starts_with(want.as_str())),
                "{d}: {want} is unchanged: {diff:?}"
            );
        }
    }
}

#[test]
fn the_folder_is_replaced_whole_by_a_new_decomposition_and_left_alone_by_a_refused_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("two");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("stale.txt"), "earlier").unwrap();
    let two = [driver("home-prices"), driver("uasc")];
    // Refused (another seed) before anything is written: the old folder stays as it was.
    let other = dir.path().join("other-seed.json");
    fs::write(
        &other,
        serde_json::json!({"extends": history(), "name": "other-seed", "run": {"seed": 7}})
            .to_string(),
    )
    .unwrap();
    decompose(
        dir.path(),
        &[two[0].clone(), other],
        "2",
        &["--name", "two"],
    )
    .assert()
    .code(2);
    assert!(root.join("stale.txt").is_file());
    decompose(dir.path(), &two, "2", &["--name", "two", "--no-charts"])
        .assert()
        .success();
    assert!(!root.join("stale.txt").exists(), "replaced whole");
    assert!(root.join("decomposition.csv").is_file());
    assert!(!root.join("charts").exists(), "--no-charts");
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "no staging folders left: {names:?}"
    );
}

/// Writes a scenario extending the history with `body` (JSON members) and returns its path.
fn extend_history(dir: &Path, name: &str, body: Value) -> PathBuf {
    let mut doc = serde_json::json!({"extends": history(), "name": name});
    doc.as_object_mut()
        .unwrap()
        .extend(body.as_object().unwrap().clone());
    let path = dir.join(format!("{name}.json"));
    fs::write(&path, doc.to_string()).unwrap();
    path
}

fn refused(out: &Path, files: &[PathBuf], extra: &[&str]) -> String {
    let a = decompose(out, files, "2", extra).assert().code(2);
    String::from_utf8_lossy(&a.get_output().stderr).to_string()
}

#[test]
fn drivers_that_do_not_share_the_bases_years_seed_or_draws_are_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed = extend_history(d, "seed", serde_json::json!({"run": {"seed": 5}}));
    let e = refused(d, &[seed], &[]);
    assert!(e.contains("seed.json") && e.contains("`run.seed` 5"), "{e}");
    assert!(e.contains("20100401"), "{e}");
    let priors = extend_history(d, "priors", serde_json::json!({"run": {"draws": null}}));
    let e = refused(d, &[priors], &[]);
    assert!(
        e.contains("priors.json") && e.contains("no draws file"),
        "{e}"
    );
    assert!(e.contains("run.draws"), "{e}");
    let short = extend_history(d, "short", serde_json::json!({"horizon_years": 16}));
    let e = refused(d, &[short], &[]);
    assert!(
        e.contains("short.json") && e.contains("horizon_years"),
        "{e}"
    );
    let total = extend_history(d, "total", serde_json::json!({}));
    let e = refused(d, &[total], &[]);
    assert!(e.contains("clashes with a row of decomposition.csv"), "{e}");
    let e = refused(d, &[driver("uasc"), driver("uasc")], &[]);
    assert!(e.contains("two scenarios are named"), "{e}");
    let e = refused(d, &[driver("uasc")], &["--name", "a/b"]);
    assert!(e.contains("--name"), "{e}");
    assert!(fs::read_dir(d).unwrap().all(|e| {
        let p = e.unwrap().path();
        p.extension().is_some_and(|x| x == "json")
    }));
}

#[test]
fn a_decomposition_without_drivers_is_a_usage_error_that_shows_an_example() {
    let a = carecast()
        .args(["decompose", "scenarios/history-2010.json"])
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(e.contains("<DRIVER>"), "{e}");
    let help = carecast().args(["decompose", "--help"]).assert().success();
    let h = String::from_utf8_lossy(&help.get_output().stdout).to_string();
    assert!(h.contains("history-2010-hold-home-prices.json"), "{h}");
    for d in DRIVERS {
        assert!(
            h.contains(&format!("history-2010-hold-{d}.json")),
            "{d}: {h}"
        );
    }
}

/// The guide's decomposition table (printed by `scripts/decomposition.sh`): part -> its cells.
fn guide_table() -> Vec<Vec<String>> {
    let guide = fs::read_to_string("docs/guide.md").unwrap();
    let start = guide
        .find("| part | median | 90% interval | cohort engine")
        .expect("the guide's decomposition table");
    guide[start..]
        .lines()
        .map(str::trim)
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn the_readme_quotes_the_guides_decomposition_table() {
    let readme: String = fs::read_to_string("README.md")
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let table = guide_table();
    let row = |part: &str| {
        table
            .iter()
            .find(|r| r[0] == part)
            .unwrap_or_else(|| panic!("no row {part} in {table:?}"))
            .clone()
    };
    // The guide's rows are the shipped drivers' labels, in the order the guide runs them.
    let labels: Vec<String> = DRIVERS
        .iter()
        .map(|d| json(&driver(d))["label"].as_str().unwrap().to_string())
        .collect();
    let parts: Vec<&String> = table[1..=DRIVERS.len()].iter().map(|r| &r[0]).collect();
    assert_eq!(parts, labels.iter().collect::<Vec<_>>());
    let interval = |r: &[String]| format!("{} (90% interval {})", r[1], r[2]);
    let change = row("change, 2010-11 to 2024-25");
    assert!(
        readme.contains(&interval(&change).replace(" (90%", " a year (90%")),
        "README lacks the change {change:?}"
    );
    let prices = row("Home prices");
    assert!(
        readme.contains(&format!("{} ({})", prices[1], prices[2])),
        "README lacks {prices:?}"
    );
    for part in ["Other unit costs", "UASC entries"] {
        assert!(readme.contains(&row(part)[1]), "README lacks {part}");
    }
    // The early-help part is the late spend the comparison with history-2010-protected avoids,
    // which the README quotes just before it.
    let early = row("Early-help cuts");
    assert!(
        readme.contains(&format!("lower by {}", early[1])),
        "{early:?}"
    );
    assert!(readme.contains(&format!("the same {}", early[1])));
}
