//! What the CLI prints: plain when piped or when NO_COLOR is set, silent with `--quiet`.

use std::io::Write;
use std::time::Duration;

use console::style;
use indicatif::{ProgressBar, ProgressStyle};

use crate::Error;

/// How much the user asked to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// A progress line, the summary and next steps.
    Normal,
    /// Also every file written.
    Verbose,
}

/// The CLI's output channel.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    verbosity: Verbosity,
}

impl Ui {
    /// An output channel at the given verbosity.
    pub fn new(verbosity: Verbosity) -> Self {
        Self { verbosity }
    }

    /// Whether per-file detail is wanted.
    pub fn verbose(&self) -> bool {
        self.verbosity >= Verbosity::Verbose
    }

    /// A spinner on stderr with `message`; hidden when quiet or when stderr is not a terminal.
    pub fn progress(&self, message: &str) -> ProgressBar {
        if self.verbosity == Verbosity::Quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(80));
        bar
    }

    /// A line of normal output.
    pub fn line(&self, text: impl AsRef<str>) {
        if self.verbosity >= Verbosity::Normal {
            status_line(text.as_ref());
        }
    }

    /// A line shown only with `--verbose`.
    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbose() {
            status_line(&style(text.as_ref()).dim().to_string());
        }
    }

    /// A heading line.
    pub fn heading(&self, text: impl AsRef<str>) {
        self.line(style(text.as_ref()).bold().to_string());
    }

    /// A success line.
    pub fn success(&self, text: impl AsRef<str>) {
        self.line(format!("{} {}", style("✔").green(), text.as_ref()));
    }
}

/// Writes a status line to stdout, best effort: unlike `println!`, which panics, it ignores a
/// closed pipe (`omnistack new demo --yes | head -1`); the command's work is done by then, and
/// its outcome is in the exit code.
fn status_line(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Writes a command's product (a listing, a diff, a script) to stdout; a failure, a closed pipe
/// included, is an [`Error::Stdout`] rather than the panic of `print!`.
pub fn print(text: impl AsRef<[u8]>) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_ref())
        .and_then(|()| stdout.flush())
        .map_err(Error::Stdout)
}
