//! The catalogue: the one description of every module and provider.
//!
//! It is read from the embedded `templates/` tree, where each unit declares itself beside its files:
//!
//! ```text
//! templates/crates.toml                           crate versions, chosen once
//! templates/base/base.toml + files/               what every project gets
//! templates/base/without/<module>/without.toml + files/  what it gets while <module> is not chosen
//! templates/modules/<module>/module.toml + files/ a module: prompt, kind, default; files shared by its providers
//! templates/modules/<module>/<provider>/provider.toml + files/
//! templates/modules/<module>/with/<other>/with.toml + files/  only when <other> is chosen too
//! templates/modules/<module>/<provider>/with/<other>/with.toml + files/  ... with this provider
//! templates/features/<feature>/feature.toml + files/  no choice: there whenever its modules are
//! templates/features/<feature>/with/<module>/with.toml + files/        ... and <module> is chosen
//! templates/features/<feature>/without/<module>/without.toml + files/  ... and it is not
//! templates/resource/resource.toml + files/       every declared resource (`crate::resource`)
//! templates/resource/owner/<owner>/owner.toml + files/  ... whose rows have that owner
//! templates/resource/owner/<owner>/with/<module>/with.toml + files/        ... and <module> is chosen
//! templates/resource/owner/<owner>/without/<module>/without.toml + files/  ... and it is not
//! templates/resource/types/<type>/type.toml + files/    ... that has a field of that type
//! templates/resource/with/<module>/with.toml + files/    ... when <module> is chosen too
//! templates/resource/migrations/{create,add,owner,drop}.sql.jinja  its migrations
//! templates/resource/example.toml                 the resources a new project declares
//! ```
//!
//! A feature is what a pairing of three or more modules would be: reports need users (auth) and
//! a worker (jobs), and keep their CSV in the bucket when there is one (storage). Rather than
//! `{% if %}` blocks on other modules, each variant ships its own files. A feature may also need
//! the project's resources ([`ResourceNeed`]): the purge job needs jobs and a resource to purge,
//! the reports the example's `projects`.
//!
//! Shared files (config, state, router, `main.rs`, compose, README...) take what units add
//! through typed [`Contributions`]: a state field has a name, a type, an initialiser and a doc;
//! a settings group names the file that defines its type. The loader deserializes them strictly
//! and checks their contracts (`contract.rs`), so a broken declaration fails a unit test.
//!
//! Adding a provider is adding a folder: flags, prompts, presets, `omnistack list` and the
//! matrix all follow from what is declared here.

mod contract;
mod contribution;
mod load;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::resource::Resources;

pub use contribution::{
    AiProvider, CiStep, ComposeService, Contribution, Contributions, CrateSpec, CrateUse,
    DeployRole, EnvValue, EnvVar, Job, JobContext, LocalIssuer, MakeTarget, ReadmePart, ReadmeText,
    Route, RouteGroup, SettingsGroup, StateField, Subcommand,
};
pub use load::CatalogueError;

/// The word that, for an optional module, means "leave it out".
pub const NONE: &str = "none";

/// Every module and provider omnistack knows, in prompt order.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// What every generated project contains.
    pub base: Contribution,
    /// What a project contains while a module is not chosen (`base/without/<module>/`), such as
    /// the example resource's shared rows without auth; `chosen` is always `false`.
    pub base_parts: Vec<FeaturePart>,
    /// The version table of every crate a generated project may depend on.
    pub crates: BTreeMap<String, CrateSpec>,
    /// The modules, sorted by their declared order.
    pub modules: Vec<Module>,
    /// The features, sorted by name.
    pub features: Vec<Feature>,
    /// The templates every resource a project declares is rendered from.
    pub resource: ResourceTemplates,
    /// The resources a new project declares unless told otherwise (`templates/resource/example.toml`).
    pub example: Resources,
}

/// `templates/resource/`: the units a declared resource is rendered from, each rendered once
/// per resource with `resource` in its context (file paths may hold `__resource__`, the
/// resource's name; the strings of the declarations may use `{{ resource.* }}`).
#[derive(Debug, Clone, Default)]
pub struct ResourceTemplates {
    /// What every resource gets.
    pub common: ResourceUnit,
    /// What a resource gets by the owner of its rows (`user`, `none`).
    pub owners: BTreeMap<String, ResourceUnit>,
    /// What a resource gets when it has a field of a type, by the type's keyword.
    pub types: BTreeMap<String, ResourceUnit>,
    /// The templates of its migrations: `create`, `add` and `drop`, by kind.
    pub migrations: BTreeMap<String, &'static include_dir::File<'static>>,
}

/// One unit of [`ResourceTemplates`].
#[derive(Debug, Clone, Default)]
pub struct ResourceUnit {
    /// Its declarations and files; the strings of `adds` are templates.
    pub contribution: Contribution,
    /// `openapi.json.jinja`: the template of its OpenAPI fragment.
    pub openapi: Option<&'static include_dir::File<'static>>,
    /// Its parts that depend on another module (`with/<module>/`, `without/<module>/`), such
    /// as shared rows on the public routes without auth and behind sign-in with it.
    pub parts: Vec<ResourcePart>,
}

/// A part of a [`ResourceUnit`] included only while a module is chosen, or only while it is not.
#[derive(Debug, Clone)]
pub struct ResourcePart {
    /// The module.
    pub module: String,
    /// Whether the part applies when the module is chosen (`with/`) or when it is not (`without/`).
    pub chosen: bool,
    /// What the part adds; it has no parts of its own.
    pub unit: ResourceUnit,
}

impl ResourceUnit {
    /// The parts of the unit that apply when `chosen` says which modules are chosen.
    pub fn parts_for(&self, chosen: impl Fn(&str) -> bool) -> impl Iterator<Item = &ResourceUnit> {
        self.parts
            .iter()
            .filter(move |part| chosen(&part.module) == part.chosen)
            .map(|part| &part.unit)
    }
}

impl Catalogue {
    /// The catalogue compiled into this binary.
    pub fn embedded() -> Result<Self, CatalogueError> {
        load::load(&crate::templates::TEMPLATES)
    }

    /// The module with this name.
    pub fn module(&self, name: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.name == name)
    }

    /// Every unit's contribution: the core and its parts, each module's shared part, providers
    /// and pairings, each feature and its parts.
    pub fn contributions(&self) -> impl Iterator<Item = &Contribution> {
        let modules = self.modules.iter().flat_map(|module| {
            std::iter::once(&module.common)
                .chain(module.providers.iter().map(|p| &p.contribution))
                .chain(module.pairings.iter().map(|p| &p.contribution))
                .chain(
                    module
                        .providers
                        .iter()
                        .flat_map(|provider| &provider.pairings)
                        .map(|p| &p.contribution),
                )
        });
        let features = self.features.iter().flat_map(|feature| {
            std::iter::once(&feature.contribution)
                .chain(feature.parts.iter().map(|p| &p.contribution))
        });
        std::iter::once(&self.base)
            .chain(self.base_parts.iter().map(|p| &p.contribution))
            .chain(modules)
            .chain(features)
    }

    /// The names of every module, in prompt order.
    pub fn module_names(&self) -> Vec<&str> {
        self.modules.iter().map(|m| m.name.as_str()).collect()
    }
}

/// Whether a module takes one provider or any set of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Exactly one provider (or `none` when the module is optional).
    One,
    /// Any subset of the providers; the empty set is `none`.
    Many,
}

/// A choice the user makes: the auth provider, the deploy targets, ...
#[derive(Debug, Clone)]
pub struct Module {
    /// The module's name, which is also its flag (`--auth`) and its key in answer files.
    pub name: String,
    /// The question asked when the choice is prompted for.
    pub prompt: String,
    /// One line saying what the module adds.
    pub description: String,
    /// One provider or a set of them.
    pub kind: Kind,
    /// Whether `none` is allowed.
    pub optional: bool,
    /// The providers chosen when nobody says otherwise (empty means `none`).
    pub default: Vec<String>,
    /// Whether a choice here changes the Rust code (deploy targets, say, do not).
    pub affects_code: bool,
    /// Modules that must be chosen (not `none`) for this one to be (payments need users, say).
    pub requires: Vec<String>,
    /// What every provider of this module adds.
    pub common: Contribution,
    /// The providers, sorted by name.
    pub providers: Vec<Provider>,
    /// What this module adds when another module is chosen too (email sent through jobs, say).
    pub pairings: Vec<Pairing>,
}

/// The part of a module that only makes sense beside another module.
#[derive(Debug, Clone)]
pub struct Pairing {
    /// The other module, which must be chosen (with any provider) for this to apply; for a
    /// provider of a module that takes several, it may be another provider of that module,
    /// chosen beside it (OpenTelemetry beside Sentry).
    pub with: String,
    /// What the pair adds.
    pub contribution: Contribution,
}

/// Something a project gets, without being asked, whenever every module it requires is chosen
/// (and its resources are as it needs them).
#[derive(Debug, Clone)]
pub struct Feature {
    /// The feature's name (its folder under `templates/features/`).
    pub name: String,
    /// One line saying what it adds.
    pub description: String,
    /// The modules that must all be chosen (with any provider) for the feature to be included.
    pub requires: Vec<String>,
    /// What the project's resources must be for the feature to be included, if anything.
    pub resources: Option<ResourceNeed>,
    /// What it adds.
    pub contribution: Contribution,
    /// What it adds depending on one more module.
    pub parts: Vec<FeaturePart>,
}

/// What a feature needs of the resources a project declares (`requires-resources`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceNeed {
    /// At least one resource that is not removed.
    Any,
    /// The catalogue's [`Catalogue::example`], each resource declared as the example declares
    /// it, or with more fields.
    Example,
}

impl ResourceNeed {
    /// What it needs, in words.
    pub fn what(self) -> &'static str {
        match self {
            Self::Any => "a resource",
            Self::Example => "the example's resources as `omnistack new` declares them",
        }
    }

    /// Whether `resources` meet the need, `example` being the catalogue's example.
    pub fn met(self, resources: &Resources, example: &Resources) -> bool {
        match self {
            Self::Any => resources.values().any(|r| r.removed.is_none()),
            Self::Example => example.iter().all(|(name, declared)| {
                resources
                    .get(name)
                    .is_some_and(|resource| resource.extends(declared))
            }),
        }
    }
}

/// The part of a feature that depends on whether one more module is chosen.
#[derive(Debug, Clone)]
pub struct FeaturePart {
    /// The module.
    pub module: String,
    /// Whether the part applies when the module is chosen (`with/`) or when it is not (`without/`).
    pub chosen: bool,
    /// What the part adds.
    pub contribution: Contribution,
}

impl Module {
    /// The provider with this name.
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// Every value a flag or an answer file may give this module, `none` included where allowed.
    pub fn allowed_values(&self) -> Vec<&str> {
        let mut values: Vec<&str> = self.providers.iter().map(|p| p.name.as_str()).collect();
        if self.optional {
            values.push(NONE);
        }
        values
    }

    /// Every selection this module accepts: each provider (or each subset, for `many`), and `none`.
    pub fn selections(&self) -> Vec<Vec<String>> {
        let names: Vec<String> = self.providers.iter().map(|p| p.name.clone()).collect();
        let mut all: Vec<Vec<String>> = match self.kind {
            Kind::One => names.into_iter().map(|n| vec![n]).collect(),
            Kind::Many => (1u32..(1 << names.len()))
                .map(|mask| {
                    names
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, n)| n.clone())
                        .collect()
                })
                .collect(),
        };
        if self.optional {
            all.push(Vec::new());
        }
        all
    }
}

#[cfg(test)]
impl Module {
    /// A module with no declarations beyond its providers, for tests of what reads the catalogue.
    pub(crate) fn fixture(name: &str, kind: Kind, optional: bool, providers: &[&str]) -> Self {
        Module {
            name: name.into(),
            prompt: name.into(),
            description: name.into(),
            kind,
            optional,
            default: Vec::new(),
            affects_code: true,
            requires: Vec::new(),
            common: Contribution::default(),
            pairings: Vec::new(),
            providers: providers
                .iter()
                .map(|p| Provider {
                    name: p.to_string(),
                    description: p.to_string(),
                    contribution: Contribution::default(),
                    pairings: Vec::new(),
                })
                .collect(),
        }
    }
}

/// One way of providing a module: Supabase for auth, Resend for email, ...
#[derive(Debug, Clone)]
pub struct Provider {
    /// The provider's name, as given on the command line.
    pub name: String,
    /// One line shown beside the name in prompts and in `omnistack list`.
    pub description: String,
    /// What choosing it adds.
    pub contribution: Contribution,
    /// What it adds when another module is chosen too (traces carried into jobs, say).
    pub pairings: Vec<Pairing>,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::One => "one",
            Kind::Many => "many",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_loads_and_is_consistent() {
        let catalogue = Catalogue::embedded().expect("templates/ declares a consistent catalogue");
        assert!(catalogue.module("db").is_some());
    }

    #[test]
    fn every_auth_provider_says_how_the_app_trusts_a_local_issuer() {
        // The client's signed-in end-to-end tests sign in through it, whichever provider is chosen.
        let catalogue = Catalogue::embedded().unwrap();
        let auth = catalogue.module("auth").unwrap();
        assert!(auth.common.adds.local_issuer.is_empty());
        for provider in &auth.providers {
            assert_eq!(
                provider.contribution.adds.local_issuer.len(),
                1,
                "auth provider `{}`",
                provider.name
            );
        }
    }

    #[test]
    fn env_vars_that_can_meet_in_one_project_are_declared_identically() {
        let catalogue = Catalogue::embedded().unwrap();
        // Each unit with the `one` module it is an alternative of: two providers of the same
        // `one` module never meet, so they may describe a shared variable differently.
        let mut units: Vec<(Option<&str>, &Contribution)> = vec![(None, &catalogue.base)];
        units.extend(catalogue.base_parts.iter().map(|p| (None, &p.contribution)));
        for module in &catalogue.modules {
            units.push((None, &module.common));
            let exclusive = (module.kind == Kind::One).then_some(module.name.as_str());
            units.extend(
                module
                    .providers
                    .iter()
                    .map(|p| (exclusive, &p.contribution)),
            );
        }
        for (i, (group_a, a)) in units.iter().enumerate() {
            for (group_b, b) in &units[i + 1..] {
                if group_a.is_some() && group_a == group_b {
                    continue;
                }
                for var in &a.env {
                    if let Some(other) = b.env.iter().find(|v| v.name == var.name) {
                        assert_eq!(var, other, "{} is declared twice, differently", var.name);
                    }
                }
            }
        }
    }

    #[test]
    fn a_many_module_offers_every_non_empty_subset_and_none() {
        let catalogue = Catalogue::embedded().unwrap();
        for module in catalogue.modules.iter().filter(|m| m.kind == Kind::Many) {
            let n = module.providers.len();
            let expected = (1usize << n) - 1 + usize::from(module.optional);
            assert_eq!(module.selections().len(), expected, "{}", module.name);
        }
    }
}
