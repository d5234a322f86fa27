//! Planning: a pure function from answers to the files of the project and their render context.
//!
//! Planning reads only the embedded catalogue, so it is cheap enough to run for every
//! combination of options (`omnistack matrix`, and the tests that check them all).

use std::collections::{BTreeMap, BTreeSet};

use include_dir::{Dir, DirEntry, File};
use serde::Serialize;

use crate::answers::{ANSWERS_FILE, Answers};
use crate::catalogue::{
    Catalogue, Contribution, Contributions, CrateUse, DeployRole, EnvVar, Feature, ResourceUnit,
};
use crate::migrations::Shipped;
use crate::resource::context::ResourceContext;

/// The suffix of template files that are rendered with minijinja; every other file is copied as is.
pub const TEMPLATE_SUFFIX: &str = ".jinja";

/// Two catalogue units that would write the same file.
#[derive(Debug, thiserror::Error)]
#[error("`{path}` is shipped by both {first} and {second}")]
pub struct PlanError {
    /// The generated path.
    pub path: String,
    /// The unit that shipped it first.
    pub first: String,
    /// The unit that shipped it again.
    pub second: String,
}

/// The placeholder for a resource's name in the paths of `templates/resource/`.
pub const RESOURCE_PLACEHOLDER: &str = "__resource__";

/// Everything needed to render a project.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The files of the project, sorted by path.
    pub files: Vec<PlannedFile>,
    /// The data every template is rendered with.
    pub context: Context,
    /// What each declared resource adds to the shared files, in `context.resources` order.
    pub resources: Vec<PlannedResource>,
}

/// What one resource adds to the shared files, still to be rendered with its context.
#[derive(Debug, Clone, Default)]
pub struct PlannedResource {
    /// The additions of its units, whose strings are templates.
    pub adds: Contributions,
    /// The templates of its OpenAPI fragments.
    pub openapi: Vec<&'static File<'static>>,
}

/// One file of the generated project and where its bytes come from.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// Its path inside the project, with `/` separators.
    pub path: String,
    /// Its source.
    pub source: Source,
}

/// Where a planned file's bytes come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// An embedded template, rendered when its name ends in [`TEMPLATE_SUFFIX`].
    Template {
        /// The embedded file.
        file: &'static File<'static>,
        /// Whether it goes through minijinja.
        render: bool,
    },
    /// A template of `templates/resource/`, rendered with `resource` (and `migration`) set.
    Resource {
        /// The embedded file.
        file: &'static File<'static>,
        /// Whether it goes through minijinja.
        render: bool,
        /// The resource, as an index into `Context::resources`.
        resource: usize,
        /// The migration of the resource it renders, as an index into its `migrations`.
        migration: Option<usize>,
    },
    /// Text the generator writes itself (`omnistack.toml`).
    Generated(String),
}

/// The render context: what templates may refer to.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// The project's identity.
    pub project: ProjectContext,
    /// The modules that were chosen (not `none`), in catalogue order.
    pub chosen: Vec<ChosenModule>,
    /// `[dependencies]` lines for Cargo.toml, sorted by crate name.
    pub dependencies: Vec<String>,
    /// `[dev-dependencies]` lines for Cargo.toml, sorted by crate name.
    pub dev_dependencies: Vec<String>,
    /// Whether a unit depends on rustls itself, to build reqwest on rustls without a crypto
    /// provider of its own: every client then needs ring's installed first, the tests' too.
    pub rustls: bool,
    /// The environment variables the generated code reads, grouped by the unit that reads them.
    pub env_groups: Vec<EnvGroup>,
    /// The variables a deployed app needs from its user, split by how deploy configs treat them.
    pub deploy_env: DeployEnv,
    /// What the units add to shared files, base first, then modules in catalogue order, then
    /// resources.
    pub adds: Contributions,
    /// Every declared resource, by name; a removed one only renders its migrations.
    pub resources: Vec<ResourceContext>,
}

/// The project's identity, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectContext {
    /// The package and directory name (`my-app`).
    pub name: String,
    /// The name Rust code uses for the crate (`my_app`).
    pub crate_name: String,
    /// The omnistack version that generated it.
    pub omnistack_version: String,
}

/// A chosen module and its chosen providers.
#[derive(Debug, Clone, Serialize)]
pub struct ChosenModule {
    /// The module's name.
    pub name: String,
    /// The module's one-line description.
    pub description: String,
    /// The chosen providers.
    pub providers: Vec<ChosenProvider>,
}

/// A chosen provider.
#[derive(Debug, Clone, Serialize)]
pub struct ChosenProvider {
    /// The provider's name.
    pub name: String,
    /// The provider's one-line description.
    pub description: String,
}

/// The variables a user provides to a deployed app (neither managed by the platform nor fixed).
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeployEnv {
    /// Credentials, and values whose example only works locally: set by hand, never committed.
    pub secrets: Vec<EnvVar>,
    /// Plain settings, committed to deploy configs with their example value.
    pub settings: Vec<EnvVar>,
}

impl DeployEnv {
    fn from_groups(groups: &[EnvGroup]) -> Self {
        let mut env = Self::default();
        for var in groups.iter().flat_map(|g| &g.vars) {
            if var.deploy != DeployRole::User {
                continue;
            }
            let local_only = var.example.contains("localhost") || var.example.contains("127.0.0.1");
            if var.secret || local_only {
                env.secrets.push(var.clone());
            } else {
                env.settings.push(var.clone());
            }
        }
        env
    }
}

/// The environment variables read by one catalogue unit.
#[derive(Debug, Clone, Serialize)]
pub struct EnvGroup {
    /// A heading: `core`, or the module and provider.
    pub title: String,
    /// The variables, in declaration order.
    pub vars: Vec<EnvVar>,
}

/// A unit of the catalogue included in a plan, with a label for messages and headings.
pub(crate) struct Unit<'c> {
    pub(crate) label: String,
    pub(crate) contribution: &'c Contribution,
}

/// Plans the project described by `answers`.
pub fn plan(catalogue: &Catalogue, answers: &Answers) -> Result<Plan, PlanError> {
    let units = units(catalogue, answers);
    let mut files: BTreeMap<String, (String, PlannedFile)> = BTreeMap::new();
    let mut migrations = BTreeMap::new();
    for unit in &units {
        if let Some(dir) = unit.contribution.files {
            for file in files_below(dir) {
                let mut planned = planned_file(dir, file);
                if let Some(Ok(migration)) = Shipped::from_template_path(&planned.path) {
                    let version = answers
                        .migrations
                        .get(&migration.name)
                        .unwrap_or(&migration.default_version);
                    planned.path = migration.path(version);
                    migrations.insert(migration.name, version.clone());
                }
                if let Some((first, _)) = files.get(&planned.path) {
                    return Err(PlanError {
                        path: planned.path,
                        first: first.clone(),
                        second: unit.label.clone(),
                    });
                }
                files.insert(planned.path.clone(), (unit.label.clone(), planned));
            }
        }
    }
    // A migration of a module the project no longer has stays: databases have applied it, and
    // sqlx refuses to run against a database that applied a migration its directory lacks.
    for (name, version) in &answers.migrations {
        if migrations.contains_key(name) {
            continue;
        }
        if let Some((label, dir, file)) = shipped_anywhere(catalogue, name) {
            let mut planned = planned_file(dir, file);
            planned.path = format!("{}/{version}_{name}.sql", crate::migrations::DIR);
            migrations.insert(name.clone(), version.clone());
            files.insert(planned.path.clone(), (label, planned));
        }
    }
    let mut resources = Vec::new();
    let mut planned_resources = Vec::new();
    let mut resource_units: Vec<&ResourceUnit> = Vec::new();
    // Versions in the order a fresh database needs them (a table before those that refer to it).
    let auth = !answers
        .providers(crate::resource::check::AUTH_MODULE)
        .is_empty();
    let versions: BTreeMap<String, String> =
        crate::resource::migration_versions(&answers.resources, auth, &answers.migrations)
            .into_iter()
            .collect();
    for (name, resource) in &answers.resources {
        let owner_column = resource.has_owner_migration(name, auth, &answers.migrations);
        let context = ResourceContext::new(
            name,
            resource,
            &answers.resources,
            auth,
            owner_column,
            |logical| versions[logical].clone(),
        );
        let index = resources.len();
        let templates = &catalogue.resource;
        let mut planned = Vec::new();
        for (m, migration) in context.migrations.iter().enumerate() {
            if let Some(file) = templates.migrations.get(migration.kind) {
                migrations.insert(migration.name.clone(), migration.version.clone());
                planned.push(PlannedFile {
                    path: format!(
                        "{}/{}_{}.sql",
                        crate::migrations::DIR,
                        migration.version,
                        migration.name
                    ),
                    source: Source::Resource {
                        file,
                        render: true,
                        resource: index,
                        migration: Some(m),
                    },
                });
            }
        }
        let mut adds = PlannedResource::default();
        if resource.removed.is_none() {
            let owner = resource.owner.resolve(auth).keyword();
            // A follows-auth resource is the shared or the owned one, plus its own unit: what
            // the nullable owner changes (the ownerless rows' tests, the README's word on them).
            let follows_auth = (resource.owner == crate::resource::Owner::FollowsAuth)
                .then(|| {
                    templates
                        .owners
                        .get(crate::resource::Owner::FollowsAuth.keyword())
                })
                .flatten();
            let keywords: BTreeSet<&str> = resource.fields.iter().map(|f| f.ty.keyword()).collect();
            let chosen = |module: &str| !answers.providers(module).is_empty();
            // Each unit's parts follow it; the root's parts, the resource's pairings with
            // modules, come last (after the owner's README section, which they extend), as a
            // module's pairings come after every module.
            let own = templates
                .owners
                .get(owner)
                .into_iter()
                .chain(follows_auth)
                .chain(keywords.iter().filter_map(|k| templates.types.get(*k)))
                .flat_map(|unit| std::iter::once(unit).chain(unit.parts_for(&chosen)));
            let units = std::iter::once(&templates.common)
                .chain(own)
                .chain(templates.common.parts_for(&chosen));
            for unit in units {
                resource_units.push(unit);
                adds.adds.extend(&unit.contribution.adds);
                adds.openapi.extend(unit.openapi);
                for file in unit.contribution.files.map(files_below).unwrap_or_default() {
                    let dir = unit.contribution.files.expect("the files came from it");
                    let PlannedFile { path, source } = planned_file(dir, file);
                    let Source::Template { file, render } = source else {
                        unreachable!("planned_file plans templates")
                    };
                    planned.push(PlannedFile {
                        path: path.replace(RESOURCE_PLACEHOLDER, name),
                        source: Source::Resource {
                            file,
                            render,
                            resource: index,
                            migration: None,
                        },
                    });
                }
            }
        }
        let label = format!("resource {name}");
        for file in planned {
            if let Some((first, _)) = files.get(&file.path) {
                return Err(PlanError {
                    path: file.path,
                    first: first.clone(),
                    second: label,
                });
            }
            files.insert(file.path.clone(), (label.clone(), file));
        }
        resources.push(context);
        planned_resources.push(adds);
    }
    files.insert(
        ANSWERS_FILE.to_string(),
        (
            "omnistack".to_string(),
            PlannedFile {
                path: ANSWERS_FILE.to_string(),
                source: Source::Generated(
                    Answers {
                        migrations,
                        ..answers.clone()
                    }
                    .to_toml(catalogue),
                ),
            },
        ),
    );
    let mut context = context(catalogue, answers, &units, &resource_units);
    context.resources = resources;
    Ok(Plan {
        files: files.into_values().map(|(_, f)| f).collect(),
        context,
        resources: planned_resources,
    })
}

/// The module migrations of the project `answers` describe, in the order units are planned.
pub fn migrations(catalogue: &Catalogue, answers: &Answers) -> Vec<Shipped> {
    units(catalogue, answers)
        .iter()
        .filter_map(|unit| unit.contribution.files)
        .flat_map(shipped_migrations)
        .filter_map(Result::ok)
        .collect()
}

/// The template of the module migration called `name`, in whichever unit of the catalogue
/// ships it, with a label for messages and the unit's `files/`.
fn shipped_anywhere(
    catalogue: &Catalogue,
    name: &str,
) -> Option<(String, &'static Dir<'static>, &'static File<'static>)> {
    catalogue
        .contributions()
        .filter_map(|contribution| contribution.files)
        .find_map(|dir| {
            files_below(dir).into_iter().find_map(|file| {
                let shipped = Shipped::from_template_path(&planned_file(dir, file).path)?.ok()?;
                (shipped.name == name).then(|| (format!("migration {name}"), dir, file))
            })
        })
}

/// The module migrations a unit's `files/` ships, or why a file in its `migrations/` is not one.
pub(crate) fn shipped_migrations(dir: &'static Dir<'static>) -> Vec<Result<Shipped, String>> {
    files_below(dir)
        .into_iter()
        .filter_map(|file| Shipped::from_template_path(&planned_file(dir, file).path))
        .collect()
}

/// The base (and its parts for the modules left out), then each chosen module's shared part and its chosen providers, in catalogue order.
pub(crate) fn units<'c>(catalogue: &'c Catalogue, answers: &Answers) -> Vec<Unit<'c>> {
    let mut units = vec![Unit {
        label: "core".to_string(),
        contribution: &catalogue.base,
    }];
    // The base's parts for modules left out come right after it, as part of the core.
    for part in &catalogue.base_parts {
        if answers.providers(&part.module).is_empty() {
            units.push(Unit {
                label: format!("core without {}", part.module),
                contribution: &part.contribution,
            });
        }
    }
    for module in &catalogue.modules {
        let chosen = answers.providers(&module.name);
        if chosen.is_empty() {
            continue;
        }
        units.push(Unit {
            label: module.name.clone(),
            contribution: &module.common,
        });
        for provider in module.providers.iter().filter(|p| chosen.contains(&p.name)) {
            units.push(Unit {
                label: format!("{} ({})", module.name, provider.name),
                contribution: &provider.contribution,
            });
        }
    }
    // Pairings come after every module, so their contributions follow both modules' own.
    for module in &catalogue.modules {
        if answers.providers(&module.name).is_empty() {
            continue;
        }
        for pairing in &module.pairings {
            if !answers.providers(&pairing.with).is_empty() {
                units.push(Unit {
                    label: format!("{} with {}", module.name, pairing.with),
                    contribution: &pairing.contribution,
                });
            }
        }
    }
    // A provider's pairings follow the modules' pairings. One names another module, or
    // another provider of its own module, chosen beside it.
    for module in &catalogue.modules {
        let chosen = answers.providers(&module.name);
        for provider in module.providers.iter().filter(|p| chosen.contains(&p.name)) {
            for pairing in &provider.pairings {
                let applies = match catalogue.module(&pairing.with) {
                    Some(other) => !answers.providers(&other.name).is_empty(),
                    None => chosen.contains(&pairing.with),
                };
                if applies {
                    units.push(Unit {
                        label: format!("{} ({}) with {}", module.name, provider.name, pairing.with),
                        contribution: &pairing.contribution,
                    });
                }
            }
        }
    }
    // Features come last, each with its parts for the other modules chosen or not.
    let chosen = |module: &str| !answers.providers(module).is_empty();
    for feature in &catalogue.features {
        if !includes(catalogue, answers, feature) {
            continue;
        }
        units.push(Unit {
            label: format!("feature {}", feature.name),
            contribution: &feature.contribution,
        });
        for part in &feature.parts {
            if chosen(&part.module) == part.chosen {
                let kind = if part.chosen { "with" } else { "without" };
                units.push(Unit {
                    label: format!("feature {} {kind} {}", feature.name, part.module),
                    contribution: &part.contribution,
                });
            }
        }
    }
    units
}

/// Whether the project `answers` describe has `feature`: every module it requires is chosen,
/// and the resources are as it needs them.
pub fn includes(catalogue: &Catalogue, answers: &Answers, feature: &Feature) -> bool {
    let chosen = |module: &String| !answers.providers(module).is_empty();
    feature.requires.iter().all(chosen)
        && feature
            .resources
            .is_none_or(|need| need.met(&answers.resources, &catalogue.example))
}

fn context(
    catalogue: &Catalogue,
    answers: &Answers,
    units: &[Unit<'_>],
    resource_units: &[&ResourceUnit],
) -> Context {
    let contributions = || {
        units
            .iter()
            .map(|u| u.contribution)
            .chain(resource_units.iter().map(|u| &u.contribution))
    };
    let chosen = catalogue
        .modules
        .iter()
        .filter(|m| !answers.providers(&m.name).is_empty())
        .map(|m| ChosenModule {
            name: m.name.clone(),
            description: m.description.clone(),
            providers: m
                .providers
                .iter()
                .filter(|p| answers.providers(&m.name).contains(&p.name))
                .map(|p| ChosenProvider {
                    name: p.name.clone(),
                    description: p.description.clone(),
                })
                .collect(),
        })
        .collect();
    let mut adds = Contributions::default();
    for unit in units {
        adds.extend(&unit.contribution.adds);
    }
    let mut seen = BTreeSet::new();
    let env_groups: Vec<EnvGroup> = units
        .iter()
        .filter_map(|unit| {
            let vars: Vec<EnvVar> = unit
                .contribution
                .env
                .iter()
                .filter(|v| seen.insert(v.name.clone()))
                .cloned()
                .collect();
            (!vars.is_empty()).then(|| EnvGroup {
                title: unit.label.clone(),
                vars,
            })
        })
        .collect();
    Context {
        project: ProjectContext {
            name: answers.name.to_string(),
            crate_name: answers.name.crate_ident(),
            omnistack_version: crate::VERSION.to_string(),
        },
        chosen,
        dependencies: dependency_lines(catalogue, contributions().map(|c| &c.crates)),
        dev_dependencies: dependency_lines(catalogue, contributions().map(|c| &c.dev_crates)),
        rustls: contributions().any(|c| c.crates.contains_key("rustls")),
        deploy_env: DeployEnv::from_groups(&env_groups),
        env_groups,
        adds,
        resources: Vec::new(),
    }
}

/// Merges crate uses into Cargo.toml lines, taking versions from the one version table.
fn dependency_lines<'a>(
    catalogue: &Catalogue,
    uses: impl Iterator<Item = &'a BTreeMap<String, CrateUse>>,
) -> Vec<String> {
    let mut features: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for map in uses {
        for (name, used) in map {
            features
                .entry(name)
                .or_default()
                .extend(used.features.iter().map(String::as_str));
        }
    }
    features
        .into_iter()
        .map(|(name, mut wanted)| {
            // The catalogue check guarantees every named crate has a version row.
            let spec = &catalogue.crates[name];
            wanted.extend(spec.features.iter().map(String::as_str));
            let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
            if spec.default_features && wanted.is_empty() {
                return format!("{name} = {}", quote(&spec.version));
            }
            let mut fields = vec![format!("version = {}", quote(&spec.version))];
            if !spec.default_features {
                fields.push("default-features = false".to_string());
            }
            if !wanted.is_empty() {
                let list: Vec<String> = wanted.iter().map(|f| quote(f)).collect();
                fields.push(format!("features = [{}]", list.join(", ")));
            }
            format!("{name} = {{ {} }}", fields.join(", "))
        })
        .collect()
}

fn files_below(dir: &'static Dir<'static>) -> Vec<&'static File<'static>> {
    let mut out = Vec::new();
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) => out.extend(files_below(sub)),
            DirEntry::File(file) => out.push(file),
        }
    }
    out
}

fn planned_file(root: &Dir<'_>, file: &'static File<'static>) -> PlannedFile {
    let relative = file
        .path()
        .strip_prefix(root.path())
        .unwrap_or(file.path())
        .to_string_lossy()
        .replace('\\', "/");
    let (path, render) = match relative.strip_suffix(TEMPLATE_SUFFIX) {
        Some(stripped) => (stripped.to_string(), true),
        None => (relative, false),
    };
    PlannedFile {
        path,
        source: Source::Template { file, render },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{FeaturePart, Pairing};

    /// A pairing with `deploy` that adds a `paired` process.
    fn paired_with_deploy() -> Pairing {
        Pairing {
            with: "deploy".to_string(),
            contribution: Contribution {
                adds: Contributions {
                    processes: vec!["paired".to_string()],
                    ..Contributions::default()
                },
                ..Contribution::default()
            },
        }
    }

    /// The embedded catalogue, with `db` adding a `paired` process only beside `deploy`.
    fn catalogue_with_pairing() -> Catalogue {
        let mut catalogue = Catalogue::embedded().unwrap();
        let db = catalogue
            .modules
            .iter_mut()
            .find(|m| m.name == "db")
            .unwrap();
        db.pairings.push(paired_with_deploy());
        catalogue
    }

    fn plan_with_deploy(catalogue: &Catalogue, deploy: &[&str]) -> Plan {
        let answers = Answers::defaults(catalogue).answering("deploy", deploy);
        plan(catalogue, &answers).unwrap()
    }

    #[test]
    fn a_pairing_applies_when_both_modules_are_chosen() {
        let catalogue = catalogue_with_pairing();
        let plan = plan_with_deploy(&catalogue, &["fly"]);
        assert!(plan.context.adds.processes.contains(&"paired".to_string()));
    }

    #[test]
    fn a_pairing_is_left_out_when_the_other_module_is_not_chosen() {
        let catalogue = catalogue_with_pairing();
        let plan = plan_with_deploy(&catalogue, &[]);
        assert!(!plan.context.adds.processes.contains(&"paired".to_string()));
    }

    #[test]
    fn a_providers_pairing_applies_only_with_that_provider_and_the_other_module() {
        let mut catalogue = Catalogue::embedded().unwrap();
        let db = catalogue.modules.iter_mut().find(|m| m.name == "db");
        let postgres = db
            .unwrap()
            .providers
            .iter_mut()
            .find(|p| p.name == "postgres");
        postgres.unwrap().pairings.push(paired_with_deploy());
        let paired = |db: &str, deploy: &[&str]| {
            let answers = Answers::defaults(&catalogue)
                .answering("db", &[db])
                .answering("deploy", deploy);
            let plan = plan(&catalogue, &answers).unwrap();
            plan.context.adds.processes.contains(&"paired".to_string())
        };

        assert!(paired("postgres", &["fly"]));
        assert!(!paired("serverless", &["fly"]));
        assert!(!paired("postgres", &[]));
    }

    #[test]
    fn a_providers_pairing_with_another_provider_of_its_module_applies_beside_it() {
        let mut catalogue = Catalogue::embedded().unwrap();
        let monitoring = catalogue
            .modules
            .iter_mut()
            .find(|m| m.name == "monitoring");
        let sentry = monitoring
            .unwrap()
            .providers
            .iter_mut()
            .find(|p| p.name == "sentry");
        let mut pairing = paired_with_deploy();
        pairing.with = "otel".to_string();
        sentry.unwrap().pairings.push(pairing);
        let paired = |monitoring: &[&str]| {
            let answers = Answers::defaults(&catalogue).answering("monitoring", monitoring);
            let plan = plan(&catalogue, &answers).unwrap();
            plan.context.adds.processes.contains(&"paired".to_string())
        };

        assert!(paired(&["sentry", "otel"]));
        assert!(!paired(&["sentry"]));
        assert!(!paired(&["otel"]));
    }

    /// The paths planned with the defaults and the example, and `jobs` and `storage` as given
    /// (`none` left out).
    fn paths_with(catalogue: &Catalogue, jobs: &str, storage: &str) -> Vec<String> {
        let mut answers = Answers {
            resources: catalogue.example.clone(),
            ..Answers::defaults(catalogue)
        };
        for (module, provider) in [("jobs", jobs), ("storage", storage), ("auth", "supabase")] {
            let chosen = (provider != "none").then_some(provider);
            answers = answers.answering(module, chosen.as_slice());
        }
        let plan = plan(catalogue, &answers).unwrap();
        plan.files.into_iter().map(|f| f.path).collect()
    }

    #[test]
    fn a_feature_is_planned_when_every_module_it_requires_is_chosen() {
        let catalogue = Catalogue::embedded().unwrap();
        let paths = paths_with(&catalogue, "redis", "none");
        assert!(paths.contains(&"src/reports/mod.rs".to_string()));
    }

    #[test]
    fn a_feature_is_left_out_when_a_module_it_requires_is_not_chosen() {
        let catalogue = Catalogue::embedded().unwrap();
        let paths = paths_with(&catalogue, "none", "s3");
        assert!(!paths.iter().any(|p| p.starts_with("src/reports/")));
    }

    #[test]
    fn a_feature_takes_its_with_part_when_the_module_is_chosen_and_its_without_part_otherwise() {
        let catalogue = Catalogue::embedded().unwrap();
        let reports = catalogue.features.iter().find(|f| f.name == "reports");
        let part = |chosen: bool| {
            let part = reports.unwrap().parts.iter().find(|p| p.chosen == chosen);
            part.and_then(|p| p.contribution.files).unwrap()
        };
        let with_storage = paths_with(&catalogue, "redis", "s3");
        let without_storage = paths_with(&catalogue, "redis", "none");
        // Both parts ship src/reports/delivery.rs, so the path alone cannot tell them apart.
        assert!(with_storage.contains(&"tests/api/reports_bucket.rs".to_string()));
        assert!(!without_storage.contains(&"tests/api/reports_bucket.rs".to_string()));
        assert!(
            part(true)
                .path()
                .starts_with("features/reports/with/storage")
        );
        assert!(
            part(false)
                .path()
                .starts_with("features/reports/without/storage")
        );
    }

    #[test]
    fn the_bases_part_without_a_module_is_planned_only_while_the_module_is_left_out() {
        let mut catalogue = Catalogue::embedded().unwrap();
        catalogue.base_parts.push(FeaturePart {
            module: "auth".to_string(),
            chosen: false,
            contribution: Contribution {
                adds: Contributions {
                    processes: vec!["signed-out".to_string()],
                    ..Contributions::default()
                },
                ..Contribution::default()
            },
        });
        let processes = |auth: &[&str]| {
            let answers = Answers::defaults(&catalogue).answering("auth", auth);
            plan(&catalogue, &answers).unwrap().context.adds.processes
        };

        assert!(processes(&[]).contains(&"signed-out".to_string()));
        assert!(!processes(&["supabase"]).contains(&"signed-out".to_string()));
    }

    #[test]
    fn a_feature_needing_the_example_is_left_out_once_the_example_is_removed() {
        let catalogue = Catalogue::embedded().unwrap();
        let mut answers = Answers {
            resources: catalogue.example.clone(),
            ..Answers::defaults(&catalogue).answering("jobs", &["redis"])
        };
        let has_reports = |answers: &Answers| {
            let plan = plan(&catalogue, answers).unwrap();
            plan.files.iter().any(|f| f.path == "src/reports/mod.rs")
        };
        assert!(has_reports(&answers));

        answers.resources.get_mut("projects").unwrap().removed =
            Some(crate::resource::Removal { drop_table: false });

        assert!(!has_reports(&answers));
    }

    #[test]
    fn the_purge_job_is_planned_only_beside_a_resource() {
        let catalogue = Catalogue::embedded().unwrap();
        let jobs = Answers::defaults(&catalogue).answering("jobs", &["redis"]);
        let purges = |answers: &Answers| {
            let plan = plan(&catalogue, answers).unwrap();
            plan.files
                .iter()
                .any(|f| f.path == "src/jobs/purge_soft_deleted.rs")
        };

        assert!(!purges(&jobs));
        assert!(purges(&Answers {
            resources: catalogue.example.clone(),
            ..jobs.clone()
        }));
    }

    #[test]
    fn files_are_sorted_and_omnistack_toml_is_always_planned() {
        let catalogue = Catalogue::embedded().unwrap();
        let plan = plan_with_deploy(&catalogue, &[]);
        let paths: Vec<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        assert_eq!(paths, sorted);
        assert!(paths.contains(&ANSWERS_FILE));
    }
}
