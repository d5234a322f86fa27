//! The release pipeline's own parts: the release notes taken from CHANGELOG.md, and the asset
//! names that `.github/workflows/release.yml` publishes and `cargo binstall` looks for.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn changelog_section(version: &str, changelog: &Path) -> Output {
    Command::new("bash")
        .arg(repo().join(".ci/changelog-section"))
        .arg(version)
        .arg(changelog)
        .output()
        .expect("bash runs .ci/changelog-section")
}

fn changelog(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("CHANGELOG.md");
    std::fs::write(&path, text).unwrap();
    path
}

const CHANGELOG: &str = "# Changelog

Intro.

## [Unreleased]

## [1.2.0] - 2026-11-30

### Added
- `doctor`.

### Fixed
- A crash.

## [1.1.0] - 2026-10-01

### Added
- Everything.

[1.2.0]: https://example.com/compare/v1.1.0...v1.2.0
";

#[test]
fn the_release_notes_are_the_body_of_the_versions_changelog_section() {
    let dir = tempfile::tempdir().unwrap();
    let out = changelog_section("1.2.0", &changelog(&dir, CHANGELOG));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "### Added\n- `doctor`.\n\n### Fixed\n- A crash.\n"
    );
}

#[test]
fn the_last_section_ends_at_the_link_references() {
    let dir = tempfile::tempdir().unwrap();
    let out = changelog_section("1.1.0", &changelog(&dir, CHANGELOG));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "### Added\n- Everything.\n"
    );
}

#[test]
fn a_version_without_a_section_fails_instead_of_publishing_empty_notes() {
    let dir = tempfile::tempdir().unwrap();
    let path = changelog(&dir, CHANGELOG);
    // `1.2` is a prefix of a heading, not a heading; `Unreleased` is there but empty.
    for version in ["1.3.0", "1.2", "Unreleased"] {
        let out = changelog_section(version, &path);
        assert_eq!(out.status.code(), Some(1), "{version}: {out:?}");
        assert!(out.stdout.is_empty(), "{version}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("## [{version}]")), "{stderr}");
    }
}

#[test]
fn omnistacks_own_changelog_has_notes_for_its_next_release() {
    let out = changelog_section("Unreleased", &repo().join("CHANGELOG.md"));
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("### "));
}

fn release_workflow() -> Value {
    let text = std::fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap();
    yaml_serde::from_str(&text).expect("release.yml is YAML")
}

fn binstall() -> toml::Table {
    let text = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    manifest["package"]["metadata"]["binstall"]
        .as_table()
        .expect("Cargo.toml has [package.metadata.binstall]")
        .clone()
}

/// The archive binstall downloads for `target`, from `pkg-url` and `pkg-fmt` (and its
/// per-target override).
fn binstall_asset(binstall: &toml::Table, target: &str) -> String {
    let format = binstall
        .get("overrides")
        .and_then(|o| o.get(target))
        .and_then(|o| o.get("pkg-fmt"))
        .unwrap_or(&binstall["pkg-fmt"])
        .as_str()
        .unwrap();
    let suffix = match format {
        "tgz" => ".tar.gz",
        "zip" => ".zip",
        other => panic!("unexpected pkg-fmt {other}"),
    };
    let url = binstall["pkg-url"].as_str().unwrap();
    let file = url.rsplit('/').next().unwrap();
    file.replace("{ name }", "omnistack")
        .replace("{ target }", target)
        .replace("{ archive-suffix }", suffix)
}

#[test]
fn cargo_binstall_looks_for_the_archives_the_release_publishes() {
    let workflow = release_workflow();
    let targets: Vec<&str> = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("the build job has a matrix of targets")
        .iter()
        .map(|entry| entry["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets.len(), 5, "{targets:?}");
    let steps = serde_json::to_string(&workflow["jobs"]["build"]["steps"]).unwrap();
    let binstall = binstall();
    for target in targets {
        let asset = binstall_asset(&binstall, target);
        let produced = if target.contains("windows") {
            "omnistack-$env:TARGET.zip"
        } else {
            "omnistack-$TARGET.tar.gz"
        };
        assert_eq!(
            asset,
            produced
                .replace("$env:TARGET", target)
                .replace("$TARGET", target)
        );
        assert!(steps.contains(produced), "no step writes {produced}");
    }
    assert!(
        binstall["pkg-url"]
            .as_str()
            .unwrap()
            .starts_with("{ repo }/releases/download/v{ version }/"),
        "the archives are assets of the release of tag v<version>"
    );
}
