//! Template combinations for CI: which sets of module choices to generate and build.
//!
//! An option is a catalogue module and its values are the module's selections. The covering
//! strategies work on option sizes alone (see [`cover`] and [`pairwise`]), so they can be tested
//! without a catalogue; [`combinations`] maps their rows back to module choices.

pub mod cover;
pub mod pairwise;
mod requirements;

use std::convert::Infallible;

use crate::answers::{Answers, AnswersError, Choices};
use crate::catalogue::{Catalogue, Kind, Module, NONE};
use crate::name::ProjectName;

pub use pairwise::pairwise;

/// How many combinations to pick, and which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Every combination (the cartesian product).
    All,
    /// Every pair of values of two options together at least once.
    Pairwise,
    /// Every value of every option at least once.
    Each,
}

impl Strategy {
    /// Every strategy, in the order `--help` lists them.
    pub const ALL: [Strategy; 3] = [Strategy::All, Strategy::Pairwise, Strategy::Each];

    /// The strategy's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::All => "all",
            Strategy::Pairwise => "pairwise",
            Strategy::Each => "each",
        }
    }

    /// The rows this strategy picks for options with `sizes` values each.
    pub fn rows(self, sizes: &[usize]) -> Vec<Vec<usize>> {
        match self {
            Strategy::All => cover::all(sizes),
            Strategy::Pairwise => pairwise(sizes),
            Strategy::Each => cover::each(sizes),
        }
    }

    /// How many rows [`Strategy::rows`] gives, without building the cartesian product for `all`.
    pub fn count(self, sizes: &[usize]) -> usize {
        match self {
            Strategy::All => {
                if sizes.contains(&0) {
                    0
                } else {
                    cover::product(sizes)
                }
            }
            _ => self.rows(sizes).len(),
        }
    }
}

/// One set of module choices to generate: an id, and a selection for each module in the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    /// A short, sortable id: `c01`, `c02`, ... (wider when there are 100 or more).
    pub id: String,
    /// Each module in the matrix with its providers, in catalogue order (empty: `none`).
    pub modules: Vec<(String, Vec<String>)>,
}

impl Combination {
    /// The `omnistack new` flags that choose this combination: `--db postgres --ai openai,anthropic`.
    pub fn flags(&self) -> String {
        self.modules
            .iter()
            .map(|(module, providers)| {
                let value = if providers.is_empty() {
                    NONE.to_string()
                } else {
                    providers.join(",")
                };
                format!("--{module} {value}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A valid project name for generating this combination: `combo-c01`.
    pub fn project_name(&self) -> ProjectName {
        ProjectName::parse(&format!("combo-{}", self.id))
            .expect("`combo-` and an id of a letter and digits is a valid project name")
    }

    /// The choices this combination makes, checked against `catalogue`.
    pub fn choices(&self, catalogue: &Catalogue) -> Result<Choices, AnswersError> {
        let mut choices = Choices::default();
        for (module, providers) in &self.modules {
            choices.set(catalogue, module, providers)?;
        }
        Ok(choices)
    }

    /// Complete answers for this combination, named by [`Combination::project_name`].
    ///
    /// Modules left out of the matrix take their defaults, as `omnistack new --yes` would.
    pub fn answers(&self, catalogue: &Catalogue) -> Result<Answers, AnswersError> {
        let choices = self.choices(catalogue)?;
        let answers = Answers::complete(catalogue, self.project_name(), &choices, |_| {
            Ok::<_, Infallible>(None)
        });
        Ok(answers.unwrap_or_else(|never| match never {}))
    }
}

/// The modules the matrix varies: those that change Rust code, or all with `include_non_code`.
///
/// Modules that only change other files (deploy targets) cannot break `cargo check`, so building
/// every combination of them would only multiply CI time; they are checked separately.
pub fn options(catalogue: &Catalogue, include_non_code: bool) -> Vec<&Module> {
    catalogue
        .modules
        .iter()
        .filter(|m| include_non_code || m.affects_code)
        .collect()
}

/// The combinations `strategy` picks from the catalogue's modules, in a deterministic order.
pub fn combinations(
    catalogue: &Catalogue,
    strategy: Strategy,
    include_non_code: bool,
) -> Vec<Combination> {
    let options = options(catalogue, include_non_code);
    let selections: Vec<Vec<Vec<String>>> = options.iter().map(|m| m.selections()).collect();
    let sizes: Vec<usize> = selections.iter().map(Vec::len).collect();
    let requirements = requirements::Requirements::new(&options, &selections);
    let rows = match strategy {
        Strategy::All => strategy
            .rows(&sizes)
            .into_iter()
            .filter(|row| requirements.holds(row))
            .collect(),
        Strategy::Pairwise => requirements.repair_pairwise(strategy.rows(&sizes)),
        Strategy::Each => requirements.repair_each(strategy.rows(&sizes)),
    };
    let total = rows.len();
    rows.into_iter()
        .enumerate()
        .map(|(index, row)| Combination {
            id: id(index, total),
            modules: options
                .iter()
                .zip(&selections)
                .zip(row)
                .map(|((module, values), value)| (module.name.clone(), values[value].clone()))
                .collect(),
        })
        .collect()
}

/// The id of combination `index` (from 0) of `total`: `c01`, padded so that ids sort as numbers.
pub fn id(index: usize, total: usize) -> String {
    let width = total.to_string().len().max(2);
    format!("c{:0width$}", index + 1)
}

/// How many combinations `strategy` picks; for `all` without requirements, without building them.
pub fn count(catalogue: &Catalogue, strategy: Strategy, include_non_code: bool) -> usize {
    let options = options(catalogue, include_non_code);
    let unconstrained = options.iter().all(|m| {
        m.requires
            .iter()
            .all(|r| !options.iter().any(|o| &o.name == r))
    });
    if strategy == Strategy::All && unconstrained {
        let sizes: Vec<usize> = options.iter().map(|m| selection_count(m)).collect();
        strategy.count(&sizes)
    } else {
        combinations(catalogue, strategy, include_non_code).len()
    }
}

/// How many selections a module has, without listing every subset of a `many` module.
fn selection_count(module: &Module) -> usize {
    let providers = module.providers.len();
    let chosen = match module.kind {
        Kind::One => providers,
        // Every non-empty subset; `1 << 64` would overflow, so saturate.
        Kind::Many => 1usize
            .checked_shl(u32::try_from(providers).unwrap_or(u32::MAX))
            .map_or(usize::MAX, |n| n - 1),
    };
    chosen.saturating_add(usize::from(module.optional))
}

#[cfg(test)]
mod tests;
