//! `omnistack matrix`: every format prints the combinations the library computes.
//!
//! Expectations come from `omnistack::matrix` rather than literals, so these tests keep holding
//! as modules are added to the catalogue.

use assert_cmd::Command;
use omnistack::catalogue::Catalogue;
use omnistack::matrix::{self, Combination, Strategy};
use serde_json::Value;

fn omnistack() -> Command {
    Command::cargo_bin("omnistack").unwrap()
}

fn stdout(args: &[&str]) -> String {
    let output = omnistack().arg("matrix").args(args).assert().success();
    String::from_utf8(output.get_output().stdout.clone()).unwrap()
}

fn expected(strategy: Strategy, include_non_code: bool) -> Vec<Combination> {
    matrix::combinations(&Catalogue::embedded().unwrap(), strategy, include_non_code)
}

#[test]
fn lines_print_one_combination_per_line_as_new_flags() {
    let lines: Vec<String> = stdout(&["--strategy", "all", "--format", "lines"])
        .lines()
        .map(str::to_string)
        .collect();
    let flags: Vec<String> = expected(Strategy::All, false)
        .iter()
        .map(Combination::flags)
        .collect();
    assert_eq!(lines, flags);
}

#[test]
fn lines_name_every_code_module_on_every_line() {
    let catalogue = Catalogue::embedded().unwrap();
    for line in stdout(&[]).lines() {
        for module in matrix::options(&catalogue, false) {
            assert!(line.contains(&format!("--{} ", module.name)), "{line}");
        }
    }
}

#[test]
fn the_default_strategy_is_pairwise() {
    let lines = stdout(&[]).lines().count();
    assert_eq!(lines, expected(Strategy::Pairwise, false).len());
}

#[test]
fn include_non_code_adds_the_non_code_modules() {
    let catalogue = Catalogue::embedded().unwrap();
    let first = stdout(&["--include-non-code"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    for module in &catalogue.modules {
        assert!(first.contains(&format!("--{} ", module.name)), "{first}");
    }
}

#[test]
fn count_prints_only_the_number_of_combinations() {
    for strategy in Strategy::ALL {
        let printed = stdout(&["--strategy", strategy.name(), "--count"]);
        assert_eq!(printed, format!("{}\n", expected(strategy, false).len()));
    }
}

#[test]
fn json_is_an_array_of_ids_flags_and_modules() {
    let json: Value =
        serde_json::from_str(&stdout(&["--strategy", "each", "--format", "json"])).unwrap();
    let expected = expected(Strategy::Each, false);
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), expected.len());
    for (item, combo) in items.iter().zip(&expected) {
        assert_eq!(item["id"], combo.id.as_str());
        assert_eq!(item["flags"], combo.flags());
        for (module, providers) in &combo.modules {
            assert_eq!(item["modules"][module], serde_json::json!(providers));
        }
    }
}

#[test]
fn github_splits_the_jobs_into_shards_of_the_shard_size() {
    let printed = stdout(&[
        "--strategy",
        "all",
        "--format",
        "github",
        "--shard-size",
        "1",
    ]);
    assert_eq!(printed.lines().count(), 1, "one line, for $GITHUB_OUTPUT");
    let json: Value = serde_json::from_str(&printed).unwrap();
    let shards = json["shards"].as_array().unwrap();
    let expected = expected(Strategy::All, false);
    assert_eq!(shards.len(), expected.len());
    for (shard, combo) in shards.iter().zip(&expected) {
        assert_eq!(
            shard["include"],
            serde_json::json!([{ "id": combo.id, "flags": combo.flags() }])
        );
    }
}

#[test]
fn github_puts_everything_in_one_shard_by_default() {
    let json: Value = serde_json::from_str(&stdout(&["--format", "github"])).unwrap();
    let shards = json["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 1);
    assert_eq!(
        shards[0]["include"].as_array().unwrap().len(),
        expected(Strategy::Pairwise, false).len()
    );
}

#[test]
fn a_shard_size_above_githubs_limit_is_refused() {
    omnistack()
        .args(["matrix", "--format", "github", "--shard-size", "257"])
        .assert()
        .failure();
}

#[test]
fn an_unknown_strategy_is_refused() {
    omnistack()
        .args(["matrix", "--strategy", "random"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("pairwise"));
}
