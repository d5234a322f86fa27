//! `--check`: `cargo check --all-targets` on the merged project, with its result summarised.

use std::ffi::OsString;
use std::io;
use std::path::Path;
use std::process::Command;

/// How many lines of cargo's output a failure report quotes.
const QUOTED_LINES: usize = 20;

/// What `cargo check` is run with, as the report names it.
pub const COMMAND: &str = "cargo check --all-targets";

/// Why the project does not check.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// cargo could not be started.
    #[error("cannot run {}: {source}", program.to_string_lossy())]
    Spawn {
        /// The program run.
        program: OsString,
        /// The OS error.
        source: io::Error,
    },
    /// cargo ran and reported errors.
    #[error("`{COMMAND}` failed after the merge ({status}):\n{summary}")]
    Failed {
        /// How cargo exited.
        status: String,
        /// Its error lines, or the end of its output.
        summary: String,
    },
}

/// Runs `cargo check --all-targets` in `root`. The cargo is `$CARGO` when set (as cargo sets it
/// for the subcommands and tools it runs), else `cargo` from `PATH`.
pub fn cargo_check(root: &Path) -> Result<(), CheckError> {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let output = Command::new(&program)
        .args(["check", "--all-targets"])
        .current_dir(root)
        .output()
        .map_err(|source| CheckError::Spawn {
            program: program.clone(),
            source,
        })?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    Err(CheckError::Failed {
        status: output.status.to_string(),
        summary: summarize(&text),
    })
}

/// The error lines of cargo's output, each with the location line after it; or, when it has
/// none (cargo itself failed), its last lines.
fn summarize(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let mut quoted = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("error") {
            quoted.push(format!("  {line}"));
            if let Some(at) = lines
                .get(i + 1)
                .filter(|l| l.trim_start().starts_with("-->"))
            {
                quoted.push(format!("  {at}"));
            }
        }
    }
    if quoted.is_empty() {
        let start = lines.len().saturating_sub(QUOTED_LINES);
        quoted = lines[start..].iter().map(|l| format!("  {l}")).collect();
    }
    if quoted.len() > QUOTED_LINES {
        let more = quoted.len() - QUOTED_LINES;
        quoted.truncate(QUOTED_LINES);
        quoted.push(format!("  ... and {more} more lines"));
    }
    quoted.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_quotes_the_error_lines_with_their_location() {
        let output = "   Compiling app v0.1.0\nerror[E0425]: cannot find value `x`\n  --> src/lib.rs:3:5\n   |\nerror: could not compile `app`\n";
        assert_eq!(
            summarize(output),
            "  error[E0425]: cannot find value `x`\n    --> src/lib.rs:3:5\n  error: could not compile `app`"
        );
    }

    #[test]
    fn a_summary_without_error_lines_quotes_the_end_of_the_output() {
        assert_eq!(summarize("a\nb\n"), "  a\n  b");
    }
}
