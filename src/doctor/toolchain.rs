//! The Rust toolchain against the project's `rust-version`: the compiler cargo would use, run
//! in the project so that a `rust-toolchain.toml` there applies.

use std::process::Command;

use crate::project::version_key;

use super::{Finding, Setup};

/// The compiler cargo runs: `$RUSTC`, else `rustc` from PATH.
fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string())
}

/// `1.94.1` from `rustc 1.94.1 (e408947bf 2026-03-25)`.
fn rustc_version(output: &str) -> Option<&str> {
    output.split_whitespace().nth(1)
}

/// Whether `have` is at least `need`, where `need` may omit its patch number (`1.94`).
fn at_least(have: &str, need: &str) -> bool {
    let (mut have, mut need) = (version_key(have), version_key(need));
    have.resize(3, 0);
    need.resize(3, 0);
    have >= need
}

/// The `rust-version` of the project's `Cargo.toml`.
fn rust_version(setup: &Setup) -> Option<String> {
    let text = std::fs::read_to_string(setup.root.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&text).ok()?;
    manifest
        .get("package")?
        .get("rust-version")?
        .as_str()
        .map(str::to_string)
}

/// The Rust compiler is installed and at least the project's `rust-version`.
pub fn check(setup: &Setup) -> Finding {
    let rustc = rustc();
    let output = match Command::new(&rustc)
        .arg("--version")
        .current_dir(&setup.root)
        .output()
    {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            return Finding::problem(
                format!(
                    "`{rustc} --version` failed: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
                "reinstall the toolchain: `rustup toolchain install stable`",
            );
        }
        Err(error) => {
            return Finding::problem(
                format!("cannot run `{rustc}`: {error}"),
                "install Rust with rustup: https://rustup.rs",
            );
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(have) = rustc_version(&stdout) else {
        return Finding::problem(
            format!("`{rustc} --version` printed no version: {}", stdout.trim()),
            "reinstall the toolchain: `rustup toolchain install stable`",
        );
    };
    match rust_version(setup) {
        None => Finding::warning(
            format!("rustc {have}, but Cargo.toml has no rust-version to compare it with"),
            "restore `rust-version` in Cargo.toml's [package]",
        ),
        Some(need) if at_least(have, &need) => {
            Finding::ok(format!("rustc {have} meets rust-version {need}"))
        }
        Some(need) => Finding::problem(
            format!("rustc {have} is older than the project's rust-version {need}"),
            "rustup update stable",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_second_word_of_rustc_version() {
        assert_eq!(
            rustc_version("rustc 1.94.1 (e408947bf 2026-03-25)\n"),
            Some("1.94.1")
        );
    }

    #[test]
    fn a_rust_version_without_patch_is_met_by_any_patch_release() {
        assert!(at_least("1.94.0", "1.94"));
        assert!(at_least("1.95.0-nightly", "1.94"));
        assert!(at_least("1.100.0", "1.94"));
        assert!(!at_least("1.93.9", "1.94"));
        assert!(!at_least("1.94.0", "1.94.1"));
    }
}
