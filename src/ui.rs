//! What the CLI prints: plain when piped or when NO_COLOR is set, silent with `--quiet`.

use std::time::Duration;

use console::style;
use indicatif::{ProgressBar, ProgressStyle};

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
            println!("{}", text.as_ref());
        }
    }

    /// A line shown only with `--verbose`.
    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbose() {
            println!("{}", style(text.as_ref()).dim());
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
