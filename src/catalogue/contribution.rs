//! What one unit of the catalogue (the base, a module, a provider) adds to a generated project.

use std::collections::BTreeMap;

use include_dir::Dir;
use serde::{Deserialize, Serialize};

/// The declarations of a `base.toml`, `module.toml` or `provider.toml`, plus the folder of files it ships.
#[derive(Debug, Clone, Default)]
pub struct Contribution {
    /// Crate dependencies, by name; versions come from `templates/crates.toml`.
    pub crates: BTreeMap<String, CrateUse>,
    /// Dev-dependencies, by name.
    pub dev_crates: BTreeMap<String, CrateUse>,
    /// Environment variables the generated code reads.
    pub env: Vec<EnvVar>,
    /// Lines added to named slots of shared files (router, config, state, ...).
    pub slots: BTreeMap<String, Vec<String>>,
    /// The `files/` folder whose tree is copied (or rendered) into the project.
    pub files: Option<&'static Dir<'static>>,
}

/// The declaration fields shared by every catalogue file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContributionDecl {
    #[serde(default)]
    pub crates: BTreeMap<String, CrateUse>,
    #[serde(default, rename = "dev-crates")]
    pub dev_crates: BTreeMap<String, CrateUse>,
    #[serde(default)]
    pub env: Vec<EnvVar>,
    #[serde(default)]
    pub slots: BTreeMap<String, Vec<String>>,
}

impl ContributionDecl {
    pub(crate) fn with_files(self, files: Option<&'static Dir<'static>>) -> Contribution {
        Contribution {
            crates: self.crates,
            dev_crates: self.dev_crates,
            env: self.env,
            slots: self.slots,
            files,
        }
    }
}

/// A module's use of a crate: the features it needs on top of the version table's.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CrateUse {
    /// Extra features this unit needs.
    #[serde(default)]
    pub features: Vec<String>,
}

/// One row of `templates/crates.toml`: the single place where crate versions are chosen.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CrateSpec {
    /// The version requirement written into the generated Cargo.toml.
    pub version: String,
    /// Whether the crate's default features stay on.
    #[serde(default = "yes")]
    pub default_features: bool,
    /// Features always enabled wherever the crate is used.
    #[serde(default)]
    pub features: Vec<String>,
}

fn yes() -> bool {
    true
}

/// An environment variable read by the generated application.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EnvVar {
    /// The variable's name, e.g. `DATABASE_URL`.
    pub name: String,
    /// One line saying what it configures.
    pub description: String,
    /// The value written into `.env.example`.
    pub example: String,
    /// Whether the application refuses to start without it.
    #[serde(default)]
    pub required: bool,
    /// Whether the value is a credential (deploy configs must not commit it).
    #[serde(default)]
    pub secret: bool,
    /// Who sets it in a deployed app.
    #[serde(default)]
    pub deploy: DeployRole,
}

/// Who provides an environment variable once the app is deployed.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeployRole {
    /// The user: a secret to set, or a plain setting with its example value.
    #[default]
    User,
    /// The platform, from a managed service it provisions (the database URL, say).
    Managed,
    /// The image or the deploy config itself, with a fixed production value (the port, say).
    Fixed,
}
