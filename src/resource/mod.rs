//! Resources: the user's own tables with CRUD routes, declared in `omnistack.toml`
//! (`[resources.<name>]`) and rendered from `templates/resource/` like a module.
//!
//! A declaration is data, never text injected into the user's files: `generate resource`,
//! `generate field` and `remove resource` change the declaration, render, and three-way merge
//! the result into the project, as `add` and `remove` do for modules.
//!
//! Every migration of a resource has a logical name in `omnistack.toml`'s `[migrations]`, as a
//! module migration has: [`Resource::create_migration`] creates the table with the fields
//! declared with it, and each later field names the migration that added its column
//! ([`Field::added`]), so earlier migrations never change.

pub mod change;
pub mod check;
pub mod context;
pub mod grammar;
pub(crate) mod layout;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use check::ResourceError;

/// The declared resources of a project, by name (a `snake_case` plural, the table's name).
pub type Resources = BTreeMap<String, Resource>;

/// The names of the resources of `resources` that are not removed, in order.
pub fn live_names(resources: &Resources) -> Vec<&str> {
    resources
        .iter()
        .filter(|(_, resource)| resource.removed.is_none())
        .map(|(name, _)| name.as_str())
        .collect()
}

/// One `[resources.<name>]` table of `omnistack.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Resource {
    /// Whose rows they are.
    #[serde(default)]
    pub owner: Owner,
    /// The name of one row (`invoice` for `invoices`), when the rule of [`Resource::singular`]
    /// gets it wrong (`people`: `person`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub singular: Option<String>,
    /// The columns besides `id`, the owner and the timestamps every resource has, in order.
    pub fields: Vec<Field>,
    /// Set once the resource is removed: its migrations stay, since databases applied them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<Removal>,
}

/// Whose rows a resource holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Owner {
    /// Each row belongs to the signed-in user who created it (needs auth).
    #[default]
    User,
    /// Shared rows, reachable by whoever may call the routes.
    None,
    /// Shared rows while the project has no auth, owned ones once it has: the table is created
    /// without an owner, and auth's arrival adds a nullable `owner_id` by a migration of its
    /// own ([`Resource::owner_migration`]), so rows from before have no owner.
    FollowsAuth,
}

impl Owner {
    /// How `omnistack.toml` and `--owner` spell it.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::None => "none",
            Self::FollowsAuth => "follows-auth",
        }
    }

    /// Whose rows they are in a project with auth or without: [`Owner::User`] or
    /// [`Owner::None`].
    pub fn resolve(self, auth: bool) -> Self {
        match self {
            Self::FollowsAuth if auth => Self::User,
            Self::FollowsAuth => Self::None,
            owner => owner,
        }
    }
}

/// What removing a resource did to its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Removal {
    /// Whether a migration drops the table (the user asked for it); otherwise it stays, unused.
    pub drop_table: bool,
}

/// One field of a resource: a column, a member of the row type and of its inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawField", into = "RawField")]
pub struct Field {
    /// The column and member name (`snake_case`).
    pub name: String,
    /// Its type, with the type's own settings.
    pub ty: FieldType,
    /// Whether it may be `null` (and left out of a create).
    pub optional: bool,
    /// Whether two live rows (of one owner, for owned resources) may not share a value.
    pub unique: bool,
    /// The value a create without this field stores, of the field's type.
    pub default: Option<toml::Value>,
    /// The logical name of the migration that added the column to an existing table; `None`
    /// for the fields created with the table.
    pub added: Option<String>,
}

/// The type of a field, as `omnistack.toml` spells it (`type = "string"`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// Text of bounded length (`max-length` characters, 255 unless given), validated.
    String {
        /// The longest value, in characters.
        max_length: Option<u32>,
    },
    /// Text, not trimmed: of any length, or of at most `max-length` characters, validated.
    Text {
        /// The longest value, in characters; `None` for any length.
        max_length: Option<u32>,
    },
    /// `true` or `false`.
    Bool,
    /// A 32-bit integer.
    I32,
    /// A 64-bit integer.
    I64,
    /// A double-precision float (finite values only).
    F64,
    /// An exact decimal number (PostgreSQL `numeric`).
    Decimal,
    /// A UUID.
    Uuid,
    /// A calendar date.
    Date,
    /// A point in time, with its offset.
    Datetime,
    /// Any JSON value.
    Json,
    /// One of a fixed set of `snake_case` values.
    Enum {
        /// The allowed values, in order.
        values: Vec<String>,
    },
    /// The id of a row of another declared resource.
    Ref {
        /// The resource it points to.
        to: String,
    },
}

/// A field as TOML spells it: one flat table, whose type-specific keys are checked against
/// its `type` ([`FieldType`] holds only the keys its type has).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawField {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    optional: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    unique: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<toml::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    added: Option<String>,
}

impl FieldType {
    /// The name `omnistack.toml` and the field grammar give the type.
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::String { .. } => "string",
            Self::Text { .. } => "text",
            Self::Bool => "bool",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::F64 => "f64",
            Self::Decimal => "decimal",
            Self::Uuid => "uuid",
            Self::Date => "date",
            Self::Datetime => "datetime",
            Self::Json => "json",
            Self::Enum { .. } => "enum",
            Self::Ref { .. } => "ref",
        }
    }

    /// Every type keyword, for messages.
    pub const KEYWORDS: &'static [&'static str] = &[
        "string", "text", "bool", "i32", "i64", "f64", "decimal", "uuid", "date", "datetime",
        "json", "enum", "ref",
    ];
}

impl TryFrom<RawField> for Field {
    type Error = String;

    fn try_from(raw: RawField) -> Result<Self, String> {
        let name = &raw.name;
        let misplaced = |key: &str| {
            format!(
                "field `{name}`: `{key}` does not apply to type `{}`",
                raw.ty
            )
        };
        if raw.max_length.is_some() && !["string", "text"].contains(&raw.ty.as_str()) {
            return Err(misplaced("max-length"));
        }
        if raw.values.is_some() && raw.ty != "enum" {
            return Err(misplaced("values"));
        }
        if raw.to.is_some() && raw.ty != "ref" {
            return Err(misplaced("to"));
        }
        let ty = match raw.ty.as_str() {
            "string" => FieldType::String {
                max_length: raw.max_length,
            },
            "text" => FieldType::Text {
                max_length: raw.max_length,
            },
            "bool" => FieldType::Bool,
            "i32" => FieldType::I32,
            "i64" => FieldType::I64,
            "f64" => FieldType::F64,
            "decimal" => FieldType::Decimal,
            "uuid" => FieldType::Uuid,
            "date" => FieldType::Date,
            "datetime" => FieldType::Datetime,
            "json" => FieldType::Json,
            "enum" => FieldType::Enum {
                values: raw
                    .values
                    .ok_or_else(|| format!("field `{name}`: an enum needs `values`"))?,
            },
            "ref" => FieldType::Ref {
                to: raw.to.ok_or_else(|| {
                    format!("field `{name}`: a ref needs `to`, the resource it points to")
                })?,
            },
            other => {
                return Err(format!(
                    "field `{name}`: unknown type `{other}`; known types: {}",
                    FieldType::KEYWORDS.join(", ")
                ));
            }
        };
        Ok(Self {
            name: raw.name,
            ty,
            optional: raw.optional,
            unique: raw.unique,
            default: raw.default,
            added: raw.added,
        })
    }
}

impl From<Field> for RawField {
    fn from(field: Field) -> Self {
        let ty = field.ty.keyword().to_string();
        let (max_length, values, to) = match field.ty {
            FieldType::String { max_length } | FieldType::Text { max_length } => {
                (max_length, None, None)
            }
            FieldType::Enum { values } => (None, Some(values), None),
            FieldType::Ref { to } => (None, None, Some(to)),
            _ => (None, None, None),
        };
        Self {
            name: field.name,
            ty,
            max_length,
            values,
            to,
            optional: field.optional,
            unique: field.unique,
            default: field.default,
            added: field.added,
        }
    }
}

impl Resource {
    /// Whether this declaration is `declared` or grows it: the same owner and name of a row,
    /// and each of its fields, declared alike (wherever a later migration added them), before
    /// any field of its own.
    pub fn extends(&self, declared: &Self) -> bool {
        let alike = |a: &Field, b: &Field| {
            (&a.name, &a.ty, a.optional, a.unique, &a.default)
                == (&b.name, &b.ty, b.optional, b.unique, &b.default)
        };
        self.removed.is_none()
            && self.owner == declared.owner
            && self.singular == declared.singular
            && self.fields.len() >= declared.fields.len()
            && self
                .fields
                .iter()
                .zip(&declared.fields)
                .all(|(a, b)| alike(a, b))
    }

    /// The logical name of the migration that creates the table of resource `name`.
    pub fn create_migration(name: &str) -> String {
        format!("create_{name}")
    }

    /// The logical name of the migration that drops the table of removed resource `name`.
    pub fn drop_migration(name: &str) -> String {
        format!("drop_{name}")
    }

    /// The logical name of the migration that adds `owner_id` to the table of the follows-auth
    /// resource `name` once the project has auth.
    pub fn owner_migration(name: &str) -> String {
        format!("{name}_owner")
    }

    /// Whether the table of `name` has its [`Resource::owner_migration`]: a live follows-auth
    /// resource in a project with auth, or one that had auth (`recorded` holds the migration's
    /// version: databases applied it, so it stays when auth goes, and when the resource goes).
    pub fn has_owner_migration(
        &self,
        name: &str,
        auth: bool,
        recorded: &BTreeMap<String, String>,
    ) -> bool {
        self.owner == Owner::FollowsAuth
            && ((auth && self.removed.is_none())
                || recorded.contains_key(&Self::owner_migration(name)))
    }

    /// The logical names of this resource's migrations, in the order they apply: the table's,
    /// one per distinct [`Field::added`] in field order, the owner's (with `owner_column`, see
    /// [`Resource::has_owner_migration`]), then the drop of a removed resource.
    pub fn migrations(&self, name: &str, owner_column: bool) -> Vec<String> {
        let mut names = vec![Self::create_migration(name)];
        for added in self.fields.iter().filter_map(|f| f.added.as_ref()) {
            if !names.contains(added) {
                names.push(added.clone());
            }
        }
        if owner_column {
            names.push(Self::owner_migration(name));
        }
        if self.removed.as_ref().is_some_and(|r| r.drop_table) {
            names.push(Self::drop_migration(name));
        }
        names
    }

    /// The name of one row: the declared one, else `name` without its plural ending
    /// (`invoices`: `invoice`, `categories`: `category`, `addresses`: `address`).
    pub fn singular(&self, name: &str) -> String {
        if let Some(singular) = &self.singular {
            return singular.clone();
        }
        if let Some(stem) = name.strip_suffix("ies") {
            format!("{stem}y")
        } else if ["sses", "shes", "ches", "xes", "zzes"]
            .iter()
            .any(|ending| name.ends_with(ending))
        {
            name[..name.len() - 2].to_string()
        } else if let Some(stem) = name
            .strip_suffix('s')
            .filter(|stem| !stem.ends_with('s') && !stem.ends_with('u'))
        {
            // `status` and `campus` are singular already.
            stem.to_string()
        } else {
            name.to_string()
        }
    }
}

/// The `[resources.<name>]` table of `omnistack.toml`, each field an inline table with its
/// keys in a fixed order (name, type, the type's own keys, then the flags), so that a
/// declaration reads as it was written and diffs one line per field.
pub fn to_toml(name: &str, resource: &Resource) -> String {
    const KEY_ORDER: &[&str] = &[
        "name",
        "type",
        "max-length",
        "values",
        "to",
        "optional",
        "unique",
        "default",
        "added",
    ];
    let value = |value: toml::Value| value.to_string();
    let mut out = format!("[resources.{name}]\n");
    let owner = toml::Value::String(resource.owner.keyword().to_owned());
    out.push_str(&format!("owner = {}\n", value(owner)));
    if let Some(singular) = &resource.singular {
        out.push_str(&format!(
            "singular = {}\n",
            value(toml::Value::String(singular.clone()))
        ));
    }
    out.push_str("fields = [\n");
    for field in &resource.fields {
        let toml::Value::Table(mut table) =
            toml::Value::try_from(field).expect("a field serialises")
        else {
            unreachable!("a field serialises to a table")
        };
        // Serialised, a TOML date becomes toml's private `$__toml_private_datetime` table.
        if let Some(default) = &field.default {
            table.insert("default".to_owned(), default.clone());
        }
        let keys: Vec<String> = KEY_ORDER
            .iter()
            .filter_map(|key| {
                let item = table.remove(*key)?;
                Some(format!("{key} = {}", value(item)))
            })
            .collect();
        debug_assert!(table.is_empty(), "every key of a field is in KEY_ORDER");
        out.push_str(&format!("  {{ {} }},\n", keys.join(", ")));
    }
    out.push_str("]\n");
    if let Some(removal) = &resource.removed {
        out.push_str(&format!(
            "removed = {{ drop-table = {} }}\n",
            removal.drop_table
        ));
    }
    out
}

/// The version a resource migration gets in a new project when `omnistack.toml` records none:
/// the `n`th (from 0) second of 2025-02-01, after every migration a module ships, so that
/// rendering a preset is deterministic. Existing projects record a fresh version instead.
pub fn default_version(n: usize) -> String {
    let (minutes, seconds) = (n / 60, n % 60);
    let (hours, minutes) = (minutes / 60, minutes % 60);
    format!("20250201{hours:02}{minutes:02}{seconds:02}")
}

/// The logical names of every migration of `resources` in a project with auth or without
/// whose `[migrations]` are `recorded`, in the order a new project applies them (the `n`th gets
/// [`default_version`]`(n)` unless `omnistack.toml` records one): every table's creation, a
/// referenced table before the tables that refer to it (else by name), then the columns added
/// later and the owners of follows-auth tables, then the drops, a referring table's before the
/// referenced.
pub fn migration_names(
    resources: &Resources,
    auth: bool,
    recorded: &BTreeMap<String, String>,
) -> Vec<String> {
    let order = creation_order(resources);
    let mut names: Vec<String> = order
        .iter()
        .map(|n| Resource::create_migration(n))
        .collect();
    for name in &order {
        let resource = &resources[*name];
        let owner_column = resource.has_owner_migration(name, auth, recorded);
        for migration in resource.migrations(name, owner_column) {
            let create = migration == Resource::create_migration(name);
            let drop = migration == Resource::drop_migration(name)
                && resource.removed.as_ref().is_some_and(|r| r.drop_table);
            if !create && !drop && !names.contains(&migration) {
                names.push(migration);
            }
        }
    }
    for name in order.iter().rev() {
        if resources[*name]
            .removed
            .as_ref()
            .is_some_and(|r| r.drop_table)
        {
            names.push(Resource::drop_migration(name));
        }
    }
    names
}

/// Each migration of `resources` in a project with auth or without, with its version: the one
/// `recorded` holds, else the [`default_version`] of its place in [`migration_names`].
pub fn migration_versions(
    resources: &Resources,
    auth: bool,
    recorded: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    migration_names(resources, auth, recorded)
        .into_iter()
        .enumerate()
        .map(|(n, name)| {
            let version = recorded
                .get(&name)
                .cloned()
                .unwrap_or_else(|| default_version(n));
            (name, version)
        })
        .collect()
}

/// The other resources whose tables the table of `name` refers to from its creation.
pub(crate) fn created_refs<'r>(resources: &'r Resources, name: &str) -> Vec<&'r str> {
    let Some(resource) = resources.get(name) else {
        return Vec::new();
    };
    resource
        .fields
        .iter()
        .filter(|field| field.added.is_none())
        .filter_map(|field| match &field.ty {
            FieldType::Ref { to } if to != name && resources.contains_key(to) => Some(to.as_str()),
            _ => None,
        })
        .collect()
}

/// The resources in an order where each comes after those its table refers to at creation,
/// else by name (a cycle, which [`check`] refuses, is cut where it closes).
fn creation_order(resources: &Resources) -> Vec<&str> {
    fn visit<'r>(
        resources: &'r Resources,
        name: &'r str,
        seen: &mut BTreeSet<&'r str>,
        order: &mut Vec<&'r str>,
    ) {
        if !seen.insert(name) {
            return;
        }
        for to in created_refs(resources, name) {
            visit(resources, to, seen, order);
        }
        order.push(name);
    }
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for name in resources.keys() {
        visit(resources, name, &mut seen, &mut order);
    }
    order
}

fn is_false(value: &bool) -> bool {
    !value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removed_follows_auth_resource_gains_no_owner_migration_and_keeps_an_applied_one() {
        let mut notes: Resource = toml::from_str(
            r#"
owner = "follows-auth"
fields = [{ name = "title", type = "string" }]
"#,
        )
        .unwrap();
        let nothing = BTreeMap::new();
        assert!(notes.has_owner_migration("notes", true, &nothing));

        notes.removed = Some(Removal { drop_table: true });

        assert!(!notes.has_owner_migration("notes", true, &nothing));
        let applied = BTreeMap::from([("notes_owner".to_string(), "20250201000001".to_string())]);
        assert!(notes.has_owner_migration("notes", false, &applied));
    }

    #[test]
    fn a_declaration_reads_as_omnistack_toml_spells_it() {
        let resource: Resource = toml::from_str(
            r#"
owner = "user"
fields = [
  { name = "title", type = "string", max-length = 200 },
  { name = "status", type = "enum", values = ["draft", "paid"], default = "draft" },
  { name = "customer_id", type = "ref", to = "customers", optional = true },
  { name = "paid_at", type = "datetime", optional = true, added = "add_paid_at_to_invoices" },
]
"#,
        )
        .unwrap();

        assert_eq!(resource.owner, Owner::User);
        assert_eq!(
            resource.fields[0].ty,
            FieldType::String {
                max_length: Some(200)
            }
        );
        assert_eq!(
            resource.fields[2].ty,
            FieldType::Ref {
                to: "customers".into()
            }
        );
        assert_eq!(
            resource.fields[3].added.as_deref(),
            Some("add_paid_at_to_invoices")
        );
    }

    #[test]
    fn a_declaration_round_trips_through_toml() {
        let resource = Resource {
            owner: Owner::None,
            singular: None,
            fields: vec![Field {
                name: "status".into(),
                ty: FieldType::Enum {
                    values: vec!["draft".into(), "paid".into()],
                },
                optional: false,
                unique: true,
                default: Some(toml::Value::String("draft".into())),
                added: None,
            }],
            removed: None,
        };

        let text = toml::to_string(&resource).unwrap();

        assert_eq!(toml::from_str::<Resource>(&text).unwrap(), resource);
    }

    #[test]
    fn omnistack_toml_writes_a_field_a_line_with_its_keys_in_order() {
        let resource: Resource = toml::from_str(
            r#"
owner = "none"
fields = [
  { name = "status", type = "enum", values = ["draft", "paid"], default = "draft", unique = true },
  { name = "due", type = "date", optional = true, added = "add_due_to_things" },
]
"#,
        )
        .unwrap();

        let text = to_toml("things", &resource);

        assert_eq!(
            text,
            r#"[resources.things]
owner = "none"
fields = [
  { name = "status", type = "enum", values = ["draft", "paid"], unique = true, default = "draft" },
  { name = "due", type = "date", optional = true, added = "add_due_to_things" },
]
"#
        );
        let back: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(
            Resource::deserialize(back["resources"]["things"].clone()).unwrap(),
            resource
        );
    }

    #[test]
    fn omnistack_toml_writes_a_date_or_datetime_default_as_a_toml_date() {
        let resource: Resource = toml::from_str(
            r#"
fields = [
  { name = "starts_on", type = "date", default = 2025-01-31 },
  { name = "remind_at", type = "datetime", default = 2025-01-31T09:00:00+02:00 },
]
"#,
        )
        .unwrap();

        let text = to_toml("plans", &resource);

        assert!(text.contains("default = 2025-01-31 }"), "{text}");
        assert!(
            text.contains("default = 2025-01-31T09:00:00+02:00 }"),
            "{text}"
        );
    }

    #[test]
    fn a_text_takes_a_max_length_as_a_string_does_and_writes_it_back() {
        let resource: Resource = toml::from_str(
            "fields = [{ name = \"description\", type = \"text\", max-length = 2000 }]",
        )
        .unwrap();

        let text = to_toml("projects", &resource);

        assert_eq!(
            resource.fields[0].ty,
            FieldType::Text {
                max_length: Some(2000)
            }
        );
        assert!(
            text.contains("{ name = \"description\", type = \"text\", max-length = 2000 }"),
            "{text}"
        );
    }

    #[test]
    fn a_key_of_another_type_is_refused() {
        let error = toml::from_str::<Resource>(
            "fields = [{ name = \"n\", type = \"i32\", max-length = 3 }]",
        )
        .unwrap_err();

        assert!(
            error
                .to_string()
                .contains("`max-length` does not apply to type `i32`"),
            "{error}"
        );
    }

    #[test]
    fn the_singular_drops_the_plural_ending_unless_declared() {
        let resource = |singular: Option<&str>| Resource {
            owner: Owner::User,
            singular: singular.map(str::to_owned),
            fields: Vec::new(),
            removed: None,
        };
        for (plural, singular) in [
            ("invoices", "invoice"),
            ("categories", "category"),
            ("addresses", "address"),
            ("boxes", "box"),
            ("status", "status"),
            ("glass", "glass"),
        ] {
            assert_eq!(resource(None).singular(plural), singular);
        }
        assert_eq!(resource(Some("person")).singular("people"), "person");
    }

    #[test]
    fn a_declaration_with_fields_after_the_examples_extends_it_and_a_changed_one_does_not() {
        let example = &crate::catalogue::Catalogue::embedded().unwrap().example["projects"];
        let mut grown = example.clone();
        grown.fields.push(grown.fields[0].clone());
        grown.fields[2].name = "budget".into();
        let mut changed = example.clone();
        changed.fields[0].optional = true;
        let mut other_owner = example.clone();
        other_owner.owner = Owner::User;

        assert!(example.extends(example));
        assert!(grown.extends(example));
        assert!(!changed.extends(example));
        assert!(!other_owner.extends(example));
    }

    #[test]
    fn migrations_are_the_table_then_each_addition_then_the_drop() {
        let mut resource: Resource = toml::from_str(
            r#"
fields = [
  { name = "a", type = "bool" },
  { name = "b", type = "bool", added = "add_b_to_things" },
  { name = "c", type = "bool", added = "add_b_to_things" },
  { name = "d", type = "bool", added = "add_d_to_things" },
]
"#,
        )
        .unwrap();
        resource.removed = Some(Removal { drop_table: true });

        assert_eq!(
            resource.migrations("things", false),
            [
                "create_things",
                "add_b_to_things",
                "add_d_to_things",
                "drop_things"
            ]
        );
    }

    fn declared(toml_text: &str) -> Resources {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn a_referenced_table_is_created_first_whatever_the_names() {
        let resources = declared(
            r#"
[accounts]
fields = [{ name = "zone_id", type = "ref", to = "zones" }]
[zones]
fields = [{ name = "name", type = "text" }]
"#,
        );

        assert_eq!(
            migration_names(&resources, false, &BTreeMap::new()),
            ["create_zones", "create_accounts"]
        );
    }

    #[test]
    fn added_columns_follow_every_creation_and_drops_come_last() {
        let resources = declared(
            r#"
[accounts]
fields = [
  { name = "name", type = "text" },
  { name = "note", type = "text", optional = true, added = "add_note_to_accounts" },
]
[zones]
fields = [{ name = "name", type = "text" }]
removed = { drop-table = true }
"#,
        );

        assert_eq!(
            migration_names(&resources, false, &BTreeMap::new()),
            [
                "create_accounts",
                "create_zones",
                "add_note_to_accounts",
                "drop_zones"
            ]
        );
    }

    #[test]
    fn a_recorded_version_wins_over_the_default() {
        let resources = declared(
            "[a]\nfields = [{ name = \"n\", type = \"text\" }]\n[b]\nfields = [{ name = \"n\", type = \"text\" }]\n",
        );
        let recorded = BTreeMap::from([("create_a".to_string(), "20261206120000".to_string())]);

        assert_eq!(
            migration_versions(&resources, false, &recorded),
            [
                ("create_a".to_string(), "20261206120000".to_string()),
                ("create_b".to_string(), default_version(1)),
            ]
        );
    }

    #[test]
    fn a_follows_auth_table_gains_its_owner_with_auth_and_keeps_it_once_recorded() {
        let resources = declared(
            "[notes]\nowner = \"follows-auth\"\nfields = [{ name = \"n\", type = \"text\" }]\n",
        );
        let recorded = BTreeMap::from([("notes_owner".to_string(), "20261206120000".to_string())]);

        assert_eq!(
            migration_names(&resources, false, &BTreeMap::new()),
            ["create_notes"]
        );
        assert_eq!(
            migration_names(&resources, true, &BTreeMap::new()),
            ["create_notes", "notes_owner"]
        );
        assert_eq!(
            migration_names(&resources, false, &recorded),
            ["create_notes", "notes_owner"]
        );
    }

    #[test]
    fn follows_auth_is_spelled_in_kebab_case_and_resolves_by_auth() {
        let resource: Resource = toml::from_str("owner = \"follows-auth\"\nfields = []").unwrap();

        assert_eq!(resource.owner, Owner::FollowsAuth);
        assert!(to_toml("notes", &resource).contains("owner = \"follows-auth\"\n"));
        assert_eq!(Owner::FollowsAuth.resolve(true), Owner::User);
        assert_eq!(Owner::FollowsAuth.resolve(false), Owner::None);
    }

    #[test]
    fn default_versions_count_seconds_then_minutes() {
        assert_eq!(default_version(0), "20250201000000");
        assert_eq!(default_version(61), "20250201000101");
    }
}
