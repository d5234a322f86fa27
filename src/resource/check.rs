//! The checks of a project's resource declarations, run whenever answers are read (a preset,
//! `omnistack.toml`) and before every render: names the generated Rust and SQL can use, types
//! and defaults that agree, refs to resources that exist, and an owner the modules allow.

use std::collections::{BTreeMap, BTreeSet};

use include_dir::{Dir, DirEntry};

use crate::answers::Answers;
use crate::catalogue::Catalogue;
use crate::name::upper_camel;
use crate::resource::{Field, FieldType, Owner, Resource, Resources};

/// The module whose signed-in users own the rows of an `owner = "user"` resource.
pub const AUTH_MODULE: &str = "auth";

/// The columns every resource has, which no field may be called.
pub const RESERVED_COLUMNS: &[&str] = &["id", "owner_id", "created_at", "updated_at", "deleted_at"];

/// The longest `max-length` a string may declare: the same bound as a text's, for the same
/// reason ([`TEXT_MAX_LENGTH_LIMIT`]); PostgreSQL's own `varchar(n)` limit (10,485,760) is one
/// no request body could reach.
pub const MAX_LENGTH_LIMIT: u32 = TEXT_MAX_LENGTH_LIMIT;

/// The longest `max-length` a text may declare: a value of that many characters fits in the
/// generated application's default request body limit (1 MiB) whatever its characters, at 4
/// bytes a character in UTF-8 (1,000,000 bytes, leaving 48 KiB for the rest of the body), so
/// that a client over the bound is answered by the field's 422, never by a 413 it cannot act
/// on field by field. Text without a bound is not limited but by the body.
pub const TEXT_MAX_LENGTH_LIMIT: u32 = 250_000;

/// The `max-length` of a string that declares none.
pub const DEFAULT_MAX_LENGTH: u32 = 255;

/// Rust's strict and reserved keywords (2024 edition), which cannot name a module, a field or
/// a variable.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// PostgreSQL's reserved key words (its documentation's appendix "SQL Key Words", both
/// "reserved" and "reserved (can be function or type)"), which cannot name a table or column
/// without quotes.
const SQL_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// Names every project uses whatever its modules, which the catalogue does not declare as
/// additions: the core's own modules of `src/lib.rs`, its route groups and its documents.
const CORE_NAMES: &[&str] = &[
    "admin",
    "api",
    "app",
    "cache",
    "config",
    "crud",
    "db",
    "docs",
    "error",
    "extract",
    "health",
    "lib",
    "main",
    "middleware",
    "openapi",
    "public",
    "resources",
    "routes",
    "startup",
    "state",
    "telemetry",
    "tests",
];

/// Type names the generated code of a resource uses besides its row type (the prelude's, and
/// what its routes import), which the row type, the singular in UpperCamelCase, cannot take.
const TYPE_NAMES: &[&str] = &[
    "AppError",
    "AppState",
    "Box",
    "Conditions",
    "Config",
    "CurrentUser",
    "Date",
    "Decimal",
    "Deserialize",
    "Err",
    "Error",
    "ErrorEnvelope",
    "FieldErrors",
    "Fields",
    "IntoParams",
    "Json",
    "Key",
    "Keyed",
    "ListQuery",
    "Listing",
    "None",
    "Ok",
    "OffsetDateTime",
    "OpenApiRouter",
    "Option",
    "Page",
    "PageParams",
    "Path",
    "Query",
    "References",
    "RequireAdmin",
    "Resource",
    "Result",
    "Router",
    "Scope",
    "Serialize",
    "Some",
    "State",
    "StatusCode",
    "String",
    "ToSchema",
    "Uuid",
    "Value",
    "Vec",
];

/// The longest `max-length` of a unique string. A btree index entry holds at most 2704 bytes
/// (a third of a page), and a character takes up to 4 bytes in UTF-8: 600 characters are 2400
/// bytes, which with the owner's id and the entry's headers stay under it, where a longer value
/// would fail its insert with a 500.
pub const UNIQUE_MAX_LENGTH: u32 = 600;

/// The longest identifier PostgreSQL keeps, in bytes (`NAMEDATALEN - 1`): it truncates a longer
/// one without an error, and two truncated names can collide.
pub const IDENTIFIER_LIMIT: usize = 63;

/// The longest resource, field, singular or enum value name, in characters. The generated code
/// and tests are laid out as rustfmt lays them out (a project's CI runs `cargo fmt --check`),
/// and the layouts are computed for names up to this long; a longer name would break lines
/// where the templates do not, and PostgreSQL's identifiers (a unique field's
/// `<resource>_<field>_key`) leave little more room anyway.
pub const NAME_LIMIT: usize = 30;

/// The query parameters of a resource's list route besides its filters, which no field may be
/// called: its filter would be read from the same parameter.
pub const QUERY_PARAMETERS: &[&str] = &["cursor", "include_deleted", "limit", "offset", "sort"];

/// The suffixes of the range filters of a field (`amount_min`, `amount_max`).
const RANGE_SUFFIXES: &[&str] = &["_min", "_max"];

/// The names of the types a resource's code derives from its row type (`NewInvoice`,
/// `InvoiceChanges`, `InvoiceFilters`), which an enum field's type (`Invoice` + the field in
/// UpperCamelCase) cannot take.
const DERIVED_TYPE_SUFFIXES: &[&str] = &["changes", "filters"];

/// A resource declaration that cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// A name that is not `snake_case` ASCII.
    #[error(
        "{what} `{name}` is not a snake_case name: lowercase ASCII letters, digits and `_`, starting with a letter (such as `{suggestion}`)"
    )]
    NotSnakeCase {
        /// What it names (`resource`, `field invoices.title`, ...).
        what: String,
        /// The name given.
        name: String,
        /// A name that would do.
        suggestion: String,
    },
    /// A name longer than [`NAME_LIMIT`].
    #[error(
        "{what} `{name}` is {} characters long, and names are at most {NAME_LIMIT} characters, so that the generated code keeps rustfmt's layout; choose a shorter name",
        name.len()
    )]
    TooLong {
        /// What it names.
        what: String,
        /// The name given.
        name: String,
    },
    /// A Rust keyword.
    #[error(
        "{what} `{name}` is a Rust keyword, which the generated code cannot use as a name; choose another"
    )]
    RustKeyword {
        /// What it names.
        what: String,
        /// The name given.
        name: String,
    },
    /// A reserved SQL keyword.
    #[error(
        "{what} `{name}` is a reserved SQL keyword, which PostgreSQL refuses as a table or column name; choose another (such as `{name}s` or `{name}_name`)"
    )]
    SqlKeyword {
        /// What it names.
        what: String,
        /// The name given.
        name: String,
    },
    /// A resource name the project already uses.
    #[error(
        "resource `{name}` would collide with {taken_by}; choose another name{}",
        if *.declared { " (a resource already in use moves to another as \"Renaming a resource\" in omnistack's README says)" } else { "" }
    )]
    Taken {
        /// The name given.
        name: String,
        /// What already has it (`the module `auth``, `the table `users``, ...).
        taken_by: String,
        /// Whether the project declares the resource already (its table may hold rows), rather
        /// than it being declared now.
        declared: bool,
    },
    /// Two resources whose rows would have one name (`invoice` and `invoices`).
    #[error(
        "resources `{first}` and `{second}` would both name a row `{singular}`; choose another name, or declare `singular` for one of them"
    )]
    SameSingular {
        /// The first resource, by name.
        first: String,
        /// The second resource.
        second: String,
        /// The row name they share.
        singular: String,
    },
    /// A row name whose type name (`Option` for `options`) the generated code uses already.
    #[error(
        "resource `{resource}` would name its row type `{type_name}`, which the generated code uses already; choose another name, or another singular (`--singular`, `singular = \"...\"` in omnistack.toml)"
    )]
    TypeName {
        /// The resource.
        resource: String,
        /// The row type's name.
        type_name: String,
    },
    /// A row name the project uses already (`state` for `states`).
    #[error(
        "the singular of resource `{resource}`, `{singular}`, would collide with {taken_by}; choose another name, or another singular (`--singular`, `singular = \"...\"` in omnistack.toml)"
    )]
    SingularTaken {
        /// The resource.
        resource: String,
        /// Its singular.
        singular: String,
        /// What already has it.
        taken_by: String,
    },
    /// A resource declared without fields.
    #[error("resource `{resource}` has no field: give at least one, as `title:string`")]
    NoFields {
        /// The resource.
        resource: String,
    },
    /// A field named as a query parameter of the list route, or as another field's range filter.
    #[error(
        "field `{resource}.{field}` would be read from the same query parameter as {clash}; choose another name"
    )]
    QueryParameter {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// What else reads that parameter.
        clash: String,
    },
    /// A field named as a column every resource has.
    #[error(
        "field `{resource}.{field}`: every resource has the columns {}, and so no field may be called `{field}`",
        RESERVED_COLUMNS.join(", ")
    )]
    ReservedColumn {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
    },
    /// Two fields with one name.
    #[error("field `{resource}.{field}` is declared twice")]
    DuplicateField {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
    },
    /// An enum without values.
    #[error("field `{resource}.{field}`: an enum needs at least one value, as `enum(draft,paid)`")]
    EmptyEnum {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
    },
    /// An enum value given twice.
    #[error("field `{resource}.{field}`: the enum value `{value}` is given twice")]
    DuplicateValue {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// The value.
        value: String,
    },
    /// A string's `max-length` out of range.
    #[error(
        "field `{resource}.{field}`: a string's max length is 1 to {MAX_LENGTH_LIMIT} characters, got {given}; use `text` for longer values"
    )]
    MaxLength {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// The length given.
        given: u32,
    },
    /// A text's `max-length` out of range.
    #[error(
        "field `{resource}.{field}`: a text's max length is 1 to {TEXT_MAX_LENGTH_LIMIT} characters, got {given}; leave it out for text of any length"
    )]
    TextMaxLength {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// The length given.
        given: u32,
    },
    /// A ref to a resource that is not declared.
    #[error(
        "field `{resource}.{field}` refers to `{to}`, which is not a resource of the project (resources: {known}); generate `{to}` first"
    )]
    UnknownRef {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// The resource it points to.
        to: String,
        /// The declared resources, comma separated (`none` when there is none).
        known: String,
    },
    /// A ref from a resource in use to a removed one.
    #[error(
        "field `{resource}.{field}` refers to `{to}`, which is removed; a resource can only refer to a resource the project has (remove `{resource}` first, or keep `{to}`)"
    )]
    RefToRemoved {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// The removed resource.
        to: String,
    },
    /// Tables that refer to each other from their creation: neither can be created first.
    #[error(
        "resources {cycle} refer to each other when their tables are created, so none can be created first; make one of the refs a field added later (`omnistack generate field`)"
    )]
    RefCycle {
        /// The resources of the cycle, as `a -> b -> a`.
        cycle: String,
    },
    /// Dropping a table another table still refers to.
    #[error(
        "the table of `{to}` cannot be dropped while `{resource}.{field}` refers to it; remove `{resource}` first"
    )]
    DropReferenced {
        /// The removed resource.
        to: String,
        /// The resource that refers to it.
        resource: String,
        /// The field.
        field: String,
    },
    /// `owner = "user"` in a project without auth.
    #[error(
        "resource `{resource}` is owned by the signed-in user, which needs auth, and the project has none: add auth (`omnistack add auth`) first"
    )]
    OwnerNeedsAuth {
        /// The resource.
        resource: String,
    },
    /// A `ref` from a shared resource to an owned one.
    #[error(
        "field `{resource}.{field}` refers to `{to}`, whose rows each belong to one user, but `{resource}` is shared: a row every caller sees cannot point at a row only one user sees; make `{resource}` owned (`owner = \"user\"`) or `{to}` shared"
    )]
    SharedRefToOwned {
        /// The shared resource.
        resource: String,
        /// The field.
        field: String,
        /// The owned resource it refers to.
        to: String,
    },
    /// A shared resource's `ref` to a follows-auth one.
    #[error(
        "field `{resource}.{field}` refers to `{to}`, which follows auth: once the project has auth, each user's {to} are their own, and a shared row cannot point at a row only its owner sees; make `{resource}` follow auth too (`owner = \"follows-auth\"`), or keep the id in a `uuid` field"
    )]
    SharedRefToFollowsAuth {
        /// The shared resource.
        resource: String,
        /// The field.
        field: String,
        /// The follows-auth resource it refers to.
        to: String,
    },
    /// A unique field of a follows-auth resource.
    #[error(
        "field `{resource}.{field}` cannot be unique: `{resource}` follows auth, and one index cannot keep values unique among every row while it is shared and among each owner's rows once auth is added; drop `unique`, or make `{resource}` owned (`owner = \"user\"`) or shared (`owner = \"none\"`)"
    )]
    UniqueFollowsAuth {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
    },
    /// An owner whose resources this release has no templates for.
    #[error(
        "resource `{resource}`: rows owned by `{owner}` are not generated by this omnistack release yet; resources are owned by the signed-in user (`--owner user`), which needs auth (`omnistack add auth`)"
    )]
    OwnerNotGenerated {
        /// The resource.
        resource: String,
        /// The owner asked for.
        owner: String,
    },
    /// An optional field with a default: whether a create without it stores the default or
    /// `null` would be ambiguous.
    #[error(
        "field `{resource}.{field}` is optional and has a default: drop the `?` (a create without it stores the default) or the default (it stores null)"
    )]
    OptionalWithDefault {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
    },
    /// A default that is not a value of its field's type.
    #[error("field `{resource}.{field}`: the default {given} is not {expected}")]
    DefaultType {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// The default, as TOML writes it.
        given: String,
        /// What the type takes.
        expected: String,
    },
    /// A table, column or index name longer than PostgreSQL keeps.
    #[error(
        "resource `{resource}`: the {what} `{identifier}` is {} bytes long, and PostgreSQL identifiers are at most {IDENTIFIER_LIMIT} bytes (it would cut it short, and two cut names can collide); choose a shorter resource or field name",
        identifier.len()
    )]
    IdentifierTooLong {
        /// The resource.
        resource: String,
        /// What the identifier names (`table`, `column`, `index`, `foreign key`, ...).
        what: &'static str,
        /// The identifier the migrations would use.
        identifier: String,
    },
    /// A unique field whose values can be longer than a unique index holds.
    #[error(
        "field `{resource}.{field}` is unique, and {values} can be longer than PostgreSQL's unique index holds (2704 bytes; a longer value would fail its insert): declare it `string(n)` with n at most {UNIQUE_MAX_LENGTH}, or drop `:unique`"
    )]
    UniqueTooLong {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// Which values (`a text value`, `a string(1000) value`).
        values: String,
    },
    /// A unique field of a type whose values cannot usefully be unique.
    #[error("field `{resource}.{field}` is {ty}, which cannot be unique ({why}): drop `:unique`")]
    UniqueType {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// Its type's keyword.
        ty: &'static str,
        /// Why not.
        why: &'static str,
    },
    /// A migration name that is not `snake_case`, or that another migration has.
    #[error("field `{resource}.{field}`: {problem}")]
    Added {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// What is wrong with its `added`.
        problem: String,
    },
}

/// What the project's modules already name: module, feature and library module names, tables
/// and the first segment of routes, with what has each.
#[derive(Debug, Clone, Default)]
pub struct Taken {
    names: BTreeMap<String, String>,
    migrations: BTreeSet<String>,
}

impl Taken {
    /// Every name a unit of `catalogue` uses, whether or not a project chooses it: what a new
    /// resource is checked against, so that it keeps working when a module is added later.
    pub fn from_catalogue(catalogue: &Catalogue) -> Self {
        let mut taken = Self::core();
        for module in &catalogue.modules {
            taken.insert(&module.name, format!("the module `{}`", module.name));
        }
        for feature in &catalogue.features {
            taken.insert(&feature.name, format!("the feature `{}`", feature.name));
        }
        for contribution in catalogue.contributions() {
            for module in &contribution.adds.lib_modules {
                taken.insert(module, format!("the Rust module `crate::{module}`"));
            }
            if let Some(dir) = contribution.files {
                taken.scan(dir);
            }
        }
        taken
    }

    /// The names every project has whatever its modules.
    pub fn core() -> Self {
        let mut taken = Self::default();
        for name in CORE_NAMES {
            taken.insert(name, format!("the core's `{name}`"));
        }
        taken
    }

    /// The names the project `answers` describe has: the core's, and those of the modules
    /// and features it includes. What a declared resource is checked against before every
    /// render: a name a newer release gave a module the project lacks is no collision, and a
    /// resource that has applied its migrations cannot easily move to another.
    pub fn of_project(catalogue: &Catalogue, answers: &Answers) -> Self {
        let mut taken = Self::core();
        for module in catalogue
            .modules
            .iter()
            .filter(|m| !answers.providers(&m.name).is_empty())
        {
            taken.insert(&module.name, format!("the module `{}`", module.name));
        }
        for unit in crate::plan::units(catalogue, answers) {
            let from = format!(", from {}", unit.label);
            for module in &unit.contribution.adds.lib_modules {
                taken.insert(module, format!("the Rust module `crate::{module}`{from}"));
            }
            if let Some(dir) = unit.contribution.files {
                taken.scan_from(dir, &from);
            }
        }
        taken
    }

    fn insert(&mut self, name: &str, by: String) {
        self.names.entry(name.to_string()).or_insert(by);
    }

    /// [`Self::insert`] for names found in templates, which repeat: `by` is only made for the
    /// first.
    fn insert_with(&mut self, name: &str, by: impl FnOnce() -> String) {
        if !self.names.contains_key(name) {
            self.names.insert(name.to_string(), by());
        }
    }

    /// Records the tables a unit's migrations create, its migrations' names, and the first
    /// segment of each route it documents (`path = "/users/{id}"`).
    fn scan(&mut self, dir: &'static Dir<'static>) {
        self.scan_from(dir, "");
    }

    /// [`Self::scan`], saying after each name what has it (`from`, as `, from payments`).
    fn scan_from(&mut self, dir: &'static Dir<'static>, from: &str) {
        for entry in dir.entries() {
            let file = match entry {
                DirEntry::Dir(sub) => {
                    self.scan_from(sub, from);
                    continue;
                }
                DirEntry::File(file) => file,
            };
            let path = file.path().to_str().unwrap_or_default();
            // Tables are created in migrations and routes documented on Rust handlers: the
            // other files (most of the bytes) cannot name either.
            let sql = path.ends_with(".sql");
            if !(sql || path.ends_with(".rs") || path.ends_with(".rs.jinja")) {
                continue;
            }
            let Some(text) = file.contents_utf8() else {
                continue;
            };
            if sql {
                if let Some(stem) = file.path().file_stem().and_then(|s| s.to_str())
                    && let Some((_, name)) = stem.split_once('_')
                {
                    self.migrations.insert(name.to_string());
                }
                for table in words_after(text, "CREATE TABLE ") {
                    self.insert_with(table, || format!("the table `{table}`{from}"));
                }
            } else {
                for segment in words_after(text, "path = \"/") {
                    self.insert_with(segment, || format!("the routes `/{segment}`{from}"));
                }
            }
        }
    }

    /// What already has `name`, if anything does.
    pub fn by(&self, name: &str) -> Option<&str> {
        self.names.get(name).map(String::as_str)
    }
}

/// The identifier right after each occurrence of `marker` in `text`.
fn words_after<'t>(text: &'t str, marker: &str) -> impl Iterator<Item = &'t str> {
    // memchr's searcher: this runs over every template of the catalogue, several times a
    // command, and std's substring search was the largest single cost of `generate resource`.
    memchr::memmem::find_iter(text.as_bytes(), marker).filter_map(move |i| {
        let rest = &text[i + marker.len()..];
        let rest = rest.strip_prefix("IF NOT EXISTS ").unwrap_or(rest);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

/// Checks every declaration of `resources` against the names `taken`. `auth` says whether the
/// project has auth, when that is known (a preset that does not choose leaves it to the
/// defaults and prompts: the check before rendering decides then).
pub fn check(
    catalogue: &Catalogue,
    taken: &Taken,
    resources: &Resources,
    auth: Option<bool>,
) -> Result<(), ResourceError> {
    check_with(taken, resources, auth)?;
    for (name, resource) in resources {
        let owner = resource.owner.keyword();
        if resource.removed.is_none() && !catalogue.resource.owners.contains_key(owner) {
            return Err(ResourceError::OwnerNotGenerated {
                resource: name.clone(),
                owner: owner.to_string(),
            });
        }
    }
    Ok(())
}

/// Checks the resource `name` of `resources`, which is being declared (by `generate resource`,
/// or in a new project), against every name the catalogue uses ([`Taken::from_catalogue`]),
/// its names against [`NAME_LIMIT`], and its identifiers and unique fields against
/// PostgreSQL's limits; [`check`] then checks the whole project.
pub fn check_new(
    catalogue: &Catalogue,
    resources: &Resources,
    name: &str,
) -> Result<(), ResourceError> {
    match resources.get(name) {
        Some(resource) => {
            let taken = Taken::from_catalogue(catalogue);
            check_resource(&taken, resources, name, resource, false)?;
            check_purge_test(resources, name)?;
            check_lengths(name, Some(&resource.singular(name)), &resource.fields)?;
            check_identifiers(name, identifiers(name, resource))?;
            check_unique(name, &resource.fields)
        }
        None => Ok(()),
    }
}

/// Refuses a new resource `name` whose tests' module would be another resource's purge test,
/// `tests/api/<resource>_purge.rs` beside the jobs module, or the other way round.
fn check_purge_test(resources: &Resources, name: &str) -> Result<(), ResourceError> {
    let live = |other: &str| resources.get(other).is_some_and(|r| r.removed.is_none());
    let taken_by = match name.strip_suffix("_purge") {
        Some(other) if live(other) => {
            format!("the test of the jobs module's purge of `{other}` (`tests/api/{name}.rs`)")
        }
        _ if live(&format!("{name}_purge")) => format!(
            "the tests of resource `{name}_purge` (`tests/api/{name}_purge/`), which the test of \
             the jobs module's purge of `{name}` would take"
        ),
        _ => return Ok(()),
    };
    Err(ResourceError::Taken {
        name: name.to_string(),
        taken_by,
        declared: false,
    })
}

/// Checks `fields`, being added to resource `name`, against [`NAME_LIMIT`] and PostgreSQL's
/// limits as [`check_new`] checks a new resource's.
pub fn check_new_fields(name: &str, fields: &[Field]) -> Result<(), ResourceError> {
    // A name that is no snake_case ASCII is refused for that, before its length is counted.
    for field in fields {
        check_name(&format!("field `{name}.{}`", field.name), &field.name)?;
    }
    check_lengths(name, None, fields)?;
    let identifiers = fields.iter().flat_map(|f| field_identifiers(name, f));
    check_identifiers(name, identifiers.collect())?;
    check_unique(name, fields)
}

/// Refuses a name longer than [`NAME_LIMIT`]: of the resource `name` and its `singular` when
/// they are new, and of its new `fields` and their enum values (each a Rust variant). Like
/// PostgreSQL's limits, checked only for what is being declared, so that a project declaring
/// longer names still loads.
fn check_lengths(
    name: &str,
    singular: Option<&str>,
    fields: &[Field],
) -> Result<(), ResourceError> {
    let resource = singular.into_iter().flat_map(|singular| {
        [
            ("resource".to_string(), name.to_string()),
            (
                format!("the singular of resource `{name}`"),
                singular.to_string(),
            ),
        ]
    });
    let fields = fields.iter().flat_map(|f| {
        let values = match &f.ty {
            FieldType::Enum { values } => values.as_slice(),
            _ => &[],
        };
        let what = format!("value of enum `{name}.{}`", f.name);
        std::iter::once((format!("field `{name}.{}`", f.name), f.name.clone())).chain(
            values
                .iter()
                .map(move |value| (what.clone(), value.clone())),
        )
    });
    match resource
        .chain(fields)
        .find(|(_, given)| given.len() > NAME_LIMIT)
    {
        Some((what, name)) => Err(ResourceError::TooLong { what, name }),
        None => Ok(()),
    }
}

/// [`check`], with what the catalogue takes already gathered.
pub fn check_with(
    taken: &Taken,
    resources: &Resources,
    auth: Option<bool>,
) -> Result<(), ResourceError> {
    let mut migrations: BTreeMap<String, String> = BTreeMap::new();
    // A resource removed with its table has neither code nor table left to collide with.
    let nothing_taken = Taken::default();
    for (name, resource) in resources {
        let dropped = resource.removed.as_ref().is_some_and(|r| r.drop_table);
        let taken_by_others = if dropped { &nothing_taken } else { taken };
        check_resource(taken_by_others, resources, name, resource, true)?;
        // Identifier lengths and unique fields are checked as they are declared (`check_new`,
        // `check_new_fields`) only: a stricter release must not make an existing project unloadable.
        if resource.owner == Owner::User && resource.removed.is_none() && auth == Some(false) {
            return Err(ResourceError::OwnerNeedsAuth {
                resource: name.clone(),
            });
        }
        // A follows-auth resource's owner migration keeps its name whether auth is there or not.
        let owner_column = resource.owner == Owner::FollowsAuth;
        for migration in resource.migrations(name, owner_column) {
            check_migration_name(taken, &mut migrations, name, resource, &migration)?;
        }
    }
    check_singulars(resources)?;
    check_cycles(resources)
}

fn check_resource(
    taken: &Taken,
    resources: &Resources,
    name: &str,
    resource: &Resource,
    declared: bool,
) -> Result<(), ResourceError> {
    check_name("resource", name)?;
    if let Some(by) = taken.by(name) {
        return Err(ResourceError::Taken {
            name: name.to_string(),
            taken_by: by.to_string(),
            declared,
        });
    }
    let singular = resource.singular(name);
    // The singular names Rust items and values only (`Order`, `let order`), never SQL.
    check_rust_name(&format!("the singular of resource `{name}`"), &singular)?;
    if singular != name
        && let Some(by) = taken.by(&singular)
    {
        return Err(ResourceError::SingularTaken {
            resource: name.to_string(),
            singular,
            taken_by: by.to_string(),
        });
    }
    let type_name = upper_camel(&singular);
    if TYPE_NAMES.contains(&type_name.as_str()) {
        return Err(ResourceError::TypeName {
            resource: name.to_string(),
            type_name,
        });
    }
    if resource.fields.is_empty() {
        return Err(ResourceError::NoFields {
            resource: name.to_string(),
        });
    }
    let mut seen = BTreeSet::new();
    for field in &resource.fields {
        if field.unique && resource.owner == Owner::FollowsAuth {
            return Err(ResourceError::UniqueFollowsAuth {
                resource: name.to_string(),
                field: field.name.clone(),
            });
        }
        check_field(resources, name, resource, field)?;
        check_parameter(name, resource, field)?;
        if !seen.insert(&field.name) {
            return Err(ResourceError::DuplicateField {
                resource: name.to_string(),
                field: field.name.clone(),
            });
        }
    }
    if resource.removed.as_ref().is_some_and(|r| r.drop_table) {
        for (other, declared) in resources {
            let drops = declared.removed.as_ref().is_some_and(|r| r.drop_table);
            if other == name || drops {
                continue;
            }
            if let Some(field) = declared.fields.iter().find(|f| refers_to(f, name)) {
                return Err(ResourceError::DropReferenced {
                    to: name.to_string(),
                    resource: other.clone(),
                    field: field.name.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Refuses a resource whose migrations would name a table, column or index longer than
/// PostgreSQL keeps: it would cut the name short, and the generated code finds a unique
/// field's index by its full name (`crud.rs` maps a unique violation to its field).
fn check_identifiers(
    name: &str,
    identifiers: Vec<(&'static str, String)>,
) -> Result<(), ResourceError> {
    match identifiers
        .into_iter()
        .find(|(_, identifier)| identifier.len() > IDENTIFIER_LIMIT)
    {
        Some((what, identifier)) => Err(ResourceError::IdentifierTooLong {
            resource: name.to_string(),
            what,
            identifier,
        }),
        None => Ok(()),
    }
}

/// Every identifier `templates/resource/migrations/` derive from a resource's names, with what
/// each names: its table, its columns, its indexes, and the constraints PostgreSQL names after
/// them (`<table>_pkey`, `<table>_<column>_fkey`, `<table>_<column>_check`).
fn identifiers(name: &str, resource: &Resource) -> Vec<(&'static str, String)> {
    let mut identifiers = vec![("table", name.to_string())];
    identifiers.push(("primary key", format!("{name}_pkey")));
    let listing: &[&str] = match resource.owner {
        Owner::User => &["owner_live_idx", "owner_idx"],
        Owner::None => &["live_idx"],
        Owner::FollowsAuth => &["live_idx", "owner_live_idx", "owner_idx"],
    };
    for suffix in listing.iter().chain(&["created_at_idx", "deleted_at_idx"]) {
        identifiers.push(("index", format!("{name}_{suffix}")));
    }
    if resource.owner != Owner::None {
        identifiers.push(("foreign key", format!("{name}_owner_id_fkey")));
    }
    for field in &resource.fields {
        identifiers.extend(field_identifiers(name, field));
    }
    identifiers
}

/// The identifiers the migrations derive from `field` of resource `name`.
fn field_identifiers(name: &str, field: &Field) -> Vec<(&'static str, String)> {
    let mut identifiers = vec![("column", field.name.clone())];
    if field.unique {
        identifiers.push(("index", format!("{name}_{}_key", field.name)));
    }
    match field.ty {
        // `crud::write_error` finds the field a failed reference is to blame on by this name.
        FieldType::Ref { .. } => {
            identifiers.push(("index", format!("{name}_{}_idx", field.name)));
            identifiers.push(("foreign key", format!("{name}_{}_fkey", field.name)));
        }
        FieldType::Enum { .. } => {
            identifiers.push(("check constraint", format!("{name}_{}_check", field.name)));
        }
        _ => {}
    }
    identifiers
}

/// Refuses a unique field whose values may not fit its unique index (see
/// [`UNIQUE_MAX_LENGTH`]): `text` and `json` of any length, a `string` longer than that; and
/// one of a type whose values cannot usefully be unique (or that the generated tests cannot
/// make distinct values of).
fn check_unique(name: &str, fields: &[Field]) -> Result<(), ResourceError> {
    for field in fields.iter().filter(|f| f.unique) {
        let why = match field.ty {
            FieldType::Bool => Some("it has two values"),
            FieldType::F64 => Some("floats that print alike can differ"),
            FieldType::Enum { .. } => Some("it has a few values"),
            FieldType::Ref { .. } => Some("one-to-one refs are not generated yet"),
            _ => None,
        };
        if let Some(why) = why {
            return Err(ResourceError::UniqueType {
                resource: name.to_string(),
                field: field.name.clone(),
                ty: field.ty.keyword(),
                why,
            });
        }
        let values = match field.ty {
            FieldType::Text { max_length: None } => "a text value".to_string(),
            FieldType::Text {
                max_length: Some(n),
            } => format!("a text({n}) value"),
            FieldType::Json => "a json value".to_string(),
            FieldType::String {
                max_length: Some(n),
            } if n > UNIQUE_MAX_LENGTH => format!("a string({n}) value"),
            _ => continue,
        };
        return Err(ResourceError::UniqueTooLong {
            resource: name.to_string(),
            field: field.name.clone(),
            values,
        });
    }
    Ok(())
}

/// Refuses a field whose list filter would share a query parameter with the list's own
/// parameters, or with another field's range filter, and an enum field whose type would be
/// named as a type the resource derives from its row.
fn check_parameter(name: &str, resource: &Resource, field: &Field) -> Result<(), ResourceError> {
    let fail = |clash: String| ResourceError::QueryParameter {
        resource: name.to_string(),
        field: field.name.clone(),
        clash,
    };
    if QUERY_PARAMETERS.contains(&field.name.as_str()) {
        return Err(fail(format!("the list's own `{}`", field.name)));
    }
    for suffix in RANGE_SUFFIXES {
        if let Some(other) = field.name.strip_suffix(suffix)
            && resource.fields.iter().any(|f| f.name == other)
        {
            return Err(fail(format!("the range filter of field `{other}`")));
        }
    }
    if matches!(field.ty, FieldType::Enum { .. })
        && DERIVED_TYPE_SUFFIXES.contains(&field.name.as_str())
    {
        let type_name = upper_camel(&resource.singular(name));
        return Err(ResourceError::TypeName {
            resource: name.to_string(),
            type_name: format!("{type_name}{}", upper_camel(&field.name)),
        });
    }
    Ok(())
}

fn refers_to(field: &Field, resource: &str) -> bool {
    matches!(&field.ty, FieldType::Ref { to } if to == resource)
}

fn check_field(
    resources: &Resources,
    name: &str,
    resource: &Resource,
    field: &Field,
) -> Result<(), ResourceError> {
    let (resource_name, field_name) = (name.to_string(), field.name.clone());
    check_name(&format!("field `{name}.{}`", field.name), &field.name)?;
    if RESERVED_COLUMNS.contains(&field.name.as_str()) {
        return Err(ResourceError::ReservedColumn {
            resource: resource_name,
            field: field_name,
        });
    }
    match &field.ty {
        FieldType::String {
            max_length: Some(given),
        } if !(1..=MAX_LENGTH_LIMIT).contains(given) => {
            return Err(ResourceError::MaxLength {
                resource: resource_name,
                field: field_name,
                given: *given,
            });
        }
        FieldType::Text {
            max_length: Some(given),
        } if !(1..=TEXT_MAX_LENGTH_LIMIT).contains(given) => {
            return Err(ResourceError::TextMaxLength {
                resource: resource_name,
                field: field_name,
                given: *given,
            });
        }
        FieldType::Enum { values } => {
            if values.is_empty() {
                return Err(ResourceError::EmptyEnum {
                    resource: resource_name,
                    field: field_name,
                });
            }
            let mut seen = BTreeSet::new();
            for value in values {
                let what = format!("value of enum `{name}.{}`", field.name);
                check_snake_case(&what, value)?;
                // Its Rust variant is the value in UpperCamelCase: `self` would be `Self`.
                if value == "self" {
                    return Err(ResourceError::RustKeyword {
                        what,
                        name: value.clone(),
                    });
                }
                if !seen.insert(value) {
                    return Err(ResourceError::DuplicateValue {
                        resource: resource_name,
                        field: field_name,
                        value: value.clone(),
                    });
                }
            }
        }
        FieldType::Ref { to } => match resources.get(to) {
            None => {
                let known: Vec<&str> = resources
                    .iter()
                    .filter(|(_, r)| r.removed.is_none())
                    .map(|(n, _)| n.as_str())
                    .collect();
                return Err(ResourceError::UnknownRef {
                    resource: resource_name,
                    field: field_name,
                    to: to.clone(),
                    known: if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                });
            }
            // A removed resource's own migrations may still refer to another removed one.
            Some(target) if target.removed.is_some() && resource.removed.is_none() => {
                return Err(ResourceError::RefToRemoved {
                    resource: resource_name,
                    field: field_name,
                    to: to.clone(),
                });
            }
            Some(target)
                if resource.owner == Owner::None
                    && target.owner == Owner::FollowsAuth
                    && resource.removed.is_none() =>
            {
                return Err(ResourceError::SharedRefToFollowsAuth {
                    resource: resource_name,
                    field: field_name,
                    to: to.clone(),
                });
            }
            // A shared row cannot point at a row that only its owner sees.
            Some(target)
                if resource.owner == Owner::None
                    && target.owner == Owner::User
                    && resource.removed.is_none() =>
            {
                return Err(ResourceError::SharedRefToOwned {
                    resource: resource_name,
                    field: field_name,
                    to: to.clone(),
                });
            }
            Some(_) => {}
        },
        _ => {}
    }
    if let Some(default) = &field.default {
        check_default(&field.ty, default).map_err(|expected| ResourceError::DefaultType {
            resource: name.to_string(),
            field: field.name.clone(),
            given: default.to_string(),
            expected,
        })?;
        if field.optional {
            return Err(ResourceError::OptionalWithDefault {
                resource: name.to_string(),
                field: field.name.clone(),
            });
        }
    }
    Ok(())
}

/// Whether `default` is a value of type `ty`; the error says what the type takes.
fn check_default(ty: &FieldType, default: &toml::Value) -> Result<(), String> {
    use toml::Value;
    let expected = |what: &str| Err(what.to_string());
    match (ty, default) {
        (FieldType::String { max_length }, Value::String(s)) => {
            let max = max_length.unwrap_or(DEFAULT_MAX_LENGTH);
            if s.chars().count() > max as usize {
                return Err(format!("a string of at most {max} characters"));
            }
            Ok(())
        }
        (FieldType::String { .. }, _) => expected("a string"),
        (FieldType::Text { max_length }, Value::String(s)) => match max_length {
            Some(max) if s.chars().count() > *max as usize => {
                Err(format!("a text of at most {max} characters"))
            }
            _ => Ok(()),
        },
        (FieldType::Text { .. }, _) => expected("a string"),
        (FieldType::Bool, Value::Boolean(_)) => Ok(()),
        (FieldType::Bool, _) => expected("`true` or `false`"),
        (FieldType::I32, Value::Integer(n)) if i32::try_from(*n).is_ok() => Ok(()),
        (FieldType::I32, _) => expected("a 32-bit whole number"),
        (FieldType::I64, Value::Integer(_)) => Ok(()),
        (FieldType::I64, _) => expected("a whole number"),
        (FieldType::F64, Value::Float(f)) if f.is_finite() => Ok(()),
        (FieldType::F64, _) => expected("a finite float, such as `1.0`"),
        (FieldType::Decimal, Value::String(s)) if is_decimal(s) => Ok(()),
        (FieldType::Decimal, _) => {
            expected("a decimal number written as a string, such as \"9.99\"")
        }
        (FieldType::Uuid, Value::String(s)) if is_uuid(s) => Ok(()),
        (FieldType::Uuid, _) => {
            expected("a UUID, such as \"67e55044-10b1-426f-9247-bb680e5fe0c8\"")
        }
        (FieldType::Date, Value::Datetime(d)) if d.time.is_none() && d.offset.is_none() => Ok(()),
        (FieldType::Date, _) => expected("a date, such as 2025-01-31"),
        (FieldType::Datetime, Value::Datetime(d)) => match (d.date, d.time, d.offset) {
            (Some(date), Some(time), Some(offset)) => check_point_in_time(date, time, offset),
            _ => expected("a point in time with its offset, such as 2025-01-31T09:00:00Z"),
        },
        (FieldType::Datetime, _) => {
            expected("a point in time with its offset, such as 2025-01-31T09:00:00Z")
        }
        (FieldType::Json, Value::String(s))
            if serde_json::from_str::<serde_json::Value>(s).is_ok() =>
        {
            Ok(())
        }
        (FieldType::Json, _) => expected("JSON text written as a string, such as \"{}\""),
        (FieldType::Enum { values }, Value::String(s)) if values.contains(s) => Ok(()),
        (FieldType::Enum { values }, _) => {
            Err(format!("one of the enum's values ({})", values.join(", ")))
        }
        (FieldType::Ref { .. }, _) => {
            expected("allowed: a ref has no default, since no row's id is known in advance")
        }
    }
}

/// Refuses a datetime default that a request body could not carry (years 0 to 9999 in UTC),
/// or that PostgreSQL would round (it keeps microseconds): the generated test compares it
/// exactly with what a row returns.
fn check_point_in_time(
    date: toml::value::Date,
    time: toml::value::Time,
    offset: toml::value::Offset,
) -> Result<(), String> {
    let offset = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i32::from(minutes),
    };
    let minutes = i32::from(time.hour) * 60 + i32::from(time.minute) - offset;
    // An offset moves the time by less than a day: only the year's first and last days can
    // move to another year.
    let utc_year = match minutes.div_euclid(24 * 60) {
        -1 if (date.month, date.day) == (1, 1) => i32::from(date.year) - 1,
        1 if (date.month, date.day) == (12, 31) => i32::from(date.year) + 1,
        _ => i32::from(date.year),
    };
    if !(0..=9999).contains(&utc_year) {
        return Err(format!(
            "a point in time within years 0 to 9999 in UTC (it is in year {utc_year} in UTC)"
        ));
    }
    if time.nanosecond.is_some_and(|n| n % 1000 != 0) {
        return Err(
            "a point in time to the microsecond (at most 6 fractional digits, as PostgreSQL keeps)"
                .to_string(),
        );
    }
    Ok(())
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Checks the logical name of one of `resource`'s migrations: `snake_case`, and not the name of
/// a module's migration or of another resource's (`seen` maps those already checked to their
/// resource).
fn check_migration_name(
    taken: &Taken,
    seen: &mut BTreeMap<String, String>,
    name: &str,
    resource: &Resource,
    migration: &str,
) -> Result<(), ResourceError> {
    let field = resource
        .fields
        .iter()
        .find(|f| f.added.as_deref() == Some(migration));
    let fail = |problem: String| {
        let field = field.map(|f| f.name.clone()).unwrap_or_default();
        ResourceError::Added {
            resource: name.to_string(),
            field,
            problem,
        }
    };
    if field.is_some() && !is_snake_case(migration) {
        return Err(fail(format!(
            "`added = \"{migration}\"` is not a migration name: lowercase ASCII letters, digits and `_`, starting with a letter"
        )));
    }
    if taken.migrations.contains(migration) {
        return Err(fail(format!(
            "the migration `{migration}` has the name of a module's migration; choose another"
        )));
    }
    if let Some(other) = seen.insert(migration.to_string(), name.to_string())
        && other != name
    {
        return Err(fail(format!(
            "the migration `{migration}` is also one of resource `{other}`'s; choose another"
        )));
    }
    Ok(())
}

/// Refuses two live resources whose rows have one name, or where one's row is named as the
/// other (`invoice` and `invoices`): their types and modules would clash.
fn check_singulars(resources: &Resources) -> Result<(), ResourceError> {
    let live: Vec<(&String, String)> = resources
        .iter()
        .filter(|(_, r)| r.removed.is_none())
        .map(|(name, r)| (name, r.singular(name)))
        .collect();
    for (i, (first, first_singular)) in live.iter().enumerate() {
        for (second, second_singular) in &live[i + 1..] {
            let shared = if first_singular == second_singular || first_singular == *second {
                Some(first_singular)
            } else if second_singular == *first {
                Some(second_singular)
            } else {
                None
            };
            if let Some(singular) = shared {
                return Err(ResourceError::SameSingular {
                    first: first.to_string(),
                    second: second.to_string(),
                    singular: singular.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Refuses resources whose tables refer to each other from their creation (`a` needs `b`'s
/// table, `b` needs `a`'s); a resource may refer to itself.
fn check_cycles(resources: &Resources) -> Result<(), ResourceError> {
    let mut path = Vec::new();
    let mut done = BTreeSet::new();
    for name in resources.keys() {
        visit(resources, name, &mut path, &mut done)?;
    }
    Ok(())
}

fn visit<'r>(
    resources: &'r Resources,
    name: &'r str,
    path: &mut Vec<&'r str>,
    done: &mut BTreeSet<&'r str>,
) -> Result<(), ResourceError> {
    if done.contains(name) {
        return Ok(());
    }
    if let Some(start) = path.iter().position(|n| *n == name) {
        let mut cycle: Vec<&str> = path[start..].to_vec();
        cycle.push(name);
        return Err(ResourceError::RefCycle {
            cycle: cycle.join(" -> "),
        });
    }
    path.push(name);
    for to in crate::resource::created_refs(resources, name) {
        visit(resources, to, path, done)?;
    }
    path.pop();
    done.insert(name);
    Ok(())
}

/// Checks a name of the generated code and schema: `snake_case`, not a Rust or SQL keyword.
fn check_name(what: &str, name: &str) -> Result<(), ResourceError> {
    check_rust_name(what, name)?;
    if SQL_KEYWORDS.contains(&name) {
        return Err(ResourceError::SqlKeyword {
            what: what.to_string(),
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Checks a name of the generated code alone: `snake_case`, not a Rust keyword.
fn check_rust_name(what: &str, name: &str) -> Result<(), ResourceError> {
    check_snake_case(what, name)?;
    if RUST_KEYWORDS.contains(&name) {
        return Err(ResourceError::RustKeyword {
            what: what.to_string(),
            name: name.to_string(),
        });
    }
    Ok(())
}

fn check_snake_case(what: &str, name: &str) -> Result<(), ResourceError> {
    if is_snake_case(name) {
        return Ok(());
    }
    Err(ResourceError::NotSnakeCase {
        what: what.to_string(),
        name: name.to_string(),
        suggestion: snake_case(name),
    })
}

/// Lowercase ASCII letters, digits and single `_` between words, starting with a letter.
pub fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.ends_with('_')
        && !name.contains("__")
}

/// `name` turned into `snake_case` as well as it can be (`dueOn`: `due_on`, `Due-On`: `due_on`).
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    match out.chars().next() {
        None => "title".to_string(),
        Some(c) if c.is_ascii_digit() => format!("n{out}"),
        Some(_) => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{Field, Removal};

    fn field(word: &str) -> Field {
        crate::resource::grammar::parse_field(word).unwrap()
    }

    fn resource(owner: Owner, words: &[&str]) -> Resource {
        Resource {
            owner,
            singular: None,
            fields: words.iter().map(|w| field(w)).collect(),
            removed: None,
        }
    }

    fn taken() -> Taken {
        Taken::from_catalogue(&Catalogue::embedded().unwrap())
    }

    /// Checks resource `name` declared with `words` as `generate resource` does.
    fn check_one(name: &str, words: &[&str]) -> Result<(), ResourceError> {
        let resources = Resources::from([(name.to_string(), resource(Owner::None, words))]);
        check_with(&taken(), &resources, Some(true))?;
        check_new(&Catalogue::embedded().unwrap(), &resources, name)
    }

    #[test]
    fn a_resource_named_as_another_ones_purge_test_is_refused() {
        let resources = Resources::from([
            ("tags".to_string(), resource(Owner::None, &["name:text"])),
            (
                "tags_purge".to_string(),
                resource(Owner::None, &["name:text"]),
            ),
        ]);
        let catalogue = Catalogue::embedded().unwrap();
        for name in ["tags", "tags_purge"] {
            assert!(
                matches!(
                    check_new(&catalogue, &resources, name),
                    Err(ResourceError::Taken { name: taken, .. }) if taken == name
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn a_plain_declaration_passes() {
        assert_eq!(
            check_one(
                "invoices",
                &["title:string(200)", "status:enum(draft,paid)=draft"]
            ),
            Ok(())
        );
    }

    #[test]
    fn a_name_that_is_not_snake_case_is_refused_with_a_suggestion() {
        let error = check_one("Invoices", &["title:text"]).unwrap_err();
        assert!(
            error.to_string().contains("(such as `invoices`)"),
            "{error}"
        );
        assert!(matches!(
            check_one("line-items", &["title:text"]),
            Err(ResourceError::NotSnakeCase { .. })
        ));
    }

    #[test]
    fn a_resource_name_of_thirty_characters_passes() {
        assert_eq!(check_one(&"a".repeat(NAME_LIMIT), &["title:text"]), Ok(()));
    }

    #[test]
    fn a_resource_name_longer_than_thirty_characters_is_refused() {
        let error = check_one(&"a".repeat(NAME_LIMIT + 1), &["title:text"]).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("is 31 characters long, and names are at most 30 characters, so that the generated code keeps rustfmt's layout; choose a shorter name"),
            "{error}"
        );
    }

    #[test]
    fn a_field_name_longer_than_thirty_characters_is_refused() {
        let field = format!("{}:text", "b".repeat(NAME_LIMIT + 1));
        assert!(matches!(
            check_one("invoices", &[&field]),
            Err(ResourceError::TooLong { what, .. }) if what.starts_with("field `invoices.")
        ));
    }

    #[test]
    fn a_new_field_longer_than_thirty_characters_is_refused() {
        let long = field(&format!("{}:text", "d".repeat(NAME_LIMIT + 1)));

        assert!(matches!(
            check_new_fields("notes", &[long]),
            Err(ResourceError::TooLong { what, .. }) if what.starts_with("field `notes.")
        ));
    }

    #[test]
    fn a_new_field_that_is_not_ascii_is_refused_as_not_snake_case_whatever_its_length() {
        let accented = field("catégorie_de_référence_produit:text");

        assert!(matches!(
            check_new_fields("notes", &[accented]),
            Err(ResourceError::NotSnakeCase { .. })
        ));
    }

    #[test]
    fn a_singular_longer_than_thirty_characters_is_refused() {
        let mut invoices = resource(Owner::None, &["title:text"]);
        invoices.singular = Some("i".repeat(NAME_LIMIT + 1));
        let resources = Resources::from([("invoices".to_string(), invoices)]);

        assert!(matches!(
            check_new(&Catalogue::embedded().unwrap(), &resources, "invoices"),
            Err(ResourceError::TooLong { what, .. }) if what.starts_with("the singular of resource")
        ));
    }

    #[test]
    fn an_enum_value_longer_than_thirty_characters_is_refused() {
        let field = format!("status:enum(draft,{})", "c".repeat(NAME_LIMIT + 1));
        assert!(matches!(
            check_one("invoices", &[&field]),
            Err(ResourceError::TooLong { what, .. }) if what == "value of enum `invoices.status`"
        ));
    }

    #[test]
    fn a_rust_keyword_is_refused_as_a_resource_name() {
        assert!(matches!(
            check_one("type", &["title:text"]),
            Err(ResourceError::RustKeyword { .. })
        ));
    }

    #[test]
    fn a_resource_whose_singular_is_a_rust_keyword_is_refused() {
        let error = check_one("matches", &["title:text"]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the singular of resource `matches` `match` is a Rust keyword"),
            "{error}"
        );
    }

    #[test]
    fn an_sql_keyword_is_refused_as_a_resource_name() {
        assert!(matches!(
            check_one("order", &["title:text"]),
            Err(ResourceError::SqlKeyword { .. })
        ));
    }

    #[test]
    fn a_resource_whose_singular_is_an_sql_keyword_passes() {
        assert_eq!(check_one("orders", &["title:text"]), Ok(()));
        assert_eq!(check_one("groups", &["title:text"]), Ok(()));
        let mut declared = resource(Owner::None, &["title:text"]);
        declared.singular = Some("table".into());
        let resources = Resources::from([("tables".to_string(), declared)]);
        assert_eq!(check_with(&taken(), &resources, Some(true)), Ok(()));
    }

    #[test]
    fn a_module_name_is_refused_as_a_resource_name() {
        let error = check_one("payments", &["title:text"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "resource `payments` would collide with the module `payments`; choose another name (a resource already in use moves to another as \"Renaming a resource\" in omnistack's README says)"
        );
    }

    #[test]
    fn a_table_of_a_module_is_refused_as_a_resource_name() {
        let error = check_one("users", &["title:text"]).unwrap_err();
        assert!(matches!(error, ResourceError::Taken { .. }), "{error}");
        let error = check_one("subscriptions", &["title:text"]).unwrap_err();
        assert!(
            error.to_string().contains("the table `subscriptions`"),
            "{error}"
        );
    }

    #[test]
    fn a_core_module_is_refused_as_a_resource_name() {
        for name in ["crud", "state", "config", "health", "error"] {
            assert!(
                matches!(
                    check_one(name, &["title:text"]),
                    Err(ResourceError::Taken { .. })
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn a_library_module_of_a_provider_is_refused_as_a_resource_name() {
        let error = check_one("user_webhook", &["title:text"]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("the Rust module `crate::user_webhook`"),
            "{error}"
        );
    }

    #[test]
    fn two_resources_whose_rows_share_a_name_are_refused() {
        let resources = Resources::from([
            ("invoice".to_string(), resource(Owner::None, &["a:text"])),
            ("invoices".to_string(), resource(Owner::None, &["a:text"])),
        ]);
        let error = check_with(&taken(), &resources, Some(true)).unwrap_err();
        assert_eq!(
            error,
            ResourceError::SameSingular {
                first: "invoice".into(),
                second: "invoices".into(),
                singular: "invoice".into()
            }
        );
    }

    #[test]
    fn a_row_type_named_as_a_type_the_code_uses_is_refused() {
        let error = check_one("options", &["title:text"]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("resource `options` would name its row type `Option`"),
            "{error}"
        );
    }

    #[test]
    fn a_declared_singular_avoids_a_taken_row_type() {
        let mut options = resource(Owner::None, &["title:text"]);
        options.singular = Some("option_item".into());
        let resources = Resources::from([("options".to_string(), options)]);
        assert_eq!(check_with(&taken(), &resources, Some(true)), Ok(()));
    }

    #[test]
    fn a_singular_the_project_uses_is_refused() {
        assert!(matches!(
            check_one("states", &["title:text"]),
            Err(ResourceError::SingularTaken { .. })
        ));
    }

    #[test]
    fn a_field_named_as_a_query_parameter_of_the_list_is_refused() {
        for parameter in QUERY_PARAMETERS {
            assert!(
                matches!(
                    check_one("invoices", &[&format!("{parameter}:text")]),
                    Err(ResourceError::QueryParameter { .. })
                        | Err(ResourceError::SqlKeyword { .. })
                ),
                "{parameter}"
            );
        }
    }

    #[test]
    fn a_field_named_as_another_fields_range_filter_is_refused() {
        let error = check_one("invoices", &["amount:i64", "amount_min:i64"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field `invoices.amount_min` would be read from the same query parameter as the range filter of field `amount`; choose another name"
        );
    }

    #[test]
    fn an_enum_field_named_as_a_derived_type_is_refused() {
        assert!(matches!(
            check_one("invoices", &["filters:enum(a,b)"]),
            Err(ResourceError::TypeName { .. })
        ));
    }

    #[test]
    fn a_resource_without_fields_is_refused() {
        assert!(matches!(
            check_one("notes", &[]),
            Err(ResourceError::NoFields { .. })
        ));
    }

    #[test]
    fn a_field_that_is_not_snake_case_is_refused() {
        let error = check_one("invoices", &["dueOn:date"]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("field `invoices.dueOn` `dueOn` is not a snake_case name"),
            "{error}"
        );
    }

    #[test]
    fn a_field_named_as_a_keyword_is_refused() {
        assert!(matches!(
            check_one("invoices", &["type:text"]),
            Err(ResourceError::RustKeyword { .. })
        ));
        assert!(matches!(
            check_one("invoices", &["user:text"]),
            Err(ResourceError::SqlKeyword { .. })
        ));
    }

    #[test]
    fn a_reserved_column_is_refused_as_a_field() {
        for column in RESERVED_COLUMNS {
            assert!(
                matches!(
                    check_one("invoices", &[&format!("{column}:text")]),
                    Err(ResourceError::ReservedColumn { .. })
                ),
                "{column}"
            );
        }
    }

    #[test]
    fn a_field_declared_twice_is_refused() {
        assert_eq!(
            check_one("invoices", &["title:text", "title:string"]),
            Err(ResourceError::DuplicateField {
                resource: "invoices".into(),
                field: "title".into()
            })
        );
    }

    #[test]
    fn an_enum_without_values_is_refused() {
        assert!(matches!(
            check_one("invoices", &["status:enum(,)"]),
            Err(ResourceError::EmptyEnum { .. })
        ));
    }

    #[test]
    fn an_enum_value_that_is_not_snake_case_is_refused() {
        assert!(matches!(
            check_one("invoices", &["status:enum(Draft)"]),
            Err(ResourceError::NotSnakeCase { .. })
        ));
    }

    #[test]
    fn an_enum_value_given_twice_is_refused() {
        assert!(matches!(
            check_one("invoices", &["status:enum(a,b,a)"]),
            Err(ResourceError::DuplicateValue { .. })
        ));
    }

    #[test]
    fn a_max_length_out_of_range_is_refused() {
        assert!(matches!(
            check_one("invoices", &["title:string(0)"]),
            Err(ResourceError::MaxLength { given: 0, .. })
        ));
        assert!(matches!(
            check_one("invoices", &["title:string(250001)"]),
            Err(ResourceError::MaxLength { given: 250_001, .. })
        ));
        assert_eq!(check_one("invoices", &["title:string(250000)"]), Ok(()));
    }

    #[test]
    fn a_ref_to_an_undeclared_resource_is_refused_naming_the_declared_ones() {
        let error = check_one("invoices", &["customer_id:ref(customers)"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field `invoices.customer_id` refers to `customers`, which is not a resource of the project (resources: invoices); generate `customers` first"
        );
    }

    #[test]
    fn a_ref_to_a_removed_resource_is_refused() {
        let mut customers = resource(Owner::None, &["name:text"]);
        customers.removed = Some(Removal { drop_table: false });
        let resources = Resources::from([
            ("customers".to_string(), customers),
            (
                "invoices".to_string(),
                resource(Owner::None, &["customer_id:ref(customers)"]),
            ),
        ]);
        assert!(matches!(
            check_with(&taken(), &resources, Some(true)),
            Err(ResourceError::RefToRemoved { .. })
        ));
    }

    #[test]
    fn a_resource_may_refer_to_itself() {
        assert_eq!(
            check_one("categories", &["name:text", "parent_id:ref(categories)?"]),
            Ok(())
        );
    }

    #[test]
    fn tables_that_refer_to_each_other_from_their_creation_are_refused() {
        let resources = Resources::from([
            (
                "authors".to_string(),
                resource(Owner::None, &["book_id:ref(books)"]),
            ),
            (
                "books".to_string(),
                resource(Owner::None, &["author_id:ref(authors)"]),
            ),
        ]);
        let error = check_with(&taken(), &resources, Some(true)).unwrap_err();
        assert_eq!(
            error,
            ResourceError::RefCycle {
                cycle: "authors -> books -> authors".into()
            }
        );
    }

    #[test]
    fn a_later_ref_breaks_a_cycle() {
        let mut authors = resource(Owner::None, &["name:text", "book_id:ref(books)?"]);
        authors.fields[1].added = Some("add_book_id_to_authors".into());
        let resources = Resources::from([
            ("authors".to_string(), authors),
            (
                "books".to_string(),
                resource(Owner::None, &["author_id:ref(authors)"]),
            ),
        ]);
        assert_eq!(check_with(&taken(), &resources, Some(true)), Ok(()));
    }

    #[test]
    fn dropping_a_table_another_refers_to_is_refused() {
        let mut customers = resource(Owner::None, &["name:text"]);
        customers.removed = Some(Removal { drop_table: true });
        let mut invoices = resource(Owner::None, &["customer_id:ref(customers)"]);
        invoices.removed = Some(Removal { drop_table: false });
        let resources = Resources::from([
            ("customers".to_string(), customers),
            ("invoices".to_string(), invoices),
        ]);
        assert!(matches!(
            check_with(&taken(), &resources, Some(true)),
            Err(ResourceError::DropReferenced { .. })
        ));
    }

    #[test]
    fn an_owned_resource_without_auth_is_refused_saying_what_to_do() {
        let resources = Resources::from([(
            "invoices".to_string(),
            resource(Owner::User, &["title:text"]),
        )]);
        let error = check_with(&taken(), &resources, Some(false)).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("add auth (`omnistack add auth`)"),
            "{error}"
        );
        assert_eq!(check_with(&taken(), &resources, None), Ok(()));
    }

    #[test]
    fn a_default_of_another_type_is_refused() {
        let mut invoices = resource(Owner::None, &["count:i32"]);
        invoices.fields[0].default = Some(toml::Value::String("3".into()));
        let resources = Resources::from([("invoices".to_string(), invoices)]);
        let error = check_with(&taken(), &resources, Some(true)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field `invoices.count`: the default \"3\" is not a 32-bit whole number"
        );
    }

    #[test]
    fn a_default_outside_an_enum_is_refused() {
        assert!(matches!(
            check_one("invoices", &["status:enum(draft,paid)=sent"]),
            Err(ResourceError::DefaultType { .. })
        ));
    }

    #[test]
    fn a_default_longer_than_the_max_length_is_refused() {
        assert!(matches!(
            check_one("invoices", &["code:string(2)=abc"]),
            Err(ResourceError::DefaultType { .. })
        ));
    }

    #[test]
    fn defaults_of_each_type_pass() {
        assert_eq!(
            check_one(
                "invoices",
                &[
                    "a:decimal=-9.99",
                    "b:uuid=67e55044-10b1-426f-9247-bb680e5fe0c8",
                    "f:f64=1.5",
                    "g:i64=-3",
                    "h:bool=true",
                    "i:text=hello",
                ]
            ),
            Ok(())
        );
    }

    #[test]
    fn a_date_datetime_or_json_default_is_accepted() {
        for word in [
            "c:date=2025-01-31",
            "d:datetime=2025-01-31T09:00:00+02:00",
            "e:json={\"a\":1}",
        ] {
            assert_eq!(check_one("invoices", &[word]), Ok(()), "{word}");
        }
    }

    #[test]
    fn a_datetime_default_outside_years_0_to_9999_in_utc_is_refused() {
        for word in [
            "d:datetime=9999-12-31T23:30:00-01:00",
            "d:datetime=0000-01-01T00:30:00+01:00",
        ] {
            let message = check_one("invoices", &[word]).unwrap_err().to_string();
            assert!(
                message.contains("within years 0 to 9999 in UTC"),
                "{word}: {message}"
            );
        }
        for word in [
            "d:datetime=9999-12-31T23:30:00+01:00",
            "d:datetime=0000-01-01T00:30:00Z",
        ] {
            assert_eq!(check_one("invoices", &[word]), Ok(()), "{word}");
        }
    }

    #[test]
    fn a_datetime_default_finer_than_a_microsecond_is_refused() {
        let error = check_one("invoices", &["d:datetime=2025-01-31T09:00:00.1234567Z"]);

        let message = error.unwrap_err().to_string();
        assert!(message.contains("at most 6 fractional digits"), "{message}");
        assert_eq!(
            check_one("invoices", &["d:datetime=2025-01-31T09:00:00.123456Z"]),
            Ok(())
        );
    }

    #[test]
    fn an_optional_field_with_a_default_is_refused() {
        assert!(matches!(
            check_one("invoices", &["label:text?=n/a"]),
            Err(ResourceError::OptionalWithDefault { .. })
        ));
    }

    #[test]
    fn a_malformed_decimal_uuid_date_or_json_default_is_refused() {
        for word in [
            "a:decimal=9.",
            "b:uuid=nope",
            "c:date=2025-01-31T09:00:00Z",
            "d:datetime=2025-01-31",
            "e:json={",
        ] {
            assert!(
                matches!(
                    check_one("invoices", &[word]),
                    Err(ResourceError::DefaultType { .. })
                ),
                "{word}"
            );
        }
    }

    #[test]
    fn a_migration_name_of_another_resource_is_refused() {
        let mut invoices = resource(Owner::None, &["title:text", "paid:bool?"]);
        invoices.fields[1].added = Some("create_customers".into());
        let resources = Resources::from([
            (
                "customers".to_string(),
                resource(Owner::None, &["name:text"]),
            ),
            ("invoices".to_string(), invoices),
        ]);
        let error = check_with(&taken(), &resources, Some(true)).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("is also one of resource `customers`'s"),
            "{error}"
        );
    }

    #[test]
    fn a_migration_name_of_a_module_is_refused() {
        let mut invoices = resource(Owner::None, &["title:text", "paid:bool?"]);
        invoices.fields[1].added = Some("users".into());
        let resources = Resources::from([("invoices".to_string(), invoices)]);
        assert!(matches!(
            check_with(&taken(), &resources, Some(true)),
            Err(ResourceError::Added { .. })
        ));
    }

    #[test]
    fn a_unique_field_whose_index_name_exceeds_63_bytes_is_refused_naming_it_and_the_limit() {
        let (name, field) = ("a".repeat(NAME_LIMIT), "b".repeat(NAME_LIMIT));

        let error = check_one(&name, &[&format!("{field}:string:unique")]).unwrap_err();

        assert_eq!(
            error,
            ResourceError::IdentifierTooLong {
                resource: name.clone(),
                what: "index",
                identifier: format!("{name}_{field}_key"),
            }
        );
        let message = error.to_string();
        assert!(message.contains("65 bytes"), "{message}");
        assert!(message.contains("at most 63 bytes"), "{message}");
    }

    #[test]
    fn a_ref_whose_foreign_key_name_exceeds_63_bytes_is_refused() {
        // One byte longer than its index, `<name>_<field>_idx`, which fits.
        let name = format!("invoices{}", "_x".repeat(10));
        let field = "b".repeat(IDENTIFIER_LIMIT - name.len() - "__fkey".len() + 1);
        let mut resources = Resources::from([(
            "customers".to_string(),
            resource(Owner::User, &["name:text"]),
        )]);
        resources.insert(
            name.clone(),
            resource(Owner::User, &[&format!("{field}:ref(customers)")]),
        );

        let error = check_new(&Catalogue::embedded().unwrap(), &resources, &name).unwrap_err();

        assert_eq!(
            error,
            ResourceError::IdentifierTooLong {
                resource: name.clone(),
                what: "foreign key",
                identifier: format!("{name}_{field}_fkey"),
            }
        );
    }

    #[test]
    fn an_enum_whose_check_constraint_name_exceeds_63_bytes_is_refused() {
        // One byte longer than its index, `<name>_<field>_idx`, which fits.
        let name = format!("notes{}", "_x".repeat(11));
        let field = "e".repeat(IDENTIFIER_LIMIT - name.len() - "__check".len() + 1);

        let error = check_one(&name, &[&format!("{field}:enum(a,b)")]).unwrap_err();

        assert!(
            matches!(
                &error,
                ResourceError::IdentifierTooLong {
                    what: "check constraint",
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn a_declared_resource_a_newer_release_finds_too_long_still_loads() {
        let name = "a".repeat(IDENTIFIER_LIMIT);
        let resources =
            Resources::from([(name.clone(), resource(Owner::None, &["body:text:unique"]))]);

        assert_eq!(check_with(&taken(), &resources, Some(false)), Ok(()));
        assert!(check_new(&Catalogue::embedded().unwrap(), &resources, &name).is_err());
    }

    #[test]
    fn a_new_field_whose_index_name_exceeds_63_bytes_is_refused() {
        let name = "n".repeat(NAME_LIMIT);
        let long = field(&format!("{}:string:unique", "d".repeat(NAME_LIMIT)));

        assert!(matches!(
            check_new_fields(&name, &[long]),
            Err(ResourceError::IdentifierTooLong { what: "index", .. })
        ));
        assert_eq!(check_new_fields(&name, &[field("title:text")]), Ok(()));
    }

    #[test]
    fn a_new_unique_text_field_is_refused() {
        assert!(matches!(
            check_new_fields("notes", &[field("body:text:unique")]),
            Err(ResourceError::UniqueTooLong { .. })
        ));
    }

    #[test]
    fn a_text_max_length_out_of_range_is_refused_saying_how_to_leave_it_unbounded() {
        assert!(matches!(
            check_one("invoices", &["notes:text(0)"]),
            Err(ResourceError::TextMaxLength { given: 0, .. })
        ));
        let error = check_one("invoices", &["notes:text(250001)"]).unwrap_err();

        assert!(
            error.to_string().contains(
                "a text's max length is 1 to 250000 characters, got 250001; leave it out"
            ),
            "{error}"
        );
        assert_eq!(check_one("invoices", &["notes:text(250000)"]), Ok(()));
    }

    #[test]
    fn a_default_longer_than_a_texts_max_length_is_refused() {
        let error = check_one("invoices", &["notes:text(3)=abcd"]).unwrap_err();

        assert!(
            error.to_string().contains("a text of at most 3 characters"),
            "{error}"
        );
        assert_eq!(check_one("invoices", &["notes:text(3)=abc"]), Ok(()));
    }

    #[test]
    fn a_unique_text_is_refused_bounded_or_not() {
        let error = check_one("articles", &["slug:text(100):unique"]).unwrap_err();

        let message = error.to_string();
        assert!(message.contains("a text(100) value"), "{message}");
        assert!(
            message.contains("`string(n)` with n at most 600"),
            "{message}"
        );
    }

    #[test]
    fn a_unique_string_is_at_most_600_characters() {
        assert_eq!(check_one("codes", &["code:string(600):unique"]), Ok(()));

        let error = check_one("codes", &["code:string(601):unique"]).unwrap_err();

        let message = error.to_string();
        assert!(
            message.starts_with("field `codes.code` is unique, and a string(601) value"),
            "{message}"
        );
        assert!(
            message.contains("`string(n)` with n at most 600"),
            "{message}"
        );
        assert_eq!(check_one("codes", &["code:string(601)"]), Ok(()));
    }

    #[test]
    fn a_unique_bool_f64_enum_or_ref_field_is_refused() {
        let resources =
            Resources::from([("notes".to_string(), resource(Owner::None, &["title:text"]))]);
        for word in [
            "done:bool:unique",
            "ratio:f64:unique",
            "status:enum(a,b):unique",
            "note_id:ref(notes):unique",
        ] {
            let mut resources = resources.clone();
            resources.insert("tags".into(), resource(Owner::None, &[word]));
            assert!(
                matches!(
                    check_new(&Catalogue::embedded().unwrap(), &resources, "tags"),
                    Err(ResourceError::UniqueType { .. })
                ),
                "{word}"
            );
        }
    }

    #[test]
    fn a_unique_integer_decimal_date_or_datetime_field_passes() {
        for word in [
            "a:i32:unique",
            "b:i64:unique",
            "c:decimal:unique",
            "d:date:unique",
            "e:datetime:unique",
        ] {
            assert_eq!(check_one("codes", &[word]), Ok(()), "{word}");
        }
    }

    #[test]
    fn a_unique_text_or_json_field_is_refused() {
        for word in ["body:text:unique", "payload:json:unique"] {
            assert!(
                matches!(
                    check_one("notes", &[word]),
                    Err(ResourceError::UniqueTooLong { .. })
                ),
                "{word}"
            );
        }
    }

    /// The default answers, with `payments` as given, declaring a resource `subscriptions`,
    /// the name of a table of payments.
    fn subscriptions_with_payments(payments: &[&str]) -> (Catalogue, Answers) {
        let catalogue = Catalogue::embedded().unwrap();
        let answers = Answers {
            resources: Resources::from([(
                "subscriptions".to_string(),
                resource(Owner::User, &["plan:text"]),
            )]),
            ..Answers::defaults(&catalogue).answering("payments", payments)
        };
        (catalogue, answers)
    }

    #[test]
    fn a_declared_resource_named_as_what_a_module_the_project_lacks_uses_passes() {
        let (catalogue, answers) = subscriptions_with_payments(&[]);

        let taken = Taken::of_project(&catalogue, &answers);

        assert_eq!(check_with(&taken, &answers.resources, Some(true)), Ok(()));
        assert!(answers.check_requirements(&catalogue).is_ok());
    }

    #[test]
    fn a_new_resource_named_as_what_any_module_uses_is_refused() {
        let (catalogue, answers) = subscriptions_with_payments(&[]);

        let error = check_new(&catalogue, &answers.resources, "subscriptions").unwrap_err();

        assert!(
            matches!(error, ResourceError::Taken { ref taken_by, .. } if taken_by == "the table `subscriptions`"),
            "{error}"
        );
    }

    #[test]
    fn a_new_resources_taken_name_is_refused_without_the_renaming_hint() {
        let (catalogue, answers) = subscriptions_with_payments(&[]);

        let error = check_new(&catalogue, &answers.resources, "subscriptions").unwrap_err();

        assert_eq!(
            error.to_string(),
            "resource `subscriptions` would collide with the table `subscriptions`; choose another name"
        );
    }

    #[test]
    fn a_declared_resource_named_as_what_a_chosen_module_uses_is_refused_naming_the_module() {
        let (catalogue, answers) = subscriptions_with_payments(&["stripe"]);

        let taken = Taken::of_project(&catalogue, &answers);
        let error = check_with(&taken, &answers.resources, Some(true)).unwrap_err();

        let message = error.to_string();
        assert!(
            message.starts_with(
                "resource `subscriptions` would collide with the table `subscriptions`, from payments (stripe); choose another name"
            ),
            "{message}"
        );
        assert!(message.contains("Renaming a resource"), "{message}");
    }

    #[test]
    fn a_resource_removed_with_its_table_leaves_its_name_to_a_module() {
        let (catalogue, mut answers) = subscriptions_with_payments(&["stripe"]);
        for resource in answers.resources.values_mut() {
            resource.removed = Some(Removal { drop_table: true });
        }

        assert!(answers.check_requirements(&catalogue).is_ok());
    }

    /// The identifiers after each `marker` in the migrations `render` has for `table`.
    fn rendered_identifiers<'r>(
        render: &'r crate::render::RenderedTree,
        table: &str,
    ) -> BTreeSet<&'r str> {
        let markers = [
            "CREATE TABLE ",
            "ALTER TABLE ",
            "CREATE INDEX ",
            "CREATE UNIQUE INDEX ",
            "ADD COLUMN ",
        ];
        render
            .files
            .keys()
            .filter(|path| path.starts_with("migrations/") && path.contains(table))
            .flat_map(|path| {
                let text = render.text(path).unwrap();
                markers.iter().flat_map(move |m| words_after(text, m))
            })
            .collect()
    }

    #[test]
    fn the_identifiers_checked_are_every_one_the_resource_migrations_derive() {
        let catalogue = Catalogue::embedded().unwrap();
        let mut answers = crate::answers::Answers::defaults(&catalogue);
        let mut invoices = resource(
            Owner::User,
            &["title:string:unique", "customer_id:ref(customers)"],
        );
        let mut added = field("number:i64?:unique");
        added.added = Some("add_number_to_invoices".into());
        invoices.fields.push(added);
        let mut paid_by = field("paid_by:ref(customers)?");
        paid_by.added = Some("add_number_to_invoices".into());
        invoices.fields.push(paid_by);
        answers
            .resources
            .insert("customers".into(), resource(Owner::User, &["name:text"]));
        answers
            .resources
            .insert("invoices".into(), invoices.clone());

        let render = crate::generate(&catalogue, &answers).unwrap();

        let checked: BTreeSet<String> = identifiers("invoices", &invoices)
            .into_iter()
            .map(|(_, identifier)| identifier)
            .collect();
        let rendered = rendered_identifiers(&render, "invoices");
        assert!(rendered.contains("invoices_number_key"), "{rendered:?}");
        assert!(rendered.contains("invoices_paid_by_idx"), "{rendered:?}");
        for identifier in rendered {
            assert!(checked.contains(identifier), "{identifier} is not checked");
        }
    }

    #[test]
    fn snake_case_suggestions_follow_words() {
        assert_eq!(snake_case("dueOn"), "due_on");
        assert_eq!(snake_case("Line-Items"), "line_items");
        assert_eq!(snake_case("2fa"), "n2fa");
    }

    #[test]
    fn a_shared_resource_referring_to_an_owned_one_is_refused() {
        let resources = Resources::from([
            (
                "customers".to_string(),
                resource(Owner::User, &["name:text"]),
            ),
            (
                "tags".to_string(),
                resource(Owner::None, &["customer_id:ref(customers)"]),
            ),
        ]);
        assert_eq!(
            check_with(&taken(), &resources, None),
            Err(ResourceError::SharedRefToOwned {
                resource: "tags".into(),
                field: "customer_id".into(),
                to: "customers".into(),
            })
        );
    }

    #[test]
    fn an_owned_resource_may_refer_to_a_shared_one() {
        let resources = Resources::from([
            ("tags".to_string(), resource(Owner::None, &["name:text"])),
            (
                "invoices".to_string(),
                resource(Owner::User, &["tag_id:ref(tags)", "other_id:ref(tags)?"]),
            ),
        ]);
        assert_eq!(check_with(&taken(), &resources, None), Ok(()));
    }

    #[test]
    fn a_shared_resource_may_not_refer_to_a_follows_auth_one() {
        let resources = Resources::from([
            (
                "tags".to_string(),
                resource(Owner::FollowsAuth, &["name:text"]),
            ),
            (
                "notes".to_string(),
                resource(Owner::None, &["tag_id:ref(tags)"]),
            ),
        ]);
        assert_eq!(
            check_with(&taken(), &resources, Some(false)),
            Err(ResourceError::SharedRefToFollowsAuth {
                resource: "notes".into(),
                field: "tag_id".into(),
                to: "tags".into(),
            })
        );
    }

    #[test]
    fn a_follows_auth_resource_may_refer_to_a_shared_one() {
        let resources = Resources::from([
            ("tags".to_string(), resource(Owner::None, &["name:text"])),
            (
                "notes".to_string(),
                resource(Owner::FollowsAuth, &["tag_id:ref(tags)"]),
            ),
        ]);
        assert_eq!(check_with(&taken(), &resources, Some(false)), Ok(()));
        assert_eq!(check_with(&taken(), &resources, Some(true)), Ok(()));
    }

    #[test]
    fn follows_auth_resources_may_refer_to_each_other_with_auth_and_without() {
        let resources = Resources::from([
            (
                "tags".to_string(),
                resource(Owner::FollowsAuth, &["name:text"]),
            ),
            (
                "notes".to_string(),
                resource(Owner::FollowsAuth, &["tag_id:ref(tags)"]),
            ),
        ]);
        for auth in [false, true] {
            assert_eq!(check_with(&taken(), &resources, Some(auth)), Ok(()));
        }
    }

    #[test]
    fn a_unique_field_of_a_follows_auth_resource_is_refused() {
        let resources = Resources::from([(
            "notes".to_string(),
            resource(Owner::FollowsAuth, &["title:string:unique"]),
        )]);
        assert_eq!(
            check_with(&taken(), &resources, Some(false)),
            Err(ResourceError::UniqueFollowsAuth {
                resource: "notes".into(),
                field: "title".into(),
            })
        );
    }

    #[test]
    fn a_follows_auth_resource_needs_no_auth() {
        let resources = Resources::from([(
            "notes".to_string(),
            resource(Owner::FollowsAuth, &["title:text"]),
        )]);
        assert_eq!(check_with(&taken(), &resources, Some(false)), Ok(()));
    }

    #[test]
    fn shared_rows_pass_with_auth_and_without() {
        let catalogue = Catalogue::embedded().unwrap();
        let resources =
            Resources::from([("tags".to_string(), resource(Owner::None, &["name:text"]))]);
        for auth in [Some(false), Some(true), None] {
            assert_eq!(check(&catalogue, &Taken::core(), &resources, auth), Ok(()));
        }
    }

    #[test]
    fn an_owner_without_templates_is_refused() {
        let mut catalogue = Catalogue::embedded().unwrap();
        catalogue.resource.owners.remove("none");
        let resources =
            Resources::from([("tags".to_string(), resource(Owner::None, &["name:text"]))]);
        assert_eq!(
            check(&catalogue, &Taken::core(), &resources, Some(false)),
            Err(ResourceError::OwnerNotGenerated {
                resource: "tags".into(),
                owner: "none".into(),
            })
        );
    }
}
