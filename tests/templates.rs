//! Invariants of the rendered templates, checked for every combination of options, and
//! snapshots of the presets in `examples/`.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::hash::Hash;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use omnistack::answers::{Answers, AnswersFile, Choices};
use omnistack::catalogue::Catalogue;
use omnistack::generate;
use omnistack::matrix::{Strategy, combinations};
use omnistack::name::ProjectName;
use omnistack::render::RenderedTree;

fn catalogue() -> Catalogue {
    Catalogue::embedded().expect("the embedded catalogue is consistent")
}

/// Every combination of the modules that change Rust code (the matrix's `all` strategy), each
/// with one selection of every other module (deploy targets): the n-th combination takes the
/// n-th selection in turn, so every selection appears hundreds of times without multiplying
/// the product by it.
fn every_combination(catalogue: &Catalogue) -> Vec<Answers> {
    let others: Vec<_> = catalogue
        .modules
        .iter()
        .filter(|module| !module.affects_code)
        .map(|module| (module.name.clone(), module.selections()))
        .collect();
    combinations(catalogue, Strategy::All, false)
        .into_iter()
        .enumerate()
        .map(|(n, combination)| {
            let mut answers = combination.answers(catalogue).unwrap();
            answers.name = ProjectName::parse("demo").unwrap();
            for (module, selections) in &others {
                answers
                    .modules
                    .insert(module.clone(), selections[n % selections.len()].clone());
            }
            answers
        })
        .collect()
}

/// A rendered tree's paths and contents, each shared with the other trees that have it.
type SharedFiles = Vec<(Arc<str>, Arc<[u8]>)>;

/// Every combination with its files, rendered once for all the tests of this file (rendering
/// them all takes half a minute, and most tests read every one). The combinations share most
/// of their files' contents, which are held once: a tree each would take gigabytes.
static RENDERED: LazyLock<Vec<(Answers, SharedFiles)>> = LazyLock::new(|| {
    let catalogue = catalogue();
    let mut paths: HashSet<Arc<str>> = HashSet::new();
    let mut contents: HashSet<Arc<[u8]>> = HashSet::new();
    every_combination(&catalogue)
        .into_iter()
        .map(|answers| {
            let tree = generate(&catalogue, &answers)
                .unwrap_or_else(|e| panic!("{:?} does not render: {e}", answers.modules));
            let files = tree
                .files
                .into_iter()
                .map(|(path, bytes)| (intern(&mut paths, path), intern(&mut contents, bytes)))
                .collect();
            (answers, files)
        })
        .collect()
});

/// The one shared copy of `value`.
fn intern<T: ?Sized + Eq + Hash, V: Into<Arc<T>> + Borrow<T>>(
    set: &mut HashSet<Arc<T>>,
    value: V,
) -> Arc<T> {
    if let Some(shared) = set.get(value.borrow()) {
        return Arc::clone(shared);
    }
    let shared: Arc<T> = value.into();
    set.insert(Arc::clone(&shared));
    shared
}

/// Every combination and its rendered tree, one tree at a time.
fn render_all() -> impl Iterator<Item = (Answers, RenderedTree)> {
    RENDERED.iter().map(|(answers, files)| {
        let files = files
            .iter()
            .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
            .collect();
        (answers.clone(), RenderedTree { files })
    })
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

/// Every `$ref` in `value`.
fn references<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>) {
    match value {
        serde_json::Value::Object(fields) => {
            if let Some(reference) = fields.get("$ref").and_then(|r| r.as_str()) {
                out.push(reference);
            }
            fields.values().for_each(|field| references(field, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| references(item, out)),
        _ => {}
    }
}

/// Each unit's OpenAPI fragment brings every component its paths refer to, so the fragments
/// of any combination merge into a document whose references resolve (rendering every
/// combination already proves that they merge; the generated projects' own tests prove, on the
/// presets, that the result is the document their code describes).
#[test]
fn every_openapi_fragment_brings_the_components_it_refers_to() {
    let catalogue = catalogue();
    let units = std::iter::once(&catalogue.base)
        .chain(catalogue.base_parts.iter().map(|p| &p.contribution))
        .chain(catalogue.modules.iter().flat_map(|module| {
            std::iter::once(&module.common)
                .chain(module.providers.iter().map(|p| &p.contribution))
                .chain(module.pairings.iter().map(|p| &p.contribution))
        }))
        .chain(catalogue.features.iter().flat_map(|feature| {
            std::iter::once(&feature.contribution)
                .chain(feature.parts.iter().map(|p| &p.contribution))
        }));
    let mut fragments = 0;
    for fragment in units.flat_map(|unit| &unit.adds.openapi) {
        fragments += 1;
        let mut found = Vec::new();
        references(fragment, &mut found);
        for reference in found {
            let pointer = reference.strip_prefix('#').expect("a local reference");
            assert!(
                fragment.pointer(pointer).is_some(),
                "a fragment refers to {reference} without describing it: {}",
                fragment["paths"]
                    .as_object()
                    .map(|paths| paths.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default()
            );
        }
    }
    assert!(fragments > 1, "the catalogue ships OpenAPI fragments");
}

#[test]
fn the_committed_openapi_document_is_titled_after_the_project() {
    let tree = generate(&catalogue(), &preset("minimal")).unwrap();

    let document: serde_json::Value = serde_json::from_str(
        tree.text("openapi.json")
            .expect("the project has openapi.json"),
    )
    .expect("openapi.json parses");

    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "demo");
    assert!(document["paths"]["/health"]["get"].is_object());
}

#[test]
fn no_template_syntax_survives_rendering() {
    for (answers, tree) in render_all() {
        // `templates/` holds the app's own runtime templates (emails), whose syntax is meant to stay.
        for (path, text) in texts(&tree).filter(|(p, _)| !p.starts_with("templates/")) {
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

/// Phrases of the generator's own reasoning (build costs, benchmarks, how shared files are
/// put together), which mean nothing to someone reading their project.
const GENERATOR_COMMENTARY: &[&str] = &[
    "omnistack",
    "apalis",
    "benchmark",
    "measured",
    "cold build",
    "to compile",
    "% more",
    "percent",
    "instructions per",
    "system calls",
    "syscall",
    "template author",
    "feature module",
    "chosen module",
    "` slot",
    "slots.",
    "slot line",
];

/// The comments of a generated file: Rust's `//` ones, and `#` ones in Cargo.toml, the
/// Makefile, the Dockerfile and YAML.
fn comments<'t>(path: &str, text: &'t str) -> Vec<(usize, &'t str)> {
    let marker = if path.ends_with(".rs") {
        "//"
    } else if path == "Cargo.toml"
        || path == "Makefile"
        || path == "Dockerfile"
        || path.ends_with(".yml")
        || path.ends_with(".yaml")
    {
        "#"
    } else {
        return Vec::new();
    };
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let line = line.trim_start();
            line.starts_with(marker).then_some((n + 1, line))
        })
        .collect()
}

#[test]
fn generated_comments_never_carry_the_generators_reasoning() {
    for (answers, tree) in render_all() {
        for (path, text) in texts(&tree) {
            for (n, comment) in comments(path, text) {
                let lower = comment.to_lowercase();
                for phrase in GENERATOR_COMMENTARY {
                    assert!(
                        !lower.contains(phrase),
                        "{:?}: {path}:{n} speaks of {phrase:?}, which belongs in omnistack's own \
                         docs: {comment}",
                        answers.modules
                    );
                }
            }
        }
    }
}

#[test]
fn every_usage_text_gives_each_command_a_line_of_its_own() {
    for (answers, tree) in render_all() {
        let main = tree
            .text("src/main.rs")
            .expect("every project has a src/main.rs");
        let usage = main
            .split_once("const USAGE: &str = \"")
            .and_then(|(_, rest)| rest.split_once("\";"))
            .map(|(usage, _)| usage)
            .expect("src/main.rs has a USAGE text");
        let (synopsis, list) = usage
            .split_once("\n\n")
            .expect("a blank line after the synopsis");
        let commands: Vec<&str> = synopsis
            .rsplit_once('[')
            .and_then(|(_, rest)| rest.strip_suffix(']'))
            .expect("the synopsis ends with [command|...]")
            .split('|')
            .collect();
        let listed: Vec<&str> = list
            .lines()
            .map(|line| line.split_whitespace().next().unwrap_or_default())
            .collect();
        assert_eq!(listed, commands, "{:?}:\n{usage}", answers.modules);
    }
}

/// Every template of the embedded tree (and every declaration, whose strings are rendered too),
/// with its path under `templates/`.
fn template_sources() -> Vec<(String, &'static str)> {
    fn walk(dir: &'static include_dir::Dir<'static>, out: &mut Vec<(String, &'static str)>) {
        for entry in dir.entries() {
            match entry {
                include_dir::DirEntry::Dir(sub) => walk(sub, out),
                include_dir::DirEntry::File(file) => {
                    let path = file.path().to_string_lossy().replace('\\', "/");
                    let rendered = path.ends_with(".jinja") || path.ends_with(".toml");
                    if let (true, Some(text)) = (rendered, file.contents_utf8()) {
                        out.push((path, text));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&omnistack::templates::TEMPLATES, &mut out);
    out
}

#[test]
fn display_text_comes_from_the_catalogue_not_from_capitalising_names() {
    // A name capitalised is not a description ("Ai settings."): docs and titles are declared.
    for (path, text) in template_sources() {
        assert!(
            !text.contains("capitalize") && !text.contains("| title"),
            "templates/{path} derives display text from a name"
        );
    }
}

#[test]
fn no_template_branches_on_which_other_modules_are_chosen() {
    // A pairing of modules is a unit of its own (`with/<module>`, or a feature with its
    // `with/` and `without/` parts), not a block of a file. The one use of `chosen` left in a
    // module is email's loop that finds its own provider.
    for (path, text) in template_sources() {
        for tag in text
            .split("{%")
            .skip(1)
            .filter_map(|rest| rest.split_once("%}"))
        {
            let tag = tag.0.trim().trim_start_matches('-').trim();
            let branches = ["if ", "elif ", "set "].iter().any(|k| tag.starts_with(k));
            assert!(
                !(branches && tag.contains("chosen")),
                "templates/{path} branches on the chosen modules: {{% {tag} %}}"
            );
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    let catalogue = catalogue();
    for (answers, first) in render_all() {
        let second = generate(&catalogue, &answers).unwrap();
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
    Answers {
        resources: file.resources,
        ..Answers::complete(
            &catalogue,
            ProjectName::parse("demo").unwrap(),
            &choices,
            |_| Ok::<_, ()>(None),
        )
        .unwrap()
    }
}

fn snapshot_preset(name: &str) {
    let tree = generate(&catalogue(), &preset(name)).unwrap();
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
/// `env.optional(..)`, `env.parsed(..)`, `env.parsed_quoting(..)`) or straight from the process (`std::env::var(..)`).
fn env_vars_read_by_the_code(tree: &RenderedTree) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for (path, text) in texts(tree).filter(|(p, _)| p.starts_with("src/") && p.ends_with(".rs")) {
        let flat: String = text.split_whitespace().collect();
        for call in [
            "env.required(\"",
            "env.optional(\"",
            "env.parsed(\"",
            "env.parsed_quoting(\"",
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

/// Paths that generated files point at: `include_str!`/`include_bytes!` arguments (relative to
/// the file), `sqlx::migrate!` folders and Markdown links (relative to the project root).
fn referenced_paths(path: &str, text: &str) -> Vec<String> {
    let dir = Path::new(path).parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for mac in ["include_str!(\"", "include_bytes!(\""] {
        for (i, _) in text.match_indices(mac) {
            let rest = &text[i + mac.len()..];
            if let Some(end) = rest.find('"') {
                let joined = dir.join(&rest[..end]);
                out.push(normalise(&joined));
            }
        }
    }
    if path.ends_with(".md") {
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            if let Some(end) = rest.find(')') {
                let target = &rest[..end];
                if !target.contains("://")
                    && !target.starts_with('#')
                    && !target.starts_with("mailto:")
                {
                    out.push(normalise(
                        &dir.join(target.split('#').next().unwrap_or(target)),
                    ));
                }
            }
        }
    }
    out
}

/// Resolves `..` and `.` without touching the disk.
fn normalise(path: &Path) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.iter().filter_map(|p| p.to_str()) {
        match part {
            "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[test]
fn every_file_the_generated_code_or_docs_refer_to_exists() {
    let mut checked = 0;
    for (answers, tree) in render_all() {
        for (path, text) in texts(&tree) {
            for target in referenced_paths(path, text) {
                checked += 1;
                let exists = tree.files.contains_key(&target)
                    || tree
                        .files
                        .keys()
                        .any(|p| p.starts_with(&format!("{target}/")));
                assert!(
                    exists,
                    "{:?}: {path} refers to {target}, which is not generated",
                    answers.modules
                );
            }
        }
        let migrations = tree.files.keys().any(|p| p.starts_with("migrations/"));
        assert!(
            migrations,
            "{:?}: sqlx::migrate!() needs migrations/",
            answers.modules
        );
    }
    assert!(
        checked > 0,
        "no reference was found to check: the scanner is broken"
    );
}

/// A 40-character name (the longest allowed) that sorts after every dependency: the two ways a
/// project's name can change how rustfmt lays out the generated code.
const AWKWARD_NAME: &str = "zz-the-longest-name-allowed-by-omnistack";

#[test]
fn every_pair_of_choices_is_rustfmt_clean_whatever_the_project_name() {
    let catalogue = catalogue();
    // Slot lines interact in pairs at most (one list, one import line), so the pairwise set
    // finds what the full product would, at a fraction of the rustfmt runs.
    for combination in combinations(&catalogue, Strategy::Pairwise, true) {
        let mut answers = combination.answers(&catalogue).unwrap();
        answers.name = ProjectName::parse(AWKWARD_NAME).unwrap();
        let tree = generate(&catalogue, &answers).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut sources = Vec::new();
        for (path, bytes) in &tree.files {
            let dest = dir.path().join(path);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::write(&dest, bytes).unwrap();
            if path.ends_with(".rs") {
                sources.push(dest);
            }
        }
        let output = std::process::Command::new("rustfmt")
            .args(["--check", "--edition", "2024"])
            .args(&sources)
            .output()
            .expect("rustfmt is installed (rustup component add rustfmt)");
        assert!(
            output.status.success(),
            "{:?}: generated code is not rustfmt-clean:\n{}",
            answers.modules,
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn every_route_is_mounted_with_its_openapi_description() {
    // `OpenApiRouter::routes(routes!(handler))` adds a handler's `#[utoipa::path]` to the
    // document as it mounts it; a plain `.route(...)` would serve an undocumented path. Only
    // the document's own routes are exempt. Every file of a module or a pairing appears in
    // some pair of choices.
    let catalogue = catalogue();
    for combination in combinations(&catalogue, Strategy::Pairwise, true) {
        let answers = combination.answers(&catalogue).unwrap();
        let tree = generate(&catalogue, &answers).unwrap();
        for (path, text) in texts(&tree) {
            if path.starts_with("src/") && path.ends_with(".rs") && path != "src/openapi.rs" {
                assert!(
                    !text.contains(".route(\""),
                    "{:?}: {path} mounts a route outside the OpenAPI document",
                    answers.modules
                );
            }
        }
    }
}
