//! Answers: the user's choices, as given by presets, flags and prompts, and as stored in `omnistack.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalogue::{Catalogue, Kind, Module, NONE};
use crate::name::{NameError, ProjectName};
use crate::resource::{ResourceError, Resources, check};

/// The file, at the root of every generated project, that records how it was generated.
pub const ANSWERS_FILE: &str = "omnistack.toml";

/// A choice that the catalogue does not allow, or an answers file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or has a key omnistack does not know.
    #[error("{}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, which names the key and line.
        message: String,
    },
    /// A module name that the catalogue does not have.
    #[error("unknown module `{module}`; known modules: {known}")]
    UnknownModule {
        /// The name given.
        module: String,
        /// Every module name, comma separated.
        known: String,
    },
    /// A provider that the module does not have.
    #[error("unknown value `{value}` for `{module}`; allowed values: {allowed}")]
    UnknownProvider {
        /// The module.
        module: String,
        /// The value given.
        value: String,
        /// Every allowed value, comma separated.
        allowed: String,
    },
    /// More than one provider for a module that takes one.
    #[error("`{module}` takes a single value, got `{given}`; allowed values: {allowed}")]
    TooMany {
        /// The module.
        module: String,
        /// The values given, comma separated.
        given: String,
        /// Every allowed value, comma separated.
        allowed: String,
    },
    /// `none` given together with providers.
    #[error("`{module}`: `none` cannot be combined with other values")]
    NoneWithOthers {
        /// The module.
        module: String,
    },
    /// A value that is neither a string nor a list of strings.
    #[error("`{module}` must be a string or a list of strings")]
    WrongType {
        /// The module.
        module: String,
    },
    /// The project name in the file is invalid.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A recorded migration version that is not `YYYYMMDDHHMMSS`.
    #[error(
        "[migrations] {name} = \"{version}\": a migration version is 14 digits, `YYYYMMDDHHMMSS`"
    )]
    MigrationVersion {
        /// The migration's logical name.
        name: String,
        /// The version given.
        version: String,
    },
    /// A module chosen without a module it needs.
    #[error(
        "`{module}` needs `{needs}`: choose one of {allowed} for `{needs}`, or `none` for `{module}`"
    )]
    Requires {
        /// The module chosen.
        module: String,
        /// The module it needs, left at `none`.
        needs: String,
        /// The providers that would satisfy it, comma separated.
        allowed: String,
    },
    /// A resource declaration that cannot be generated.
    #[error(transparent)]
    Resource(#[from] ResourceError),
}

/// Choices for some of the modules: what a preset or the flags say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices(BTreeMap<String, Vec<String>>);

impl Choices {
    /// Records a checked choice for `module`, replacing any earlier one.
    pub fn set(
        &mut self,
        catalogue: &Catalogue,
        module: &str,
        values: &[String],
    ) -> Result<(), AnswersError> {
        let module = find_module(catalogue, module)?;
        let values = normalise(module, values)?;
        self.0.insert(module.name.clone(), values);
        Ok(())
    }

    /// The providers chosen for `module`, if a choice was made.
    pub fn get(&self, module: &str) -> Option<&Vec<String>> {
        self.0.get(module)
    }

    /// Applies `other` on top of these choices (later layers win).
    pub fn overlay(&mut self, other: Choices) {
        self.0.extend(other.0);
    }
}

/// A complete set of answers: the project name and a selection for every module.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    /// The project's name.
    pub name: ProjectName,
    /// For every module of the catalogue, the providers chosen, in catalogue order (empty: `none`).
    pub modules: BTreeMap<String, Vec<String>>,
    /// The version of each module migration, by logical name (see [`crate::migrations`]); a
    /// migration without one gets the version its template ships.
    pub migrations: BTreeMap<String, String>,
    /// The user's resources, by name (see [`crate::resource`]).
    pub resources: Resources,
}

impl Answers {
    /// Completes `choices` for every module: a choice made wins, else `ask` decides, else the default.
    pub fn complete<E>(
        catalogue: &Catalogue,
        name: ProjectName,
        choices: &Choices,
        mut ask: impl FnMut(&Module) -> Result<Option<Vec<String>>, E>,
    ) -> Result<Self, E> {
        let mut modules = BTreeMap::new();
        for module in &catalogue.modules {
            let unmet = module
                .requires
                .iter()
                .any(|r| modules.get(r).is_none_or(Vec::is_empty));
            let values = match choices.get(&module.name) {
                Some(values) => values.clone(),
                // Asking for payments after the user said "no auth" would only lead to an error.
                None if unmet && module.optional => Vec::new(),
                None => ask(module)?.unwrap_or_else(|| module.default.clone()),
            };
            modules.insert(module.name.clone(), values);
        }
        Ok(Self {
            name,
            modules,
            migrations: BTreeMap::new(),
            resources: Resources::new(),
        })
    }

    /// Checks that every chosen module has the modules it requires, and that the resources can
    /// be generated with the modules chosen.
    pub fn check_requirements(&self, catalogue: &Catalogue) -> Result<(), AnswersError> {
        self.check_modules(catalogue)?;
        let auth = !self.providers(check::AUTH_MODULE).is_empty();
        let taken = check::Taken::of_project(catalogue, self);
        check::check(catalogue, &taken, &self.resources, Some(auth))?;
        Ok(())
    }

    fn check_modules(&self, catalogue: &Catalogue) -> Result<(), AnswersError> {
        for module in &catalogue.modules {
            if self.providers(&module.name).is_empty() {
                continue;
            }
            for needs in &module.requires {
                if self.providers(needs).is_empty() {
                    let allowed = catalogue
                        .module(needs)
                        .map(|m| {
                            m.providers
                                .iter()
                                .map(|p| p.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    return Err(AnswersError::Requires {
                        module: module.name.clone(),
                        needs: needs.clone(),
                        allowed,
                    });
                }
            }
        }
        Ok(())
    }

    /// The providers chosen for `module` (empty when `none` or unknown).
    pub fn providers(&self, module: &str) -> &[String] {
        self.modules.get(module).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The content of `omnistack.toml`: the generator version and every answer, in catalogue order.
    pub fn to_toml(&self, catalogue: &Catalogue) -> String {
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut out = String::from(
            "# How this project was generated. `omnistack add`, `remove` and `update` read and rewrite it.\n\n",
        );
        out.push_str(&format!(
            "[omnistack]\nversion = {}\n\n[project]\nname = {}\n\n[modules]\n",
            quote(crate::VERSION),
            quote(self.name.as_str())
        ));
        for module in &catalogue.modules {
            let values = self.providers(&module.name);
            let value = match module.kind {
                Kind::One => quote(values.first().map(String::as_str).unwrap_or(NONE)),
                Kind::Many => format!(
                    "[{}]",
                    values
                        .iter()
                        .map(|v| quote(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            out.push_str(&format!("{} = {value}\n", module.name));
        }
        for (name, resource) in &self.resources {
            out.push('\n');
            out.push_str(&crate::resource::to_toml(name, resource));
        }
        if !self.migrations.is_empty() {
            out.push_str("\n[migrations]\n");
            // In the order databases apply them.
            let mut by_version: Vec<(&String, &String)> = self.migrations.iter().collect();
            by_version.sort_by_key(|&(name, version)| (version, name));
            for (name, version) in by_version {
                out.push_str(&format!("{name} = {}\n", quote(version)));
            }
        }
        out
    }
}

/// The parsed content of an answers file (a preset, or a project's `omnistack.toml`).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswersFile {
    /// The omnistack version that wrote it, if recorded.
    pub version: Option<String>,
    /// The project name, if recorded.
    pub name: Option<ProjectName>,
    /// The choices it makes.
    pub choices: Choices,
    /// The recorded version of each module migration, by logical name.
    pub migrations: BTreeMap<String, String>,
    /// The resources it declares.
    pub resources: Resources,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    omnistack: Option<RawStamp>,
    project: Option<RawProject>,
    #[serde(default)]
    modules: BTreeMap<String, toml::Value>,
    #[serde(default)]
    migrations: BTreeMap<String, String>,
    #[serde(default)]
    resources: Resources,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStamp {
    version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: String,
}

impl AnswersFile {
    /// Reads and checks an answers file against the catalogue.
    pub fn read(catalogue: &Catalogue, path: &Path) -> Result<Self, AnswersError> {
        let text = std::fs::read_to_string(path).map_err(|source| AnswersError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(catalogue, &text).map_err(|e| match e {
            AnswersError::Parse { message, .. } => AnswersError::Parse {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }

    /// Parses and checks answers-file text against the catalogue.
    pub fn parse(catalogue: &Catalogue, text: &str) -> Result<Self, AnswersError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| AnswersError::Parse {
            path: PathBuf::from(ANSWERS_FILE),
            message: e.to_string().trim_end().to_string(),
        })?;
        let mut choices = Choices::default();
        for (module, value) in raw.modules {
            let values = match value {
                toml::Value::String(s) => vec![s],
                toml::Value::Array(items) => items
                    .into_iter()
                    .map(|item| match item {
                        toml::Value::String(s) => Ok(s),
                        _ => Err(AnswersError::WrongType {
                            module: module.clone(),
                        }),
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err(AnswersError::WrongType { module }),
            };
            choices.set(catalogue, &module, &values)?;
        }
        if let Some((name, version)) = raw
            .migrations
            .iter()
            .find(|(_, version)| !crate::migrations::is_version(version))
        {
            return Err(AnswersError::MigrationVersion {
                name: name.clone(),
                version: version.clone(),
            });
        }
        // Whether the project has auth is known only when the file chooses; otherwise the
        // check before rendering decides, once defaults and prompts have.
        let auth = choices.get(check::AUTH_MODULE).map(|p| !p.is_empty());
        // The modules the project will have are known only once the defaults and prompts have
        // answered: the names they take are checked before rendering.
        check::check(catalogue, &check::Taken::core(), &raw.resources, auth)?;
        Ok(Self {
            version: raw.omnistack.map(|s| s.version),
            name: raw
                .project
                .map(|p| ProjectName::parse(&p.name))
                .transpose()?,
            choices,
            migrations: raw.migrations,
            resources: raw.resources,
        })
    }
}

fn find_module<'c>(catalogue: &'c Catalogue, name: &str) -> Result<&'c Module, AnswersError> {
    catalogue
        .module(name)
        .ok_or_else(|| AnswersError::UnknownModule {
            module: name.to_string(),
            known: catalogue.module_names().join(", "),
        })
}

/// Checks `values` against the module and puts them in canonical order (`none` becomes empty).
fn normalise(module: &Module, values: &[String]) -> Result<Vec<String>, AnswersError> {
    let allowed = || module.allowed_values().join(", ");
    if let Some(value) = values
        .iter()
        .find(|v| *v != NONE && module.provider(v).is_none())
    {
        return Err(AnswersError::UnknownProvider {
            module: module.name.clone(),
            value: value.clone(),
            allowed: allowed(),
        });
    }
    if values.iter().any(|v| v == NONE) {
        if !module.optional {
            return Err(AnswersError::UnknownProvider {
                module: module.name.clone(),
                value: NONE.to_string(),
                allowed: allowed(),
            });
        }
        if values.len() > 1 {
            return Err(AnswersError::NoneWithOthers {
                module: module.name.clone(),
            });
        }
        return Ok(Vec::new());
    }
    if values.is_empty() && !module.optional {
        return Err(AnswersError::UnknownProvider {
            module: module.name.clone(),
            value: String::new(),
            allowed: allowed(),
        });
    }
    if module.kind == Kind::One && values.len() > 1 {
        return Err(AnswersError::TooMany {
            module: module.name.clone(),
            given: values.join(", "),
            allowed: allowed(),
        });
    }
    Ok(module
        .providers
        .iter()
        .filter(|p| values.contains(&p.name))
        .map(|p| p.name.clone())
        .collect())
}

/// Answers for the unit tests of other modules.
#[cfg(test)]
impl Answers {
    /// The catalogue's default answer for every module, in a project named `demo`.
    pub(crate) fn defaults(catalogue: &Catalogue) -> Self {
        Self {
            name: ProjectName::parse("demo").unwrap(),
            modules: catalogue
                .modules
                .iter()
                .map(|m| (m.name.clone(), m.default.clone()))
                .collect(),
            migrations: BTreeMap::new(),
            resources: Resources::new(),
        }
    }

    /// These answers with `module` answered `providers`.
    pub(crate) fn answering(mut self, module: &str, providers: &[&str]) -> Self {
        let providers = providers.iter().map(|p| p.to_string()).collect();
        self.modules.insert(module.to_string(), providers);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Contribution;

    fn module(name: &str, kind: Kind, optional: bool, providers: &[&str]) -> Module {
        Module::fixture(name, kind, optional, providers)
    }

    fn catalogue() -> Catalogue {
        Catalogue {
            base: Contribution::default(),
            base_parts: Vec::new(),
            crates: BTreeMap::new(),
            modules: vec![
                module("auth", Kind::One, true, &["clerk", "supabase"]),
                module("deploy", Kind::Many, true, &["fly", "railway", "render"]),
                module("db", Kind::One, false, &["postgres", "serverless"]),
                Module {
                    requires: vec!["auth".to_string()],
                    ..module("billing", Kind::One, true, &["stripe"])
                },
            ],
            features: Vec::new(),
            resource: crate::catalogue::ResourceTemplates {
                owners: [("user".to_string(), Default::default())].into(),
                ..Default::default()
            },
            example: Default::default(),
        }
    }

    fn set(module: &str, values: &[&str]) -> Result<Vec<String>, AnswersError> {
        let mut choices = Choices::default();
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        choices.set(&catalogue(), module, &values)?;
        Ok(choices.get(module).cloned().unwrap_or_default())
    }

    #[test]
    fn many_values_are_put_in_catalogue_order_without_duplicates() {
        assert_eq!(
            set("deploy", &["render", "fly", "render"]).unwrap(),
            ["fly", "render"]
        );
    }

    #[test]
    fn none_means_an_empty_selection() {
        assert!(set("deploy", &["none"]).unwrap().is_empty());
        assert!(set("auth", &["none"]).unwrap().is_empty());
    }

    #[test]
    fn none_is_refused_for_a_required_module() {
        let err = set("db", &["none"]).unwrap_err();
        assert!(
            err.to_string()
                .contains("allowed values: postgres, serverless"),
            "{err}"
        );
    }

    #[test]
    fn none_with_providers_is_refused() {
        assert!(matches!(
            set("deploy", &["none", "fly"]),
            Err(AnswersError::NoneWithOthers { .. })
        ));
    }

    #[test]
    fn two_providers_for_a_one_module_are_refused() {
        let err = set("auth", &["clerk", "supabase"]).unwrap_err();
        assert!(err.to_string().contains("takes a single value"), "{err}");
    }

    #[test]
    fn an_unknown_module_names_the_known_ones() {
        let err = set("payments", &["stripe"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown module `payments`; known modules: auth, deploy, db, billing"
        );
    }

    #[test]
    fn a_number_is_the_wrong_type() {
        let err = AnswersFile::parse(&catalogue(), "[modules]\nauth = 3\n").unwrap_err();
        assert!(matches!(err, AnswersError::WrongType { .. }));
    }

    #[test]
    fn an_invalid_project_name_in_a_file_is_refused() {
        let err = AnswersFile::parse(&catalogue(), "[project]\nname = \"Bad Name\"\n").unwrap_err();
        assert!(matches!(err, AnswersError::Name(_)));
    }

    #[test]
    fn complete_prefers_choices_then_the_asker_then_defaults() {
        let catalogue = catalogue();
        let mut choices = Choices::default();
        choices
            .set(&catalogue, "auth", &["clerk".to_string()])
            .unwrap();
        let answers = Answers::complete(
            &catalogue,
            ProjectName::parse("demo").unwrap(),
            &choices,
            |m| Ok::<_, ()>((m.name == "deploy").then(|| vec!["fly".to_string()])),
        )
        .unwrap();
        assert_eq!(answers.providers("auth"), ["clerk"]);
        assert_eq!(answers.providers("deploy"), ["fly"]);
        assert!(
            answers.providers("db").is_empty(),
            "the test catalogue's db has no default"
        );
    }

    #[test]
    fn a_many_module_recorded_as_one_string_reads_as_a_list_of_one() {
        // A module that chose one provider before it chose several (`--monitoring`) left
        // projects recording a string, such as `monitoring = "sentry"`.
        let text = "[modules]\ndb = \"postgres\"\ndeploy = \"fly\"\n";

        let file = AnswersFile::parse(&catalogue(), text).unwrap();

        assert_eq!(file.choices.get("deploy").unwrap(), &["fly"]);
    }

    #[test]
    fn to_toml_writes_one_modules_as_strings_and_many_as_arrays() {
        let catalogue = catalogue();
        let answers = Answers {
            name: ProjectName::parse("demo").unwrap(),
            modules: BTreeMap::from([
                ("auth".to_string(), vec![]),
                (
                    "deploy".to_string(),
                    vec!["fly".to_string(), "render".to_string()],
                ),
                ("db".to_string(), vec!["postgres".to_string()]),
            ]),
            migrations: BTreeMap::new(),
            resources: Default::default(),
        };
        let text = answers.to_toml(&catalogue);
        assert!(
            text.contains("auth = \"none\"\ndeploy = [\"fly\", \"render\"]\ndb = \"postgres\"\n"),
            "{text}"
        );
        let back = AnswersFile::parse(&catalogue, &text).unwrap();
        assert_eq!(back.name.unwrap().as_str(), "demo");
    }

    #[test]
    fn resources_round_trip_through_the_answers_file() {
        let catalogue = catalogue();
        let mut answers = complete_with(&[("auth", "clerk")], |_| {});
        answers.resources = toml::from_str(
            "[invoices]\nfields = [{ name = \"title\", type = \"string\", max-length = 80 }]\n",
        )
        .unwrap();

        let back = AnswersFile::parse(&catalogue, &answers.to_toml(&catalogue)).unwrap();

        assert_eq!(back.resources, answers.resources);
    }

    #[test]
    fn an_answers_file_with_an_invalid_resource_is_refused() {
        let err = AnswersFile::parse(
            &catalogue(),
            "[resources.match]\nfields = [{ name = \"title\", type = \"text\" }]\n",
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                AnswersError::Resource(ResourceError::RustKeyword { .. })
            ),
            "{err}"
        );
    }

    #[test]
    fn an_owned_resource_in_a_file_without_auth_is_refused() {
        let err = AnswersFile::parse(
            &catalogue(),
            "[modules]\nauth = \"none\"\n[resources.invoices]\nfields = [{ name = \"title\", type = \"text\" }]\n",
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                AnswersError::Resource(ResourceError::OwnerNeedsAuth { .. })
            ),
            "{err}"
        );
    }

    fn complete_with(choices: &[(&str, &str)], mut ask: impl FnMut(&Module)) -> Answers {
        let catalogue = catalogue();
        let mut given = Choices::default();
        for (module, value) in choices {
            given.set(&catalogue, module, &[value.to_string()]).unwrap();
        }
        Answers::complete(
            &catalogue,
            ProjectName::parse("demo").unwrap(),
            &given,
            |m| {
                ask(m);
                Ok::<_, ()>(Some(
                    m.providers.iter().take(1).map(|p| p.name.clone()).collect(),
                ))
            },
        )
        .unwrap()
    }

    #[test]
    fn a_module_whose_requirement_is_none_is_not_asked_and_left_out() {
        let mut asked = Vec::new();
        let answers = complete_with(&[("auth", "none")], |m| asked.push(m.name.clone()));
        assert!(answers.providers("billing").is_empty());
        assert!(!asked.contains(&"billing".to_string()), "asked {asked:?}");
        assert!(answers.check_requirements(&catalogue()).is_ok());
    }

    #[test]
    fn a_module_whose_requirement_is_met_is_asked() {
        let answers = complete_with(&[("auth", "clerk")], |_| {});
        assert_eq!(answers.providers("billing"), ["stripe"]);
        assert!(answers.check_requirements(&catalogue()).is_ok());
    }

    #[test]
    fn choosing_a_module_without_its_requirement_is_an_error_naming_both() {
        let answers = complete_with(&[("auth", "none"), ("billing", "stripe")], |_| {});
        let err = answers.check_requirements(&catalogue()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`billing` needs `auth`: choose one of clerk, supabase for `auth`, or `none` for `billing`"
        );
    }
}
