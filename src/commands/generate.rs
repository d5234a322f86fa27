//! `omnistack generate` (`g`): declare a resource, or add fields to one, then render and merge
//! the project as `add` does; and `omnistack remove resource`.

use clap::{Arg, ArgAction, ArgMatches, Command, builder::PossibleValuesParser};

use crate::Error;
use crate::catalogue::Catalogue;
use crate::commands::change::{self, ChangeOptions};
use crate::resource::change::NewResource;
use crate::resource::grammar::{self, SYNTAX};
use crate::resource::{self, Owner};
use crate::ui::Ui;

/// The `generate` subcommand and its own subcommands.
pub fn command() -> Command {
    let fields = Arg::new("fields")
        .value_name("FIELD")
        .required(true)
        .num_args(1..)
        .help(format!(
            "Each field as {SYNTAX}; types: {} (quote words with `(`, `?` or `=` in your shell)",
            resource::FieldType::KEYWORDS.join(", ")
        ));
    Command::new("generate")
        .visible_alias("g")
        .about("Add your own resource (a table with CRUD routes and tests) to the project, or fields to one, keeping your edits")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("resource")
                .about("Declare a resource in omnistack.toml and merge its migration, model, routes and tests into the project")
                .arg(
                    Arg::new("name")
                        .required(true)
                        .value_name("NAME")
                        .help("The resource: a snake_case plural, the table's name (`invoices`)"),
                )
                .arg(fields.clone())
                .arg(
                    Arg::new("owner")
                        .long("owner")
                        .value_name("OWNER")
                        .value_parser(PossibleValuesParser::new(["user", "none", "follows-auth"]))
                        .help("Whose rows: `user` (each signed-in user's own; needs auth), `none` (shared) or `follows-auth` (shared without auth, each user's own once auth is added) [default: user with auth, none without]"),
                )
                .arg(
                    Arg::new("singular")
                        .long("singular")
                        .value_name("NAME")
                        .help("The name of one row, when dropping the plural ending gets it wrong (`--singular person` for `people`)"),
                )
                .args(ChangeOptions::args()),
        )
        .subcommand(
            Command::new("field")
                .about("Add fields to a resource: one new migration adds their columns, earlier migrations stay as they are")
                .arg(
                    Arg::new("resource")
                        .required(true)
                        .value_name("RESOURCE")
                        .help("The resource to add the fields to"),
                )
                .arg(fields)
                .args(ChangeOptions::args()),
        )
}

/// The `resource` subcommand of `remove`.
pub fn remove_command() -> Command {
    Command::new("resource")
        .about("Remove a resource's code and routes; its migrations stay, and its table too unless --drop-table")
        .arg(
            Arg::new("name")
                .required(true)
                .value_name("NAME")
                .help("The resource to remove"),
        )
        .arg(
            Arg::new("drop-table")
                .long("drop-table")
                .action(ArgAction::SetTrue)
                .help("Also add a migration that drops the table and every row in it"),
        )
        .args(ChangeOptions::args())
}

/// What a `generate` or `remove resource` was asked to do.
#[derive(Debug, Clone)]
pub enum ResourceArgs {
    /// `generate resource <name> <field>... [--owner]`.
    Generate {
        /// The resource.
        name: String,
        /// The field words, as given.
        fields: Vec<String>,
        /// `--owner`, if given.
        owner: Option<Owner>,
        /// `--singular`, if given.
        singular: Option<String>,
        /// How the change is carried out.
        options: ChangeOptions,
    },
    /// `generate field <resource> <field>...`.
    Field {
        /// The resource.
        resource: String,
        /// The field words, as given.
        fields: Vec<String>,
        /// How the change is carried out.
        options: ChangeOptions,
    },
    /// `remove resource <name> [--drop-table]`.
    Remove {
        /// The resource.
        name: String,
        /// `--drop-table`.
        drop_table: bool,
        /// How the change is carried out.
        options: ChangeOptions,
    },
}

impl ResourceArgs {
    /// Reads the arguments of `generate`'s subcommands.
    pub fn from_generate(matches: &ArgMatches) -> Self {
        let words = |m: &ArgMatches| -> Vec<String> {
            m.get_many::<String>("fields")
                .map(|v| v.cloned().collect())
                .unwrap_or_default()
        };
        let one = |m: &ArgMatches, id: &str| m.get_one::<String>(id).cloned().unwrap_or_default();
        match matches.subcommand() {
            Some(("field", sub)) => Self::Field {
                resource: one(sub, "resource"),
                fields: words(sub),
                options: ChangeOptions::from_matches(sub),
            },
            Some(("resource", sub)) => Self::Generate {
                name: one(sub, "name"),
                fields: words(sub),
                owner: sub.get_one::<String>("owner").map(|o| match o.as_str() {
                    "user" => Owner::User,
                    "follows-auth" => Owner::FollowsAuth,
                    _ => Owner::None,
                }),
                singular: sub.get_one::<String>("singular").cloned(),
                options: ChangeOptions::from_matches(sub),
            },
            _ => unreachable!("clap requires a subcommand of `generate`"),
        }
    }

    /// Reads the arguments of `remove resource`.
    pub fn from_remove(matches: &ArgMatches) -> Self {
        Self::Remove {
            name: matches
                .get_one::<String>("name")
                .cloned()
                .unwrap_or_default(),
            drop_table: matches.get_flag("drop-table"),
            options: ChangeOptions::from_matches(matches),
        }
    }
}

/// Runs `generate resource`, `generate field` or `remove resource`: the field words are read
/// before the project is opened, and every check runs before anything is written.
pub fn run(catalogue: &Catalogue, args: &ResourceArgs, ui: Ui) -> Result<(), Error> {
    match args {
        ResourceArgs::Generate {
            name,
            fields,
            owner,
            singular,
            options,
        } => {
            let fields = grammar::parse_fields(fields)?;
            let project = change::open(catalogue, options)?;
            let answers = change::answers(&project, catalogue, options)?;
            let new = NewResource {
                name: name.clone(),
                fields,
                owner: *owner,
                singular: singular.clone(),
            };
            let changed = resource::change::generate(catalogue, &answers, new)?;
            let what = format!("generate resource {name}");
            let merged = change::merge(&project, catalogue, &changed, &what, options, ui);
            let shared_by_default = owner.is_none()
                && changed.resources.get(name).map(|r| r.owner) == Some(Owner::None);
            if shared_by_default && (merged.is_ok() || matches!(merged, Err(Error::Conflicts(_)))) {
                ui.line(format!(
                    "The rows of `{name}` are shared (`--owner none`, the default without auth): public to anyone who can reach the API, who may list, read, change and delete them."
                ));
            }
            change::announce_features(catalogue, &answers, &changed, &merged, ui);
            merged
        }
        ResourceArgs::Field {
            resource,
            fields,
            options,
        } => {
            let fields = grammar::parse_fields(fields)?;
            let project = change::open(catalogue, options)?;
            let answers = change::answers(&project, catalogue, options)?;
            let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
            let changed = resource::change::add_fields(catalogue, &answers, resource, fields)?;
            let what = format!("generate field {resource} {}", names.join(" "));
            let merged = change::merge(&project, catalogue, &changed, &what, options, ui);
            change::announce_features(catalogue, &answers, &changed, &merged, ui);
            merged
        }
        ResourceArgs::Remove {
            name,
            drop_table,
            options,
        } => {
            let project = change::open(catalogue, options)?;
            let answers = change::answers(&project, catalogue, options)?;
            let changed = resource::change::remove(catalogue, &answers, name, *drop_table)?;
            let what = if *drop_table {
                format!("remove resource {name} --drop-table")
            } else {
                format!("remove resource {name}")
            };
            let merged = change::merge(&project, catalogue, &changed, &what, options, ui);
            if merged.is_ok() || matches!(merged, Err(Error::Conflicts(_))) {
                ui.line(if *drop_table {
                    format!(
                        "The table `{name}` and every row in it are dropped when the new migration `{}` runs.",
                        resource::Resource::drop_migration(name)
                    )
                } else {
                    format!(
                        "The table `{name}` stays in the database, with its rows, and its migrations stay in migrations/: only the code is removed. To drop the table too: `omnistack remove resource {name} --drop-table`."
                    )
                });
            }
            change::announce_features(catalogue, &answers, &changed, &merged, ui);
            merged
        }
    }
}
