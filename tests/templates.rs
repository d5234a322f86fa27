//! Invariants of the rendered templates, checked for every combination of options, and
//! snapshots of the presets in `examples/`.

use std::collections::BTreeMap;
use std::path::Path;

use omnistack::answers::{Answers, AnswersFile, Choices};
use omnistack::catalogue::Catalogue;
use omnistack::commands::new::render_answers;
use omnistack::name::ProjectName;
use omnistack::render::RenderedTree;

fn catalogue() -> Catalogue {
    Catalogue::embedded().expect("the embedded catalogue is consistent")
}

/// Every combination of every module's selections (the `all` strategy).
fn every_combination(catalogue: &Catalogue) -> Vec<Answers> {
    let mut combos: Vec<BTreeMap<String, Vec<String>>> = vec![BTreeMap::new()];
    for module in &catalogue.modules {
        combos = combos
            .into_iter()
            .flat_map(|combo| {
                module.selections().into_iter().map(move |selection| {
                    let mut next = combo.clone();
                    next.insert(module.name.clone(), selection);
                    next
                })
            })
            .collect();
    }
    combos
        .into_iter()
        .map(|modules| Answers {
            name: ProjectName::parse("demo").unwrap(),
            modules,
        })
        .collect()
}

fn render_all() -> Vec<(Answers, RenderedTree)> {
    let catalogue = catalogue();
    every_combination(&catalogue)
        .into_iter()
        .map(|answers| {
            let tree = render_answers(&catalogue, &answers)
                .unwrap_or_else(|e| panic!("{:?} does not render: {e}", answers.modules));
            (answers, tree)
        })
        .collect()
}

fn texts(tree: &RenderedTree) -> impl Iterator<Item = (&String, &str)> {
    tree.files
        .iter()
        .filter_map(|(path, bytes)| std::str::from_utf8(bytes).ok().map(|t| (path, t)))
}

#[test]
fn every_combination_renders_a_cargo_toml_that_parses() {
    for (answers, tree) in render_all() {
        let text = tree
            .text("Cargo.toml")
            .expect("every project has a Cargo.toml");
        let manifest: toml::Table = toml::from_str(text)
            .unwrap_or_else(|e| panic!("{:?}: Cargo.toml does not parse: {e}", answers.modules));
        assert_eq!(manifest["package"]["name"].as_str(), Some("demo"));
    }
}

#[test]
fn no_template_syntax_survives_rendering() {
    for (answers, tree) in render_all() {
        for (path, text) in texts(&tree) {
            // GitHub Actions expressions are `${{ ... }}`: the only legitimate double braces.
            let stray = text
                .match_indices("{{")
                .any(|(i, _)| i == 0 || &text[i - 1..i] != "$")
                || text.contains("{%")
                || text.contains("{#");
            assert!(
                !stray,
                "{:?}: {path} has unrendered template syntax",
                answers.modules
            );
        }
    }
}

#[test]
fn rendered_files_have_no_trailing_spaces_or_runs_of_blank_lines() {
    for (answers, tree) in render_all() {
        for (path, text) in texts(&tree) {
            for (n, line) in text.lines().enumerate() {
                assert_eq!(
                    line.trim_end(),
                    line,
                    "{:?}: {path}:{} has trailing whitespace",
                    answers.modules,
                    n + 1
                );
            }
            assert!(
                !text.contains("\n\n\n"),
                "{:?}: {path} has a run of blank lines",
                answers.modules
            );
            assert!(
                text.is_empty() || (text.ends_with('\n') && !text.ends_with("\n\n")),
                "{:?}: {path} must end with exactly one newline",
                answers.modules
            );
            assert!(
                !text.starts_with('\n'),
                "{:?}: {path} starts with a blank line",
                answers.modules
            );
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    let catalogue = catalogue();
    for answers in every_combination(&catalogue) {
        let first = render_answers(&catalogue, &answers).unwrap();
        let second = render_answers(&catalogue, &answers).unwrap();
        assert_eq!(first, second, "{:?}", answers.modules);
    }
}

#[test]
fn omnistack_toml_reads_back_as_the_same_answers() {
    let catalogue = catalogue();
    for (answers, tree) in render_all() {
        let file = AnswersFile::parse(&catalogue, tree.text("omnistack.toml").unwrap()).unwrap();
        let back = Answers::complete(&catalogue, file.name.unwrap(), &file.choices, |_| {
            Ok::<_, ()>(None)
        })
        .unwrap();
        assert_eq!(back, answers);
    }
}

fn preset(name: &str) -> Answers {
    let catalogue = catalogue();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.toml"));
    let file = AnswersFile::read(&catalogue, &path).unwrap();
    let mut choices = Choices::default();
    choices.overlay(file.choices);
    Answers::complete(
        &catalogue,
        ProjectName::parse("demo").unwrap(),
        &choices,
        |_| Ok::<_, ()>(None),
    )
    .unwrap()
}

fn snapshot_preset(name: &str) {
    let tree = render_answers(&catalogue(), &preset(name)).unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        let listing: Vec<String> = tree
            .files
            .iter()
            .map(|(path, bytes)| format!("{path} ({} bytes)", bytes.len()))
            .collect();
        insta::assert_snapshot!(format!("{name}-tree"), listing.join("\n"));
        for file in ["Cargo.toml", ".env.example", "omnistack.toml"] {
            let text = tree
                .text(file)
                .unwrap_or_else(|| panic!("{name} has {file}"));
            insta::assert_snapshot!(format!("{name}-{}", file.trim_start_matches('.')), text);
        }
    });
}

#[test]
fn the_minimal_preset_renders_as_recorded() {
    snapshot_preset("minimal");
}

#[test]
fn the_saas_preset_renders_as_recorded() {
    snapshot_preset("saas");
}

#[test]
fn the_ai_app_preset_renders_as_recorded() {
    snapshot_preset("ai-app");
}

#[test]
fn the_full_preset_renders_as_recorded() {
    snapshot_preset("full");
}

/// The names the generated code reads through its config loader (`env.required("NAME")`,
/// `env.optional(..)`, `env.parsed(..)`) or straight from the process (`std::env::var(..)`).
fn env_vars_read_by_the_code(tree: &RenderedTree) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for (path, text) in texts(tree).filter(|(p, _)| p.starts_with("src/") && p.ends_with(".rs")) {
        let flat: String = text.split_whitespace().collect();
        for call in [
            "env.required(\"",
            "env.optional(\"",
            "env.parsed(\"",
            "env::var(\"",
        ] {
            for (i, _) in flat.match_indices(call) {
                let rest = &flat[i + call.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                assert!(
                    !name.is_empty(),
                    "{path}: an env read whose name is not a literal"
                );
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn env_example_lists_exactly_the_variables_the_code_reads() {
    for (answers, tree) in render_all() {
        let listed: std::collections::BTreeSet<String> = tree
            .text(".env.example")
            .expect("every project has .env.example")
            .lines()
            .filter_map(|line| line.split_once('=').map(|(name, _)| name.to_string()))
            .filter(|name| !name.starts_with('#'))
            .collect();
        assert_eq!(
            listed,
            env_vars_read_by_the_code(&tree),
            "{:?}: .env.example and the code disagree",
            answers.modules
        );
    }
}
