//! Reading and checking the catalogue declarations embedded in `templates/`.

use std::collections::BTreeMap;

use include_dir::{Dir, DirEntry};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::contract::{self, Unit};
use super::contribution::{ContributionDecl, Contributions};
use super::{
    Catalogue, Contribution, CrateSpec, Feature, FeaturePart, Kind, Module, NONE, Pairing,
    Provider, ResourceNeed, ResourcePart, ResourceTemplates, ResourceUnit,
};
use crate::resource::{self, Resources, check::Taken};

/// A catalogue declaration that is missing, malformed or inconsistent.
///
/// These are omnistack's own bugs rather than user errors, and a test loads the embedded
/// catalogue so that none of them can ship.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A required declaration file is absent.
    #[error("templates/{0} is missing")]
    Missing(String),
    /// A declaration does not parse.
    #[error("templates/{path}: {message}")]
    Malformed {
        /// The file, relative to `templates/`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleHeader {
    prompt: String,
    description: String,
    kind: Kind,
    #[serde(default)]
    optional: bool,
    default: DefaultDecl,
    order: u32,
    #[serde(default = "yes", rename = "affects-code")]
    affects_code: bool,
    #[serde(default)]
    requires: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DefaultDecl {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoHeader {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderHeader {
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureHeader {
    description: String,
    requires: Vec<String>,
    #[serde(rename = "requires-resources")]
    resources: Option<ResourceNeed>,
}

/// The resources a new project declares unless told otherwise.
const EXAMPLE: &str = "resource/example.toml";

const FEATURE_KEYS: &[&str] = &["description", "requires", "requires-resources"];

const MODULE_KEYS: &[&str] = &[
    "prompt",
    "description",
    "kind",
    "optional",
    "default",
    "order",
    "affects-code",
    "requires",
];
const PROVIDER_KEYS: &[&str] = &["description"];

pub(super) fn load(root: &'static Dir<'static>) -> Result<Catalogue, CatalogueError> {
    let crates: BTreeMap<String, CrateSpec> = parse(root, "crates.toml")?;
    let base = contribution::<NoHeader>(root, "base", "base.toml", &[])?.1;
    let base_parts = parts(root, "base", &[("without", false)])?;
    let mut modules = Vec::new();
    if let Some(dir) = entry(root, "modules").and_then(DirEntry::as_dir) {
        for module_dir in dir.dirs() {
            let (order, module) = load_module(root, module_dir)?;
            modules.push((order, module));
        }
    }
    modules.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    let mut features = Vec::new();
    if let Some(dir) = entry(root, "features").and_then(DirEntry::as_dir) {
        for feature_dir in dir.dirs() {
            features.push(load_feature(root, feature_dir)?);
        }
    }
    features.sort_by(|a, b| a.name.cmp(&b.name));
    let catalogue = Catalogue {
        base,
        base_parts,
        crates,
        modules: modules.into_iter().map(|(_, m)| m).collect(),
        features,
        resource: load_resource(root)?,
        example: match entry(root, EXAMPLE) {
            Some(_) => parse(root, EXAMPLE)?,
            None => Resources::new(),
        },
    };
    check(&catalogue)?;
    Ok(catalogue)
}

fn load_module(
    root: &'static Dir<'static>,
    dir: &'static Dir<'static>,
) -> Result<(u32, Module), CatalogueError> {
    let folder = path_str(dir.path());
    let name = leaf(&folder);
    let (header, common): (ModuleHeader, _) =
        contribution(root, &folder, "module.toml", MODULE_KEYS)?;
    let mut providers = Vec::new();
    for provider_dir in dir.dirs() {
        let provider_folder = path_str(provider_dir.path());
        if matches!(leaf(&provider_folder).as_str(), "files" | "with") {
            continue;
        }
        let (provider, contribution): (ProviderHeader, _) =
            contribution(root, &provider_folder, "provider.toml", PROVIDER_KEYS)?;
        providers.push(Provider {
            name: leaf(&provider_folder),
            description: provider.description,
            contribution,
            pairings: pairings(root, &provider_folder)?,
        });
    }
    let pairings = pairings(root, &folder)?;
    providers.sort_by(|a, b| a.name.cmp(&b.name));
    let default = match header.default {
        DefaultDecl::One(value) if value == NONE => Vec::new(),
        DefaultDecl::One(value) => vec![value],
        DefaultDecl::Many(values) => values,
    };
    let module = Module {
        name,
        prompt: header.prompt,
        description: header.description,
        kind: header.kind,
        optional: header.optional,
        default,
        affects_code: header.affects_code,
        requires: header.requires,
        common,
        providers,
        pairings,
    };
    Ok((header.order, module))
}

/// The pairings of a module or a provider: the `with/<module>/` folders under `folder`.
fn pairings(root: &'static Dir<'static>, folder: &str) -> Result<Vec<Pairing>, CatalogueError> {
    let Some(dir) = entry(root, &format!("{folder}/with")).and_then(DirEntry::as_dir) else {
        return Ok(Vec::new());
    };
    dir.dirs()
        .map(|pair_dir| {
            let pair_folder = path_str(pair_dir.path());
            let (_, contribution) = contribution::<NoHeader>(root, &pair_folder, "with.toml", &[])?;
            Ok(Pairing {
                with: leaf(&pair_folder),
                contribution,
            })
        })
        .collect()
}

fn load_feature(
    root: &'static Dir<'static>,
    dir: &'static Dir<'static>,
) -> Result<Feature, CatalogueError> {
    let folder = path_str(dir.path());
    let (header, own): (FeatureHeader, _) =
        contribution(root, &folder, "feature.toml", FEATURE_KEYS)?;
    let parts = parts(root, &folder, &[("with", true), ("without", false)])?;
    Ok(Feature {
        name: leaf(&folder),
        description: header.description,
        requires: header.requires,
        resources: header.resources,
        contribution: own,
        parts,
    })
}

/// Checks the example as `omnistack new` checks a preset's resources, in a project with auth
/// and in one without.
fn check_example(catalogue: &Catalogue) -> Result<(), CatalogueError> {
    let malformed = |error: resource::ResourceError| CatalogueError::Malformed {
        path: EXAMPLE.to_string(),
        message: error.to_string(),
    };
    let example = &catalogue.example;
    for name in example.keys() {
        resource::check::check_new(catalogue, example, name).map_err(malformed)?;
    }
    for auth in [false, true] {
        resource::check::check(catalogue, &Taken::core(), example, Some(auth))
            .map_err(malformed)?;
    }
    Ok(())
}

/// `templates/resource/`, when the catalogue has one.
fn load_resource(root: &'static Dir<'static>) -> Result<ResourceTemplates, CatalogueError> {
    const FOLDER: &str = "resource";
    if entry(root, FOLDER).is_none() {
        return Ok(ResourceTemplates::default());
    }
    let unit = |folder: &str, file: &str| -> Result<ResourceUnit, CatalogueError> {
        let mut unit = resource_unit(root, folder, file)?;
        for (kind, chosen) in [("with", true), ("without", false)] {
            let Some(dir) = entry(root, &format!("{folder}/{kind}")).and_then(DirEntry::as_dir)
            else {
                continue;
            };
            for part_dir in dir.dirs() {
                let part_folder = path_str(part_dir.path());
                unit.parts.push(ResourcePart {
                    module: leaf(&part_folder),
                    chosen,
                    unit: resource_unit(root, &part_folder, &format!("{kind}.toml"))?,
                });
            }
        }
        Ok(unit)
    };
    let variants =
        |kind: &str, file: &str| -> Result<BTreeMap<String, ResourceUnit>, CatalogueError> {
            let mut units = BTreeMap::new();
            if let Some(dir) = entry(root, &format!("{FOLDER}/{kind}")).and_then(DirEntry::as_dir) {
                for variant in dir.dirs() {
                    let folder = path_str(variant.path());
                    units.insert(leaf(&folder), unit(&folder, file)?);
                }
            }
            Ok(units)
        };
    let mut migrations = BTreeMap::new();
    if let Some(dir) = entry(root, &format!("{FOLDER}/migrations")).and_then(DirEntry::as_dir) {
        for file in dir.files() {
            let name = path_str(file.path());
            let kind = leaf(&name)
                .strip_suffix(".sql.jinja")
                .ok_or_else(|| CatalogueError::Malformed {
                    path: name.clone(),
                    message: "a resource migration template is `<create|add|owner|drop>.sql.jinja`"
                        .into(),
                })?
                .to_string();
            migrations.insert(kind, file);
        }
    }
    Ok(ResourceTemplates {
        common: unit(FOLDER, "resource.toml")?,
        owners: variants("owner", "owner.toml")?,
        types: variants("types", "type.toml")?,
        migrations,
    })
}

/// The resource unit declared by `<folder>/<file>`, with its files and OpenAPI template and
/// without parts.
fn resource_unit(
    root: &'static Dir<'static>,
    folder: &str,
    file: &str,
) -> Result<ResourceUnit, CatalogueError> {
    let (_, contribution) = contribution::<NoHeader>(root, folder, file, &[])?;
    let openapi = entry(root, &format!("{folder}/openapi.json.jinja")).and_then(DirEntry::as_file);
    Ok(ResourceUnit {
        contribution,
        openapi,
        parts: Vec::new(),
    })
}

/// The parts of the unit at `folder` that depend on another module: `<folder>/<kind>/<module>/`
/// with `<kind>.toml`, for each `(kind, chosen)` of `kinds`.
fn parts(
    root: &'static Dir<'static>,
    folder: &str,
    kinds: &[(&str, bool)],
) -> Result<Vec<FeaturePart>, CatalogueError> {
    let mut parts = Vec::new();
    for &(kind, chosen) in kinds {
        let Some(kind_dir) = entry(root, &format!("{folder}/{kind}")).and_then(DirEntry::as_dir)
        else {
            continue;
        };
        for part_dir in kind_dir.dirs() {
            let part_folder = path_str(part_dir.path());
            let (_, contribution) =
                contribution::<NoHeader>(root, &part_folder, &format!("{kind}.toml"), &[])?;
            parts.push(FeaturePart {
                module: leaf(&part_folder),
                chosen,
                contribution,
            });
        }
    }
    Ok(parts)
}

/// Reads `<folder>/<file>`: the keys in `own_keys` into `H`, the rest as a [`Contribution`].
fn contribution<H: DeserializeOwned>(
    root: &'static Dir<'static>,
    folder: &str,
    file: &str,
    own_keys: &[&str],
) -> Result<(H, Contribution), CatalogueError> {
    let path = format!("{folder}/{file}");
    let mut table: toml::Table = parse(root, &path)?;
    let own: toml::Table = own_keys
        .iter()
        .filter_map(|key| table.remove(*key).map(|value| (key.to_string(), value)))
        .collect();
    let malformed = |e: toml::de::Error| CatalogueError::Malformed {
        path: path.clone(),
        message: e.to_string(),
    };
    let header = H::deserialize(own).map_err(malformed)?;
    let (decl, mut adds) = declarations(table).map_err(malformed)?;
    adds.openapi.extend(openapi_fragment(root, folder)?);
    let files = entry(root, &format!("{folder}/files")).and_then(DirEntry::as_dir);
    Ok((header, decl.with(adds, files)))
}

/// `<folder>/openapi.json`, the unit's part of the OpenAPI document, if it ships one.
fn openapi_fragment(
    root: &Dir<'_>,
    folder: &str,
) -> Result<Option<serde_json::Value>, CatalogueError> {
    let path = format!("{folder}/openapi.json");
    let Some(file) = entry(root, &path).and_then(DirEntry::as_file) else {
        return Ok(None);
    };
    let malformed = |message: String| CatalogueError::Malformed {
        path: path.clone(),
        message,
    };
    let fragment: serde_json::Value =
        serde_json::from_slice(file.contents()).map_err(|e| malformed(e.to_string()))?;
    if !fragment.is_object() {
        return Err(malformed(
            "an OpenAPI fragment is a JSON object, a part of the document".into(),
        ));
    }
    Ok(Some(fragment))
}

/// Splits a unit's declarations into its crates and env vars, and what it adds to shared files.
pub(super) fn declarations(
    mut table: toml::Table,
) -> Result<(ContributionDecl, Contributions), toml::de::Error> {
    let own: toml::Table = ["crates", "dev-crates", "env"]
        .iter()
        .filter_map(|key| table.remove(*key).map(|value| (key.to_string(), value)))
        .collect();
    let decl = ContributionDecl::deserialize(own)?;
    let mut adds = Contributions::deserialize(table)?;
    adds.derive();
    Ok((decl, adds))
}

fn parse<T: DeserializeOwned>(root: &Dir<'_>, path: &str) -> Result<T, CatalogueError> {
    let text = entry(root, path)
        .and_then(DirEntry::as_file)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| CatalogueError::Missing(path.to_string()))?;
    toml::from_str(text).map_err(|e| CatalogueError::Malformed {
        path: path.to_string(),
        message: e.to_string(),
    })
}

/// The entry at `path` under `root`, found one name at a time: include_dir's own lookup walks
/// the whole embedded tree for every path, which made loading the catalogue several times slower.
pub(super) fn entry<'a>(root: &Dir<'a>, path: &str) -> Option<&'a DirEntry<'a>> {
    let mut entries = root.entries();
    let mut found = None;
    for name in path.split('/') {
        let next = entries
            .iter()
            .find(|e| e.path().file_name() == Some(std::ffi::OsStr::new(name)))?;
        entries = next.as_dir().map_or(&[], Dir::entries);
        found = Some(next);
    }
    found
}

fn path_str(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn leaf(folder: &str) -> String {
    folder.rsplit('/').next().unwrap_or(folder).to_string()
}

/// Cross-file consistency: every name a declaration uses must be declared somewhere, and
/// every contribution must keep its contract (see [`contract`]).
fn check(catalogue: &Catalogue) -> Result<(), CatalogueError> {
    check_example(catalogue)?;
    let mut units: Vec<(String, Unit<'_>)> =
        vec![("base/base.toml".into(), Unit::alone(&catalogue.base))];
    for part in &catalogue.base_parts {
        let path = format!("base/without/{}/without.toml", part.module);
        if !catalogue.module(&part.module).is_some_and(|m| m.optional) {
            return Err(CatalogueError::Malformed {
                path,
                message: "names no optional module of the catalogue".into(),
            });
        }
        units.push((path, Unit::alone(&part.contribution)));
    }
    // A resource unit's part is rendered like the unit, per resource: its strings are templates
    // of `resource`, so only the module it depends on is checked here.
    let resource = &catalogue.resource;
    let resource_units = std::iter::once(("resource".to_string(), &resource.common))
        .chain(
            resource
                .owners
                .iter()
                .map(|(name, unit)| (format!("resource/owner/{name}"), unit)),
        )
        .chain(
            resource
                .types
                .iter()
                .map(|(name, unit)| (format!("resource/types/{name}"), unit)),
        );
    for (folder, unit) in resource_units {
        for part in &unit.parts {
            let kind = if part.chosen { "with" } else { "without" };
            if !catalogue.module(&part.module).is_some_and(|m| m.optional) {
                return Err(CatalogueError::Malformed {
                    path: format!("{folder}/{kind}/{0}/{kind}.toml", part.module),
                    message: "names no optional module of the catalogue".into(),
                });
            }
        }
    }
    for module in &catalogue.modules {
        let at = |file: &str| format!("modules/{}/{file}", module.name);
        let bad = |message: String| CatalogueError::Malformed {
            path: at("module.toml"),
            message,
        };
        if module.providers.is_empty() {
            return Err(bad("declares no provider folder".into()));
        }
        if module.providers.iter().any(|p| p.name == NONE) {
            return Err(bad(format!(
                "`{NONE}` is reserved and cannot be a provider"
            )));
        }
        // A provider's pairing names another module or another provider of its own: one
        // name must not mean both.
        if let Some(clash) = module
            .providers
            .iter()
            .find(|p| catalogue.module(&p.name).is_some())
        {
            return Err(bad(format!(
                "provider `{}` has the name of a module",
                clash.name
            )));
        }
        if module.kind == Kind::One && module.default.len() > 1 {
            return Err(bad("a `one` module has a single default".into()));
        }
        if module.default.is_empty() && !module.optional {
            return Err(bad("a required module needs a default provider".into()));
        }
        if let Some(unknown) = module.default.iter().find(|d| module.provider(d).is_none()) {
            return Err(bad(format!("default `{unknown}` is not a provider")));
        }
        for required in &module.requires {
            let position = |name: &str| catalogue.modules.iter().position(|m| m.name == name);
            match (position(required), position(&module.name)) {
                (Some(r), Some(m)) if r < m => {}
                // Prompts go in catalogue order, and a requirement must be answered first.
                _ => {
                    return Err(bad(format!(
                        "requires `{required}`, which must be a module with a lower order"
                    )));
                }
            }
        }
        units.push((
            at("module.toml"),
            Unit {
                contribution: &module.common,
                provider: None,
                providers: module.providers.iter().map(|p| &p.contribution).collect(),
            },
        ));
        let provider_pairings = module.providers.iter().flat_map(|provider| {
            let folder = format!("{}/", provider.name);
            provider
                .pairings
                .iter()
                .map(move |p| (folder.clone(), Some(&provider.name), p))
        });
        let module_pairings = module.pairings.iter().map(|p| (String::new(), None, p));
        for (folder, provider, pairing) in module_pairings.chain(provider_pairings) {
            let other_module =
                pairing.with != module.name && catalogue.module(&pairing.with).is_some();
            // Beside another provider of its module, when the module takes several.
            let sibling = provider.is_some_and(|own| {
                module.kind == Kind::Many
                    && *own != pairing.with
                    && module.providers.iter().any(|p| p.name == pairing.with)
            });
            if !other_module && !sibling {
                return Err(bad(format!(
                    "{folder}with/{} names no other module of the catalogue, nor another \
                     provider of a module that takes several",
                    pairing.with
                )));
            }
            units.push((
                at(&format!("{folder}with/{}/with.toml", pairing.with)),
                Unit::alone(&pairing.contribution),
            ));
        }
        for provider in &module.providers {
            units.push((
                at(&format!("{}/provider.toml", provider.name)),
                Unit {
                    contribution: &provider.contribution,
                    provider: Some(&provider.name),
                    providers: Vec::new(),
                },
            ));
        }
    }
    for feature in &catalogue.features {
        let at = |file: &str| format!("features/{}/{file}", feature.name);
        let bad = |message: String| CatalogueError::Malformed {
            path: at("feature.toml"),
            message,
        };
        // With resources to need, one module is enough: what it adds for them is no file of
        // its own (the purge of soft-deleted rows has nothing to purge without a resource).
        let least = if feature.resources.is_some() { 1 } else { 2 };
        if feature.requires.len() < least {
            return Err(bad(
                "a feature requires at least two modules, or one and `requires-resources`; a module's own files belong to it".into(),
            ));
        }
        let unknown = |name: &String| catalogue.module(name).is_none();
        if let Some(name) = feature.requires.iter().find(|m| unknown(m)) {
            return Err(bad(format!("requires `{name}`, which is no module")));
        }
        units.push((at("feature.toml"), Unit::alone(&feature.contribution)));
        for part in &feature.parts {
            let kind = if part.chosen { "with" } else { "without" };
            if unknown(&part.module) || feature.requires.contains(&part.module) {
                return Err(bad(format!(
                    "{kind}/{} names no module of the catalogue outside `requires`",
                    part.module
                )));
            }
            units.push((
                at(&format!("{kind}/{0}/{kind}.toml", part.module)),
                Unit::alone(&part.contribution),
            ));
        }
    }
    // Module migrations are recorded by name in omnistack.toml, and sqlx orders them by version.
    let mut migration_names: BTreeMap<String, String> = BTreeMap::new();
    let mut migration_versions: BTreeMap<String, String> = BTreeMap::new();
    for (path, unit) in units {
        let bad = |message: String| CatalogueError::Malformed {
            path: path.clone(),
            message,
        };
        for migration in unit
            .contribution
            .files
            .map(crate::plan::shipped_migrations)
            .unwrap_or_default()
        {
            let migration = migration.map_err(bad)?;
            for (seen, key) in [
                (&mut migration_names, &migration.name),
                (&mut migration_versions, &migration.default_version),
            ] {
                if let Some(first) = seen.insert(key.clone(), path.clone()) {
                    return Err(bad(format!(
                        "migration `{}` has the name or the version of one shipped by templates/{first}",
                        migration.path(&migration.default_version)
                    )));
                }
            }
        }
        for name in unit
            .contribution
            .crates
            .keys()
            .chain(unit.contribution.dev_crates.keys())
        {
            if !catalogue.crates.contains_key(name) {
                return Err(bad(format!(
                    "crate `{name}` has no version in templates/crates.toml"
                )));
            }
        }
        contract::check(&unit).map_err(bad)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use include_dir::File;

    use super::*;

    /// `templates/` holding only `base/openapi.json` with `text`.
    fn fragment_of_base(text: &'static [u8]) -> Result<Option<serde_json::Value>, String> {
        let files: &'static [DirEntry<'static>] = Box::leak(Box::new([DirEntry::File(File::new(
            "base/openapi.json",
            text,
        ))]));
        let dirs: &'static [DirEntry<'static>] =
            Box::leak(Box::new([DirEntry::Dir(Dir::new("base", files))]));
        openapi_fragment(&Dir::new("", dirs), "base").map_err(|e| e.to_string())
    }

    #[test]
    fn an_openapi_fragment_is_read_from_beside_the_declarations() {
        assert_eq!(
            fragment_of_base(br#"{"paths": {}}"#),
            Ok(Some(serde_json::json!({"paths": {}})))
        );
    }

    #[test]
    fn an_openapi_fragment_that_is_not_an_object_is_refused() {
        assert_eq!(
            fragment_of_base(b"[]"),
            Err(
                "templates/base/openapi.json: an OpenAPI fragment is a JSON object, a part of \
                 the document"
                    .into()
            )
        );
    }

    #[test]
    fn an_openapi_fragment_that_is_not_json_is_refused_with_its_position() {
        let error = fragment_of_base(b"{").unwrap_err();
        assert!(
            error.starts_with("templates/base/openapi.json: EOF while parsing"),
            "{error}"
        );
    }

    fn check_feature(edit: impl FnOnce(&mut Feature)) -> Result<(), String> {
        let mut catalogue = Catalogue::embedded().unwrap();
        let reports = catalogue.features.iter_mut().find(|f| f.name == "reports");
        edit(reports.expect("the embedded catalogue has the reports feature"));
        check(&catalogue).map_err(|e| e.to_string())
    }

    /// The embedded catalogue's check, with the reports feature shipping `migration` instead
    /// of its files.
    fn check_migration(migration: &str) -> Result<(), String> {
        check_feature(|f| {
            f.contribution.files = Some(contract::tests::files(&[(migration, "SELECT 1;\n")]));
        })
    }

    #[test]
    fn a_migration_with_the_name_of_another_units_is_refused() {
        assert_eq!(
            check_migration("migrations/20250109000000_users.sql"),
            Err("templates/features/reports/feature.toml: migration `migrations/20250109000000_users.sql` has the name or the version of one shipped by templates/modules/auth/module.toml".into())
        );
    }

    #[test]
    fn a_migration_with_the_version_of_another_units_is_refused() {
        let result = check_migration("migrations/20250102000000_orders.sql");
        assert!(
            result
                .as_ref()
                .is_err_and(|e| e.contains("templates/modules/auth/module.toml")),
            "{result:?}"
        );
    }

    #[test]
    fn a_migration_named_without_its_version_is_refused() {
        let result = check_migration("migrations/orders.sql");
        assert!(
            result.as_ref().is_err_and(|e| e.contains("14 digits")),
            "{result:?}"
        );
    }

    /// The module `name` of `catalogue`, to change before a check.
    fn module_mut<'a>(catalogue: &'a mut Catalogue, name: &str) -> &'a mut Module {
        let module = catalogue.modules.iter_mut().find(|m| m.name == name);
        module.unwrap()
    }

    /// The embedded catalogue's check, with otel's first pairing named `with` instead.
    fn check_otel_pairing(with: &str) -> Result<(), String> {
        let mut catalogue = Catalogue::embedded().unwrap();
        let monitoring = module_mut(&mut catalogue, "monitoring");
        let otel = monitoring.providers.iter_mut().find(|p| p.name == "otel");
        otel.unwrap().pairings[0].with = with.into();
        check(&catalogue).map_err(|e| e.to_string())
    }

    /// The loader's refusal of otel's pairing named `with`.
    fn unpaired(with: &str) -> String {
        format!(
            "templates/modules/monitoring/module.toml: otel/with/{with} names no other module \
             of the catalogue, nor another provider of a module that takes several"
        )
    }

    #[test]
    fn a_providers_pairing_with_an_unknown_module_is_refused() {
        assert_eq!(check_otel_pairing("queue"), Err(unpaired("queue")));
    }

    #[test]
    fn a_providers_pairing_with_its_own_module_is_refused() {
        assert_eq!(
            check_otel_pairing("monitoring"),
            Err(unpaired("monitoring"))
        );
    }

    #[test]
    fn a_providers_pairing_with_another_provider_of_its_module_is_accepted() {
        assert_eq!(check_otel_pairing("sentry"), Ok(()));
    }

    #[test]
    fn a_provider_with_the_name_of_a_module_is_refused() {
        let mut catalogue = Catalogue::embedded().unwrap();
        module_mut(&mut catalogue, "monitoring").providers[0].name = "jobs".into();

        assert_eq!(
            check(&catalogue).map_err(|e| e.to_string()),
            Err("templates/modules/monitoring/module.toml: provider `jobs` has the name of a module".into())
        );
    }

    #[test]
    fn a_providers_pairing_with_itself_is_refused() {
        assert_eq!(check_otel_pairing("otel"), Err(unpaired("otel")));
    }

    #[test]
    fn a_pairing_with_another_provider_of_a_module_that_takes_one_is_refused() {
        let mut catalogue = Catalogue::embedded().unwrap();
        let auth = module_mut(&mut catalogue, "auth");
        assert_eq!(auth.kind, Kind::One);
        let other = auth.providers[1].name.clone();
        auth.providers[0].pairings.push(Pairing {
            with: other,
            contribution: Contribution::default(),
        });

        let result = check(&catalogue).map_err(|e| e.to_string());

        assert!(
            result
                .as_ref()
                .is_err_and(|e| e.contains("nor another provider")),
            "{result:?}"
        );
    }

    #[test]
    fn a_feature_requiring_an_unknown_module_is_refused() {
        let result = check_feature(|f| f.requires.push("billing".into()));
        assert_eq!(
            result,
            Err(
                "templates/features/reports/feature.toml: requires `billing`, which is no module"
                    .into()
            )
        );
    }

    #[test]
    fn a_feature_requiring_a_single_module_is_refused() {
        let result = check_feature(|f| {
            f.requires.truncate(1);
            f.resources = None;
        });
        assert_eq!(
            result,
            Err("templates/features/reports/feature.toml: a feature requires at least two modules, or one and `requires-resources`; a module's own files belong to it".into())
        );
    }

    #[test]
    fn a_feature_part_on_a_module_it_requires_is_refused() {
        let result = check_feature(|f| f.parts[0].module = "jobs".into());
        assert!(
            result.as_ref().is_err_and(
                |e| e.contains("jobs names no module of the catalogue outside `requires`")
            ),
            "{result:?}"
        );
    }

    #[test]
    fn shared_rows_have_a_part_without_auth_and_one_with_it() {
        let catalogue = Catalogue::embedded().unwrap();
        let parts: Vec<(&str, bool)> = catalogue.resource.owners["none"]
            .parts
            .iter()
            .map(|part| (part.module.as_str(), part.chosen))
            .collect();
        assert_eq!(parts, [("auth", true), ("auth", false)]);
    }

    #[test]
    fn follows_auth_rows_have_a_part_with_auth_and_one_without_and_no_routes_of_their_own() {
        let catalogue = Catalogue::embedded().unwrap();
        let unit = &catalogue.resource.owners["follows-auth"];
        let parts: Vec<(&str, bool)> = unit
            .parts
            .iter()
            .map(|part| (part.module.as_str(), part.chosen))
            .collect();
        assert_eq!(parts, [("auth", true), ("auth", false)]);
        assert!(unit.contribution.files.is_none());
        assert!(
            unit.parts
                .iter()
                .all(|part| part.unit.contribution.adds.routes.is_empty())
        );
    }

    #[test]
    fn a_resource_part_naming_no_optional_module_is_refused() {
        let mut catalogue = Catalogue::embedded().unwrap();
        let shared = catalogue.resource.owners.get_mut("none").unwrap();
        shared.parts[0].module = "db".into();
        assert_eq!(
            check(&catalogue).map_err(|e| e.to_string()),
            Err("templates/resource/owner/none/with/db/with.toml: names no optional module of the catalogue".into())
        );
    }
}
