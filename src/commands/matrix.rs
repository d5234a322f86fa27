//! `omnistack matrix`: the template combinations CI generates and builds, as lines, JSON or a
//! GitHub Actions matrix.

use clap::builder::PossibleValue;
use clap::{Arg, ArgAction, ArgMatches, Command, ValueEnum, value_parser};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::Error;
use crate::catalogue::Catalogue;
use crate::matrix::{self, Combination, Strategy};
use crate::ui;

/// GitHub Actions refuses a matrix of more than 256 jobs.
pub const GITHUB_MAX_JOBS: usize = 256;

/// How the combinations are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One combination per line, as `omnistack new` flags.
    Lines,
    /// An array of `{id, flags, modules}` objects.
    Json,
    /// `{"shards": [{"include": [{id, flags}, ...]}, ...]}` for `strategy: matrix: ${{ fromJSON(...) }}`.
    Github,
}

/// What `matrix` was asked to print.
#[derive(Debug, Clone)]
pub struct MatrixArgs {
    /// Which combinations.
    pub strategy: Strategy,
    /// How to print them.
    pub format: Format,
    /// Also vary modules that change no Rust code.
    pub include_non_code: bool,
    /// Print only how many there are.
    pub count: bool,
    /// The most jobs in one GitHub shard.
    pub shard_size: usize,
}

/// The `matrix` subcommand and its flags.
pub fn command() -> Command {
    Command::new("matrix")
        .about("Print the template combinations to build in CI")
        // Tooling for omnistack's own CI, not for users: runnable, and documented in README.md's
        // CI section, but kept out of `omnistack --help`.
        .hide(true)
        .arg(
            Arg::new("strategy")
                .long("strategy")
                .value_name("STRATEGY")
                .value_parser(value_parser!(Strategy))
                .default_value("pairwise")
                .help("Which combinations to print"),
        )
        .arg(
            Arg::new("format")
                .long("format")
                .value_name("FORMAT")
                .value_parser(value_parser!(Format))
                .default_value("lines")
                .help("Output format"),
        )
        .arg(
            Arg::new("include-non-code")
                .long("include-non-code")
                .action(ArgAction::SetTrue)
                .help("Also vary modules that change no Rust code (deploy targets)"),
        )
        .arg(
            Arg::new("count")
                .long("count")
                .action(ArgAction::SetTrue)
                .help("Print only the number of combinations"),
        )
        .arg(
            Arg::new("shard-size")
                .long("shard-size")
                .value_name("JOBS")
                .value_parser(value_parser!(u64).range(1..=GITHUB_MAX_JOBS as u64))
                .default_value("256")
                .help("The most combinations in one shard of the github format"),
        )
}

impl MatrixArgs {
    /// Reads the arguments of the `matrix` subcommand.
    pub fn from_matches(matches: &ArgMatches) -> Self {
        Self {
            strategy: *matches
                .get_one("strategy")
                .expect("`strategy` has a default"),
            format: *matches.get_one("format").expect("`format` has a default"),
            include_non_code: matches.get_flag("include-non-code"),
            count: matches.get_flag("count"),
            shard_size: matches
                .get_one::<u64>("shard-size")
                .map_or(GITHUB_MAX_JOBS, |&n| n as usize),
        }
    }
}

/// Prints the matrix.
pub fn run(catalogue: &Catalogue, args: &MatrixArgs) -> Result<(), Error> {
    ui::print(output(catalogue, args))
}

/// What `run` prints, ending with a newline.
pub fn output(catalogue: &Catalogue, args: &MatrixArgs) -> String {
    if args.count {
        return format!(
            "{}\n",
            matrix::count(catalogue, args.strategy, args.include_non_code)
        );
    }
    let combinations = matrix::combinations(catalogue, args.strategy, args.include_non_code);
    match args.format {
        Format::Lines => combinations
            .iter()
            .map(|c| format!("{}\n", c.flags()))
            .collect(),
        Format::Json => {
            let views: Vec<JsonView<'_>> = combinations.iter().map(JsonView::new).collect();
            format!("{}\n", to_json(&views, true))
        }
        Format::Github => format!(
            "{}\n",
            to_json(&github(&combinations, args.shard_size), false)
        ),
    }
}

fn to_json(value: &impl Serialize, pretty: bool) -> String {
    let json = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    json.expect("strings, lists and maps of strings always serialise")
}

#[derive(Serialize)]
struct JsonView<'a> {
    id: &'a str,
    flags: String,
    modules: ModulesView<'a>,
}

impl<'a> JsonView<'a> {
    fn new(combination: &'a Combination) -> Self {
        Self {
            id: &combination.id,
            flags: combination.flags(),
            modules: ModulesView(&combination.modules),
        }
    }
}

/// The modules as a JSON object in catalogue order (a `BTreeMap` would sort them by name).
struct ModulesView<'a>(&'a [(String, Vec<String>)]);

impl Serialize for ModulesView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (module, providers) in self.0 {
            map.serialize_entry(module, providers)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct GithubMatrix<'a> {
    shards: Vec<Shard<'a>>,
}

/// One GitHub Actions matrix: a job per entry of `include`.
#[derive(Serialize)]
struct Shard<'a> {
    include: Vec<Job<'a>>,
}

#[derive(Serialize)]
struct Job<'a> {
    id: &'a str,
    flags: String,
}

fn github(combinations: &[Combination], shard_size: usize) -> GithubMatrix<'_> {
    GithubMatrix {
        shards: combinations
            .chunks(shard_size.max(1))
            .map(|chunk| Shard {
                include: chunk
                    .iter()
                    .map(|c| Job {
                        id: &c.id,
                        flags: c.flags(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

impl ValueEnum for Strategy {
    fn value_variants<'a>() -> &'a [Self] {
        &Strategy::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Strategy::All => "every combination (the cartesian product)",
            Strategy::Pairwise => "a small set with every pair of values together at least once",
            Strategy::Each => "every value at least once",
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Lines, Format::Json, Format::Github]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Format::Lines => PossibleValue::new("lines").help("one line of `new` flags each"),
            Format::Json => PossibleValue::new("json").help("an array of {id, flags, modules}"),
            Format::Github => PossibleValue::new("github")
                .help("GitHub Actions matrices, split into shards of at most --shard-size jobs"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn combos(n: usize) -> Vec<Combination> {
        (0..n)
            .map(|i| Combination {
                id: matrix::id(i, n),
                modules: vec![("db".to_string(), vec!["postgres".to_string()])],
            })
            .collect()
    }

    #[test]
    fn github_shards_hold_at_most_the_shard_size() {
        let combos = combos(5);
        let sizes: Vec<usize> = github(&combos, 2)
            .shards
            .iter()
            .map(|s| s.include.len())
            .collect();
        assert_eq!(sizes, [2, 2, 1]);
    }

    #[test]
    fn json_keeps_modules_in_catalogue_order() {
        let combo = Combination {
            id: "c01".to_string(),
            modules: vec![
                ("db".to_string(), vec!["postgres".to_string()]),
                ("ai".to_string(), vec![]),
            ],
        };
        let json = to_json(&JsonView::new(&combo), false);
        assert_eq!(
            json,
            r#"{"id":"c01","flags":"--db postgres --ai none","modules":{"db":["postgres"],"ai":[]}}"#
        );
    }
}
