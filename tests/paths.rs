//! Time paths: a parameter that follows knots by financial year moves both engines' results
//! from the year it changes and not before, and a path that never moves runs exactly as a fixed
//! value.

use assert_cmd::Command;
use carecast::engine::cohort;
use serde_json::json;
use std::fs;
use std::path::{Path, PathBuf};

/// A scenario extending the baseline with `need_referral_high` defined as `def`.
fn write(dir: &Path, name: &str, def: serde_json::Value) -> PathBuf {
    let file = dir.join(format!("{name}.json"));
    let base = fs::canonicalize("scenarios/baseline.json").unwrap();
    let doc = json!({"extends": base, "name": name, "parameters": {"need_referral_high": def}});
    fs::write(&file, doc.to_string()).unwrap();
    file
}

/// `yearly.csv` rows by year, without the scenario column.
fn rows(out: &Path, name: &str) -> Vec<(String, String)> {
    fs::read_to_string(out.join(name).join("yearly.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.splitn(3, ',');
            f.next();
            (f.next().unwrap().to_string(), f.next().unwrap().to_string())
        })
        .collect()
}

#[test]
fn a_path_changes_results_from_the_year_after_its_first_knot_in_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = write(
        dir.path(),
        "fixed",
        json!({"value": 0.07, "assumption": "test"}),
    );
    let flat = write(
        dir.path(),
        "flat",
        json!({"path": {"2028-29": 0.07}, "assumption": "test"}),
    );
    let falling = write(
        dir.path(),
        "falling",
        json!({"path": {"2027-28": 0.07, "2030-31": 0.05}, "assumption": "test"}),
    );
    let out = dir.path().join("out");
    for engine in ["mc", "cohort"] {
        let o = Command::cargo_bin("carecast")
            .unwrap()
            .env("CI", "1")
            .arg("run")
            .args([&fixed, &flat, &falling])
            .args([
                "--runs",
                "3",
                "--scale",
                "0.004",
                "--no-charts",
                "--engine",
                engine,
                "--out",
            ])
            .arg(out.join(engine))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = out.join(engine);
        assert_eq!(
            rows(&out, "flat"),
            rows(&out, "fixed"),
            "{engine}: a flat path is a fixed value"
        );
        let (a, b) = (rows(&out, "fixed"), rows(&out, "falling"));
        let mut years: Vec<&str> = a.iter().map(|r| r.0.as_str()).collect();
        years.dedup();
        for year in years {
            let of = |rs: &[(String, String)]| -> Vec<String> {
                rs.iter()
                    .filter(|r| r.0 == year)
                    .map(|r| r.1.clone())
                    .collect()
            };
            let same = of(&a) == of(&b);
            assert_eq!(
                same,
                year <= "2027-28",
                "{engine} {year}: same results {same}"
            );
        }
    }
    // The cohort engine's referrals fall with the path and then hold.
    let model = carecast::scenario::load_model(&falling).unwrap();
    let start = cohort::start(&model, 0).unwrap();
    let central = model.params.central().unwrap();
    let p = cohort::project_from(&model, &central, start.as_ref()).unwrap();
    let referrals = carecast::results::metrics::idx::REFERRALS;
    let r: Vec<f64> = p.years.iter().map(|row| row[referrals]).collect();
    assert!(r[3] < r[2] && r[4] < r[3] && r[5] < r[4], "{r:?}");
}
