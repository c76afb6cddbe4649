//! The corpus of bad scenario files in tests/fixtures/bad/: each must be refused by both
//! `validate` and `run` with exit code 2, a message naming the file, the JSON path and a `fix:`,
//! no panic, and nothing written.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::fs;

/// Each bad file, the JSON path its message must name, and a phrase of the message.
const BAD: &[(&str, &str, &str)] = &[
    // Not JSON, or not a scenario object.
    ("malformed_json.json", "$", "not valid JSON"),
    ("empty.json", "$", "the file is empty"),
    ("binary.json", "$", "not UTF-8"),
    ("bom.json", "$", "byte-order mark"),
    ("deeply_nested.json", "$", "nested too deeply"),
    ("huge_number.json", "$", "too large"),
    ("top_level_array.json", "$", "must be a JSON object"),
    ("duplicate_key.json", "$.horizon_years", "appears twice"),
    // Wrong fields and types.
    (
        "unknown_field.json",
        "$.horizon_yaers",
        "did you mean `horizon_years`",
    ),
    ("wrong_type.json", "$.horizon_years", "invalid type"),
    (
        "negative_horizon.json",
        "$.horizon_years",
        "invalid value: integer `-5`",
    ),
    ("missing_policy.json", "$", "missing field `policy`"),
    ("empty_label.json", "$.label", "`label` is empty"),
    (
        "long_label.json",
        "$.label",
        "at most 36 fit a chart legend",
    ),
    // An override replaces the inherited definition whole: nothing of it survives silently.
    (
        "mixed_distribution.json",
        "$.parameters.family_help_rr.value",
        "mixes two distributions",
    ),
    (
        "impossible_fixed_probability.json",
        "$.transitions[4].p (inherited from",
        "probability 1.5 is outside 0 to 1 (from parameters: need_resolve)",
    ),
    (
        "override_without_provenance.json",
        "$.parameters.family_help_rr",
        "has no `source` or `assumption`",
    ),
    (
        "path_out_of_range_later.json",
        "$.transitions[",
        "in 2029-30 at central values: probability 1.134 is outside 0 to 1",
    ),
    (
        "path_in_real_growth.json",
        "$.states.care_residential.monthly_cost.real_growth",
        "changes from year to year (a time path), but this value is read once",
    ),
    (
        "cost_without_per.json",
        "$.states.care_residential.monthly_cost",
        "missing field `per`",
    ),
    // extends.
    ("cycle_a.json", "$.extends", "forms a cycle"),
    ("cycle_b.json", "$.extends", "forms a cycle"),
    (
        "missing_extends.json",
        "$.extends",
        "cannot read scenario file",
    ),
    ("extends_not_string.json", "$.extends", "must be a string"),
    ("extends_directory.json", "$.extends", "is not a file"),
    // Names.
    (
        "unknown_state.json",
        "$.states.care_foster.age_out.to",
        "did you mean `care_leaver`",
    ),
    (
        "unknown_group.json",
        "$.initial.care_foster.group_shares.hihg",
        "did you mean `high`",
    ),
    (
        "unknown_parameter.json",
        "$.parameters.cin_close.expr",
        "did you mean `cin_close`",
    ),
    (
        "unknown_rule.json",
        "$.policy.rule",
        "did you mean `total_set`",
    ),
    (
        "unknown_distribution.json",
        "$.parameters.fh_end.dist",
        "did you mean `beta`",
    ),
    (
        "name_escapes_output.json",
        "$.name",
        "cannot be used as a folder name",
    ),
    (
        "empty_name.json",
        "$.name",
        "cannot be used as a folder name",
    ),
    (
        "transition_to_itself.json",
        "$.transitions[0].to",
        "to itself",
    ),
    (
        "children_key_zero.json",
        "$.initial.care_foster.children_per_family.0",
        "from 1 to 12",
    ),
    // Provenance.
    (
        "missing_source.json",
        "$.parameters.new_param",
        "no `source` or `assumption`",
    ),
    (
        "source_and_assumption.json",
        "$.parameters.fh_end",
        "has both `source` and `assumption`",
    ),
    // Probabilities.
    (
        "probability_above_one.json",
        "$.transitions[4].p",
        "outside 0 to 1",
    ),
    (
        "negative_probability.json",
        "$.transitions[4].p",
        "probability -0.1 is outside 0 to 1",
    ),
    (
        "probabilities_sum_above_one.json",
        "$.transitions[0]",
        "sum to 1.09",
    ),
    (
        "probability_draws_outside.json",
        "$.transitions[4].p",
        "of the first 200 parameter draws",
    ),
    // Distributions.
    (
        "impossible_beta.json",
        "$.parameters.fh_end.sd",
        "impossible for a beta",
    ),
    (
        "beta_mean_above_one.json",
        "$.parameters.fh_end.mean",
        "strictly between 0 and 1",
    ),
    (
        "lognormal_negative_median.json",
        "$.parameters.family_help_rr.median",
        "must be above 0",
    ),
    (
        "gamma_zero_sd.json",
        "$.parameters.sw_cost_child_month.sd",
        "must be above 0",
    ),
    (
        "uniform_reversed.json",
        "$.parameters.u.max",
        "must exceed `min`",
    ),
    (
        "dirichlet_negative_share.json",
        "$.parameters.cp_exit_mix.shares",
        "shares must be positive",
    ),
    // Expressions.
    (
        "division_by_zero.json",
        "$.parameters.zero_div.expr",
        "division by zero",
    ),
    ("self_reference.json", "$.parameters.loop.expr", "cycle"),
    ("mutual_cycle.json", "$.parameters.a.expr", "cycle: a, b"),
    (
        "expression_syntax.json",
        "$.parameters.cin_close.expr",
        "cannot parse expression",
    ),
    (
        "unknown_function.json",
        "$.states.care_foster.monthly_cost.gbp",
        "unknown function `sqrt`",
    ),
    (
        "nan_cost.json",
        "$.states.care_residential.monthly_cost.gbp",
        "not a real number",
    ),
    (
        "infinite_expression.json",
        "$.states.care_foster.monthly_cost.gbp",
        "not a finite number",
    ),
    (
        "nested_expression.json",
        "$.states.care_foster.monthly_cost.gbp",
        "nested more than 64",
    ),
    // Money, counts and rates.
    (
        "negative_cost.json",
        "$.states.care_residential.monthly_cost.gbp",
        "is negative",
    ),
    (
        "absurd_cost.json",
        "$.states.care_foster.monthly_cost.gbp",
        "implausibly large",
    ),
    (
        "negative_budget.json",
        "$.policy.early_budget.base_gbp_m",
        "is negative",
    ),
    (
        "zero_early_budget.json",
        "$.policy.early_budget",
        "the early budget in 2025-26 is £0.0m",
    ),
    (
        "zero_family_help_cost.json",
        "$.states.family_help.monthly_cost.gbp",
        "not above 0",
    ),
    (
        "family_help_per_child.json",
        "$.states.family_help.monthly_cost",
        "cost per family",
    ),
    (
        "negative_inflow.json",
        "$.inflows[0].families_per_month",
        "-500 is outside 0",
    ),
    (
        "huge_population.json",
        "$.initial.care_foster.children",
        "1e12 is outside 0",
    ),
    (
        "trend_below_minus_one.json",
        "$.inflows[0].trend_per_year",
        "outside (-1, 1]",
    ),
    (
        "growth_below_minus_one.json",
        "$.states.care_foster.monthly_cost.real_growth",
        "outside (-1, 1]",
    ),
    (
        "universal_share_one.json",
        "$.policy.universal_share",
        "outside [0, 1)",
    ),
    (
        "discount_rate_half.json",
        "$.discount_rate",
        "outside 0 to 0.2",
    ),
    // Time and size.
    ("absurd_horizon.json", "$.horizon_years", "outside 1 to 60"),
    (
        "start_year_1066.json",
        "$.start_year",
        "outside 1990 to 2100",
    ),
    (
        "budget_year_outside.json",
        "$.policy.early_budget.index.2090-91",
        "outside the scenario's years",
    ),
    ("lag_too_long.json", "$.policy.lag_months", "over 120"),
    ("zero_runs.json", "$.run.runs", "0 runs"),
    ("absurd_runs.json", "$.run.runs", "outside 1 to 1000000"),
    ("scale_above_one.json", "$.run.scale", "outside (0, 1]"),
];

fn carecast() -> Command {
    let mut c = Command::cargo_bin("carecast").unwrap();
    c.env("CI", "1");
    c
}

#[test]
fn every_bad_file_is_rejected_by_validate_and_run_with_file_path_and_fix_and_writes_nothing() {
    for (file, path, phrase) in BAD {
        let full = format!("tests/fixtures/bad/{file}");
        for cmd in ["validate", "run"] {
            let out = tempfile::tempdir().unwrap();
            let mut c = carecast();
            c.arg(cmd).arg(&full);
            if cmd == "run" {
                c.arg("--out").arg(out.path().join("results"));
            }
            let output = c.output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).to_string();
            assert_eq!(output.status.code(), Some(2), "{cmd} {file}: {stderr}");
            assert!(
                !stderr.contains("panicked"),
                "{cmd} {file}: panic: {stderr}"
            );
            assert!(
                stderr.contains("tests/fixtures/bad/"),
                "{cmd} {file}: no file named in {stderr}"
            );
            assert!(
                stderr.contains(&format!("at {path}")),
                "{cmd} {file}: no path {path} in {stderr}"
            );
            assert!(
                stderr.contains(phrase),
                "{cmd} {file}: no `{phrase}` in {stderr}"
            );
            assert!(
                stderr.contains("\n  fix: "),
                "{cmd} {file}: no fix in {stderr}"
            );
            assert!(output.stdout.is_empty(), "{cmd} {file}: printed ok?");
            assert!(
                !out.path().join("results").exists(),
                "{cmd} {file}: output written"
            );
        }
    }
}

#[test]
fn the_table_covers_every_file_in_the_corpus_and_has_at_least_forty() {
    let on_disk: BTreeSet<String> = fs::read_dir("tests/fixtures/bad")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    let listed: BTreeSet<String> = BAD.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(listed.len(), BAD.len(), "a file is listed twice");
    assert_eq!(on_disk, listed, "fixtures and table differ");
    assert!(BAD.len() >= 40, "{} bad files", BAD.len());
}

#[test]
fn validate_reports_every_bad_file_named_together() {
    // Several files at once: each problem is reported, none hides another.
    let files = ["zero_runs.json", "negative_cost.json", "bom.json"];
    let output = carecast()
        .arg("validate")
        .args(files.iter().map(|f| format!("tests/fixtures/bad/{f}")))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for f in files {
        assert!(stderr.contains(f), "{f} not reported: {stderr}");
    }
}

#[test]
fn an_absurd_request_is_refused_before_anything_is_written() {
    let out = tempfile::tempdir().unwrap();
    let output = carecast()
        .args([
            "run",
            "scenarios/baseline.json",
            "--runs",
            "1000000",
            "--scale",
            "1",
            "--out",
        ])
        .arg(out.path().join("results"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("too large to start"), "{stderr}");
    assert!(stderr.contains("family-months"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(!out.path().join("results").exists());
}
