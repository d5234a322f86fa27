//! Properties of the covering strategies over random option sizes, and the matrix of a catalogue.

use std::collections::BTreeSet;

use proptest::prelude::{ProptestConfig, prop, prop_assert, prop_assert_eq, proptest};

use super::*;
use crate::catalogue::Contribution;

/// Between 1 and 6 options of 1 to 8 values each.
fn sizes() -> impl proptest::strategy::Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..=8, 1..=6)
}

/// Every (option i, value a, option j, value b) with `i < j` that `rows` does not contain.
fn uncovered_pairs(sizes: &[usize], rows: &[Vec<usize>]) -> Vec<(usize, usize, usize, usize)> {
    let seen: BTreeSet<(usize, usize, usize, usize)> = rows
        .iter()
        .flat_map(|row| {
            (0..row.len())
                .flat_map(move |i| (i + 1..row.len()).map(move |j| (i, row[i], j, row[j])))
        })
        .collect();
    let mut missing = Vec::new();
    for i in 0..sizes.len() {
        for j in i + 1..sizes.len() {
            for a in 0..sizes[i] {
                for b in 0..sizes[j] {
                    if !seen.contains(&(i, a, j, b)) {
                        missing.push((i, a, j, b));
                    }
                }
            }
        }
    }
    missing
}

/// Every (option, value) that `rows` does not contain.
fn unseen_values(sizes: &[usize], rows: &[Vec<usize>]) -> Vec<(usize, usize)> {
    sizes
        .iter()
        .enumerate()
        .flat_map(|(i, &size)| (0..size).map(move |a| (i, a)))
        .filter(|&(i, a)| !rows.iter().any(|row| row[i] == a))
        .collect()
}

fn in_range(sizes: &[usize], rows: &[Vec<usize>]) -> bool {
    rows.iter()
        .all(|row| row.len() == sizes.len() && row.iter().zip(sizes).all(|(v, s)| v < s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn pairwise_covers_every_pair_of_values(sizes in sizes()) {
        let rows = pairwise(&sizes);
        prop_assert!(in_range(&sizes, &rows));
        prop_assert_eq!(uncovered_pairs(&sizes, &rows), vec![]);
    }

    #[test]
    fn pairwise_covers_every_value(sizes in sizes()) {
        prop_assert_eq!(unseen_values(&sizes, &pairwise(&sizes)), vec![]);
    }

    #[test]
    fn pairwise_is_deterministic(sizes in sizes()) {
        prop_assert_eq!(pairwise(&sizes), pairwise(&sizes));
    }

    #[test]
    fn pairwise_is_never_larger_than_all(sizes in sizes()) {
        prop_assert!(pairwise(&sizes).len() <= cover::product(&sizes));
    }

    #[test]
    fn pairwise_never_repeats_a_row(sizes in sizes()) {
        let rows = pairwise(&sizes);
        let distinct: BTreeSet<&Vec<usize>> = rows.iter().collect();
        prop_assert_eq!(distinct.len(), rows.len());
    }

    #[test]
    fn each_covers_every_value(sizes in sizes()) {
        let rows = cover::each(&sizes);
        prop_assert!(in_range(&sizes, &rows));
        prop_assert_eq!(unseen_values(&sizes, &rows), vec![]);
    }

    #[test]
    fn each_has_as_many_rows_as_the_largest_option(sizes in sizes()) {
        prop_assert_eq!(cover::each(&sizes).len(), sizes.iter().copied().max().unwrap_or(1));
    }

    #[test]
    fn all_has_the_product_size_without_repeats(sizes in sizes()) {
        let rows = cover::all(&sizes);
        let distinct: BTreeSet<&Vec<usize>> = rows.iter().collect();
        prop_assert!(in_range(&sizes, &rows));
        prop_assert_eq!(rows.len(), cover::product(&sizes));
        prop_assert_eq!(distinct.len(), rows.len());
    }

    #[test]
    fn count_agrees_with_the_rows(sizes in sizes()) {
        for strategy in Strategy::ALL {
            prop_assert_eq!(strategy.count(&sizes), strategy.rows(&sizes).len());
        }
    }
}

fn module(
    name: &str,
    kind: Kind,
    optional: bool,
    providers: &[&str],
    affects_code: bool,
) -> Module {
    Module {
        affects_code,
        ..Module::fixture(name, kind, optional, providers)
    }
}

/// A catalogue shaped like the planned one: a required `one`, an optional `many`, a non-code module.
fn sample() -> Catalogue {
    Catalogue {
        base: Contribution::default(),
        base_parts: Vec::new(),
        crates: Default::default(),
        modules: vec![
            module("db", Kind::One, false, &["postgres", "serverless"], true),
            module("auth", Kind::One, true, &["clerk", "supabase"], true),
            module("ai", Kind::Many, true, &["anthropic", "openai"], true),
            module("deploy", Kind::Many, true, &["fly", "render"], false),
        ],
        features: Vec::new(),
        resource: Default::default(),
        example: Default::default(),
    }
}

#[test]
fn non_code_modules_are_left_out_by_default() {
    let catalogue = sample();
    let names = |include| -> Vec<String> {
        options(&catalogue, include)
            .iter()
            .map(|m| m.name.clone())
            .collect()
    };
    assert_eq!(names(false), ["db", "auth", "ai"]);
    assert_eq!(names(true), ["db", "auth", "ai", "deploy"]);
}

#[test]
fn all_combinations_of_the_sample_are_the_product_of_its_selections() {
    // db 2, auth 2 + none, ai 3 subsets + none.
    assert_eq!(
        combinations(&sample(), Strategy::All, false).len(),
        2 * 3 * 4
    );
}

#[test]
fn count_matches_the_combinations_built() {
    for strategy in Strategy::ALL {
        for include in [false, true] {
            assert_eq!(
                count(&sample(), strategy, include),
                combinations(&sample(), strategy, include).len()
            );
        }
    }
}

#[test]
fn flags_name_every_module_with_none_for_an_empty_choice() {
    let first = &combinations(&sample(), Strategy::All, true)[0];
    assert_eq!(
        first.flags(),
        "--db postgres --auth clerk --ai anthropic --deploy fly"
    );
    let last = combinations(&sample(), Strategy::All, true).pop().unwrap();
    assert_eq!(
        last.flags(),
        "--db serverless --auth none --ai none --deploy none"
    );
}

#[test]
fn many_modules_list_every_provider_of_a_subset() {
    let combos = combinations(&sample(), Strategy::All, false);
    assert!(
        combos
            .iter()
            .any(|c| c.flags().contains("--ai anthropic,openai"))
    );
}

#[test]
fn ids_are_padded_so_they_sort_as_numbers() {
    assert_eq!(id(0, 9), "c01");
    assert_eq!(id(9, 10), "c10");
    assert_eq!(id(4, 150), "c005");
}

#[test]
fn every_combination_has_a_valid_project_name() {
    let combo = &combinations(&sample(), Strategy::Pairwise, false)[0];
    assert_eq!(combo.project_name().as_str(), "combo-c01");
}

#[test]
fn answers_of_a_combination_give_left_out_modules_their_default() {
    let catalogue = sample();
    let combo = &combinations(&catalogue, Strategy::Each, false)[0];
    let answers = combo.answers(&catalogue).unwrap();
    assert_eq!(answers.providers("db"), ["postgres"]);
    assert!(answers.providers("deploy").is_empty());
}

#[test]
fn pairwise_on_the_sample_covers_every_pair_of_selections() {
    let catalogue = sample();
    let selections: Vec<Vec<Vec<String>>> = options(&catalogue, true)
        .iter()
        .map(|m| m.selections())
        .collect();
    let combos = combinations(&catalogue, Strategy::Pairwise, true);
    for i in 0..selections.len() {
        for j in i + 1..selections.len() {
            for a in &selections[i] {
                for b in &selections[j] {
                    assert!(
                        combos
                            .iter()
                            .any(|c| &c.modules[i].1 == a && &c.modules[j].1 == b),
                        "no combination has {a:?} with {b:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_embedded_combination_completes_into_answers() {
    let catalogue = Catalogue::embedded().unwrap();
    for strategy in Strategy::ALL {
        for combo in combinations(&catalogue, strategy, true) {
            let answers = combo.answers(&catalogue).unwrap();
            for (module, providers) in &combo.modules {
                assert_eq!(answers.providers(module), providers.as_slice());
            }
        }
    }
}

#[test]
fn embedded_pairwise_covers_every_value_of_every_code_module() {
    let catalogue = Catalogue::embedded().unwrap();
    let combos = combinations(&catalogue, Strategy::Pairwise, false);
    for module in options(&catalogue, false) {
        for selection in module.selections() {
            assert!(
                combos.iter().any(|c| c
                    .modules
                    .iter()
                    .any(|(m, p)| *m == module.name && *p == selection)),
                "{} = {selection:?} is never built",
                module.name
            );
        }
    }
}

/// The sample, with `ai` requiring `auth` (as paid features require users).
fn sample_with_requirement() -> Catalogue {
    let mut catalogue = sample();
    let ai = catalogue
        .modules
        .iter_mut()
        .find(|m| m.name == "ai")
        .unwrap();
    ai.requires = vec!["auth".to_string()];
    catalogue
}

fn row_holds(catalogue: &Catalogue, combination: &Combination) -> bool {
    let chosen = |name: &str| {
        combination
            .modules
            .iter()
            .any(|(m, providers)| m == name && !providers.is_empty())
    };
    catalogue
        .modules
        .iter()
        .filter(|m| chosen(&m.name))
        .all(|m| m.requires.iter().all(|r| chosen(r)))
}

#[test]
fn every_strategy_respects_requirements() {
    let catalogue = sample_with_requirement();
    for strategy in Strategy::ALL {
        let combinations = combinations(&catalogue, strategy, true);
        assert!(!combinations.is_empty());
        for combination in &combinations {
            assert!(
                row_holds(&catalogue, combination),
                "{strategy:?}: {}",
                combination.flags()
            );
        }
    }
}

#[test]
fn pairwise_with_requirements_still_covers_every_pair_a_valid_row_can_hold() {
    let catalogue = sample_with_requirement();
    let valid = combinations(&catalogue, Strategy::All, true);
    let pairwise = combinations(&catalogue, Strategy::Pairwise, true);
    let pairs = |rows: &[Combination]| -> BTreeSet<(String, String)> {
        rows.iter()
            .flat_map(|c| {
                let values: Vec<String> = c
                    .modules
                    .iter()
                    .map(|(m, p)| format!("{m}={}", p.join(",")))
                    .collect();
                let mut out = Vec::new();
                for i in 0..values.len() {
                    for j in i + 1..values.len() {
                        out.push((values[i].clone(), values[j].clone()));
                    }
                }
                out
            })
            .collect()
    };
    assert_eq!(pairs(&pairwise), pairs(&valid));
}

#[test]
fn each_with_requirements_still_covers_every_value_a_valid_row_can_hold() {
    let catalogue = sample_with_requirement();
    let values = |rows: &[Combination]| -> BTreeSet<(String, Vec<String>)> {
        rows.iter().flat_map(|c| c.modules.clone()).collect()
    };
    assert_eq!(
        values(&combinations(&catalogue, Strategy::Each, true)),
        values(&combinations(&catalogue, Strategy::All, true))
    );
}

#[test]
fn count_with_requirements_matches_the_combinations_built() {
    let catalogue = sample_with_requirement();
    for strategy in Strategy::ALL {
        assert_eq!(
            count(&catalogue, strategy, true),
            combinations(&catalogue, strategy, true).len(),
            "{strategy:?}"
        );
    }
}
