//! `omnistack doctor`: checks that a generated project can run here, and says how to fix it.

use std::path::PathBuf;

use clap::{Arg, ArgMatches, Command, value_parser};
use console::style;

use crate::Error;
use crate::doctor::{self, Report, Setup, Status};
use crate::project::ProjectError;
use crate::ui;

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per check, with the fix under each problem.
    Text,
    /// One JSON object, for scripts: `{"project", "healthy", "checks": [{"name", "status",
    /// "summary", "fix"}]}`.
    Json,
}

/// The `doctor` subcommand's arguments.
pub fn command() -> Command {
    Command::new("doctor")
        .about("Check that the project can run here (toolchain, .env, PostgreSQL, Redis, migrations), with a fix for each problem")
        .arg(
            Arg::new("path")
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf))
                .help("A directory in the project [default: the current directory]"),
        )
        .arg(
            Arg::new("format")
                .long("format")
                .value_parser(["text", "json"])
                .default_value("text")
                .help("Output format"),
        )
}

/// The parsed arguments of `doctor`.
#[derive(Debug, Clone)]
pub struct DoctorArgs {
    /// Where to look for the project.
    pub path: Option<PathBuf>,
    /// How to print the report.
    pub format: Format,
}

impl DoctorArgs {
    /// Reads the arguments of `doctor`.
    pub fn from_matches(matches: &ArgMatches) -> Self {
        let format = match matches.get_one::<String>("format").map(String::as_str) {
            Some("json") => Format::Json,
            _ => Format::Text,
        };
        Self {
            path: matches.get_one::<PathBuf>("path").cloned(),
            format,
        }
    }
}

/// Runs `doctor`: prints the report, and fails with [`Error::Unhealthy`] when a check found a
/// problem.
pub fn run(args: &DoctorArgs) -> Result<(), Error> {
    let start = match &args.path {
        Some(path) => path.clone(),
        None => std::env::current_dir().map_err(|source| ProjectError::CurrentDir { source })?,
    };
    let report = doctor::run(&Setup::find(&start)?);
    let output = match args.format {
        Format::Text => text(&report),
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&report)
                .expect("a report is plain strings and booleans");
            json.push('\n');
            json
        }
    };
    ui::print(output)?;
    match report.problems() {
        0 => Ok(()),
        problems => Err(Error::Unhealthy(problems)),
    }
}

fn text(report: &Report) -> String {
    let width = report
        .checks
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(0);
    let mut out = format!("Checking {}\n", report.project.display());
    for finding in &report.checks {
        let mark = match finding.status {
            Status::Ok => style("ok").green(),
            Status::Warning => style("warning").yellow(),
            Status::Problem => style("problem").red().bold(),
            Status::Skipped => style("skipped").dim(),
        };
        out.push_str(&format!(
            "  {:7} {:width$}  {}\n",
            mark, finding.name, finding.summary
        ));
        if let Some(fix) = &finding.fix {
            out.push_str(&format!("  {:7} {:width$}  fix: {fix}\n", "", ""));
        }
    }
    let (problems, warnings) = (report.problems(), report.count(Status::Warning));
    out.push_str(&match (problems, warnings) {
        (0, 0) => "All is well.\n".to_string(),
        (0, w) => format!("No problem; {w} warning(s).\n"),
        (p, w) => format!("{p} problem(s), {w} warning(s).\n"),
    });
    out
}
