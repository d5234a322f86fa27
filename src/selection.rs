//! What `add` and `remove` change in the answers: the module named (or found from a provider
//! name), and its providers after the change.

use crate::answers::{Answers, AnswersError, Choices};
use crate::catalogue::{Catalogue, Kind, Module};

/// An `add` or `remove` that the catalogue or the project's answers do not allow.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    /// The word is neither a module nor a provider.
    #[error("unknown module or provider `{word}`; known modules: {known}")]
    Unknown {
        /// The word given.
        word: String,
        /// Every module name, comma separated.
        known: String,
    },
    /// A provider name that several modules have.
    #[error(
        "`{provider}` is a provider of several modules ({modules}); name the module: `omnistack add <module> --provider {provider}`"
    )]
    Ambiguous {
        /// The provider name.
        provider: String,
        /// The modules that have it, comma separated.
        modules: String,
    },
    /// A provider name given as the target, and `--provider` as well.
    #[error(
        "`{provider}` is a provider of `{module}`; give either `{module} --provider ...` or a provider name alone"
    )]
    ProviderTwice {
        /// The provider given as the target.
        provider: String,
        /// Its module.
        module: String,
    },
    /// `add` with nothing to add.
    #[error("choose a provider for `{module}` with --provider ({allowed})")]
    NoProvider {
        /// The module.
        module: String,
        /// Its providers, comma separated.
        allowed: String,
    },
    /// `remove` of a module that every project needs.
    #[error(
        "`{module}` is required: every project needs one ({description}); switch providers with `omnistack add {module} --provider <{allowed}>` instead"
    )]
    Required {
        /// The module.
        module: String,
        /// What the module is for.
        description: String,
        /// Its providers, separated by `|`.
        allowed: String,
    },
    /// `remove` of something the project does not have.
    #[error("the project has no `{what}` to remove")]
    NotChosen {
        /// The module, or `module --provider provider`.
        what: String,
    },
    /// A provider value the module does not have.
    #[error(transparent)]
    Answers(#[from] AnswersError),
}

/// The module an `add` or `remove` is about, and the providers named on the command line.
#[derive(Debug, Clone)]
pub struct Target<'c> {
    /// The module.
    pub module: &'c Module,
    /// The providers named (empty when none were).
    pub providers: Vec<String>,
}

impl<'c> Target<'c> {
    /// Reads `word` as a module name, or as a provider name that only one module has.
    pub fn resolve(
        catalogue: &'c Catalogue,
        word: &str,
        providers: &[String],
    ) -> Result<Self, SelectionError> {
        if let Some(module) = catalogue.module(word) {
            return Ok(Self {
                module,
                providers: providers.to_vec(),
            });
        }
        let owners: Vec<&Module> = catalogue
            .modules
            .iter()
            .filter(|m| m.provider(word).is_some())
            .collect();
        match owners.as_slice() {
            [] => Err(SelectionError::Unknown {
                word: word.to_string(),
                known: catalogue.module_names().join(", "),
            }),
            [module] if providers.is_empty() => Ok(Self {
                module,
                providers: vec![word.to_string()],
            }),
            [module] => Err(SelectionError::ProviderTwice {
                provider: word.to_string(),
                module: module.name.clone(),
            }),
            _ => Err(SelectionError::Ambiguous {
                provider: word.to_string(),
                modules: owners
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The answers with `wanted` added: it replaces a `one` module's provider, and joins a
    /// `many` module's providers.
    pub fn added(
        &self,
        catalogue: &Catalogue,
        answers: &Answers,
        wanted: &[String],
    ) -> Result<Answers, SelectionError> {
        let module = self.module;
        let mut values: Vec<String> = match module.kind {
            Kind::One => Vec::new(),
            Kind::Many => answers.providers(&module.name).to_vec(),
        };
        values.extend(wanted.iter().cloned());
        let values = checked(catalogue, module, &values)?;
        if values.is_empty() {
            return Err(SelectionError::NoProvider {
                module: module.name.clone(),
                allowed: provider_names(module).join(", "),
            });
        }
        Ok(with(answers, module, values))
    }

    /// The answers with this target removed: the named providers, or the whole module.
    pub fn removed(&self, answers: &Answers) -> Result<Answers, SelectionError> {
        let module = self.module;
        let current = answers.providers(&module.name);
        if let Some(missing) = self.providers.iter().find(|p| !current.contains(p)) {
            return Err(SelectionError::NotChosen {
                what: format!("{} --provider {missing}", module.name),
            });
        }
        if current.is_empty() {
            return Err(SelectionError::NotChosen {
                what: module.name.clone(),
            });
        }
        let remaining: Vec<String> = if self.providers.is_empty() {
            Vec::new()
        } else {
            current
                .iter()
                .filter(|p| !self.providers.contains(p))
                .cloned()
                .collect()
        };
        if remaining.is_empty() && !module.optional {
            return Err(SelectionError::Required {
                module: module.name.clone(),
                description: module.description.clone(),
                allowed: provider_names(module).join("|"),
            });
        }
        Ok(with(answers, module, remaining))
    }
}

fn provider_names(module: &Module) -> Vec<&str> {
    module.providers.iter().map(|p| p.name.as_str()).collect()
}

/// Validates `values` for `module` and puts them in catalogue order, as flags of `new` are.
fn checked(
    catalogue: &Catalogue,
    module: &Module,
    values: &[String],
) -> Result<Vec<String>, SelectionError> {
    let mut choices = Choices::default();
    choices.set(catalogue, &module.name, values)?;
    Ok(choices.get(&module.name).cloned().unwrap_or_default())
}

fn with(answers: &Answers, module: &Module, values: Vec<String>) -> Answers {
    let mut answers = answers.clone();
    answers.modules.insert(module.name.clone(), values);
    answers
}
