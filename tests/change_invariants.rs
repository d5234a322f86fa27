//! The invariants of `add` and `remove`, for every module and provider of the catalogue: on a
//! project nobody edited, they yield the project that `new` generates with the changed answers.
//! `remove` yields it but for the removed units' migrations, which stay (databases have applied
//! them) and stay recorded in `omnistack.toml`. `add` yields exactly the render of the answers it records, which
//! is `new`'s but for the versions of module migrations new to the project: those are assigned
//! when the migration enters (after every migration the project has), where `new` gives each
//! the version its template ships. Modules that land later are covered without touching this file.

mod change_support;

use change_support::{
    catalogue, differing, files, generate, lacking, omnistack, recorded_render, tree_of, with,
    without, without_migration_versions,
};
use omnistack::catalogue::Kind;
use tempfile::TempDir;

#[test]
fn add_on_an_unedited_project_equals_new_with_the_provider_for_every_provider() {
    let catalogue = catalogue();
    for module in &catalogue.modules {
        for provider in &module.providers {
            let tmp = TempDir::new().unwrap();
            let before = lacking(&catalogue, module, &provider.name);
            let after = with(module, &before, &provider.name);
            let changed = generate(&tmp.path().join("changed"), &before);
            let expected = generate(&tmp.path().join("expected"), &after);

            omnistack(&changed)
                .args(["add", &module.name, "--provider", &provider.name, "--yes"])
                .assert()
                .success();

            let case = format!("add {} --provider {}", module.name, provider.name);
            assert_eq!(
                differing(&files(&changed), &recorded_render(&changed)),
                Vec::<String>::new(),
                "{case}: these files differ from the render of the answers `add` recorded"
            );
            assert_eq!(
                differing(
                    &without_migration_versions(&files(&changed)),
                    &without_migration_versions(&files(&expected))
                ),
                Vec::<String>::new(),
                "{case}: these files differ from `new` with the provider, migration versions aside"
            );
        }
    }
}

#[test]
fn remove_on_an_unedited_project_equals_new_without_the_provider_for_every_provider() {
    let catalogue = catalogue();
    for module in &catalogue.modules {
        for provider in &module.providers {
            let start = with(
                module,
                &lacking(&catalogue, module, &provider.name),
                &provider.name,
            );
            let after = without(module, &start, &provider.name);
            if after[&module.name].is_empty() && !module.optional {
                continue; // refused: see `removing_a_required_module_is_an_error_naming_why`
            }
            let tmp = TempDir::new().unwrap();
            let changed = generate(&tmp.path().join("changed"), &start);
            let expected = generate(&tmp.path().join("expected"), &after);
            let mut args = vec!["remove", module.name.as_str(), "--yes"];
            if module.kind == Kind::Many {
                args.extend(["--provider", provider.name.as_str()]);
            }

            omnistack(&changed).args(&args).assert().success();

            let case = args.join(" ");
            assert_eq!(
                differing(&files(&changed), &recorded_render(&changed)),
                Vec::<String>::new(),
                "{case}: these files differ from the render of the answers `remove` recorded"
            );
            let kept: Vec<String> = differing(
                &without_answers(&files(&changed)),
                &without_answers(&files(&expected)),
            );
            let started = files(&generate(&tmp.path().join("started"), &start));
            let removed_migrations: Vec<String> = started
                .keys()
                .filter(|path| path.starts_with("migrations/") && !expected_has(&expected, path))
                .cloned()
                .collect();
            assert_eq!(
                kept, removed_migrations,
                "{case}: beyond omnistack.toml, only the removed units' migrations may differ from `new` without the provider (they stay)"
            );
        }
    }
}

#[test]
fn new_commits_exactly_the_render_as_head_and_pristine_and_leaves_a_clean_tree() {
    let catalogue = catalogue();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &change_support::defaults(&catalogue));
    assert_eq!(
        tree_of(&project, "HEAD"),
        tree_of(&project, "refs/omnistack/pristine")
    );
    assert_eq!(change_support::status(&project), Vec::<String>::new());
    let committed = change_support::git(&project, &["ls-files"]);
    let on_disk: Vec<String> = files(&project).into_keys().collect();
    assert_eq!(committed.lines().collect::<Vec<_>>(), on_disk);
}

#[test]
fn new_writes_a_repository_git_fsck_accepts_with_its_objects_in_one_pack() {
    let catalogue = catalogue();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &change_support::defaults(&catalogue));

    change_support::git(&project, &["fsck", "--full", "--strict", "--no-dangling"]);
    let counts = change_support::git(&project, &["count-objects", "-v"]);
    let lines: Vec<&str> = counts.lines().collect();
    assert!(
        lines.contains(&"count: 0") && lines.contains(&"packs: 1"),
        "loose objects or several packs:\n{counts}"
    );
    assert_eq!(
        change_support::git(&project, &["log", "--format=%s", "HEAD"]).trim(),
        format!(
            "Initial commit from omnistack {}",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn a_change_adds_its_objects_as_one_more_pack_that_git_fsck_and_git_commit_accept() {
    let catalogue = catalogue();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &change_support::defaults(&catalogue));

    omnistack(&project)
        .args(["add", "stripe", "--yes"])
        .assert()
        .success();

    change_support::git(&project, &["fsck", "--full", "--strict", "--no-dangling"]);
    let counts = change_support::git(&project, &["count-objects", "-v"]);
    let lines: Vec<&str> = counts.lines().collect();
    assert!(
        lines.contains(&"count: 0") && lines.contains(&"packs: 2"),
        "loose objects, or not one pack for the change:\n{counts}"
    );
    change_support::commit_all(&project, "add stripe");
    change_support::git(&project, &["fsck", "--full", "--strict", "--no-dangling"]);
}

fn expected_has(project: &std::path::Path, path: &str) -> bool {
    project.join(path).is_file()
}

/// `files` without `omnistack.toml`, whose `[migrations]` table lists the kept migrations too.
fn without_answers(
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .filter(|(path, _)| path.as_str() != "omnistack.toml")
        .map(|(path, bytes)| (path.clone(), bytes.clone()))
        .collect()
}
