//! What `generate resource`, `generate field` and `remove resource` change in the answers: the
//! declaration only. The commands then render and merge it like any change (see
//! [`crate::change`]), so a resource is never text injected into the user's files.

use crate::answers::{Answers, AnswersError};
use crate::catalogue::Catalogue;
use crate::resource::check::{self, AUTH_MODULE};
use crate::resource::{Field, Owner, Removal, Resource};

/// A resource change the project's declarations do not allow.
#[derive(Debug, thiserror::Error)]
pub enum ResourceChangeError {
    /// `generate resource` of a name the project already declares.
    #[error(
        "the project already has a resource `{name}`; add fields to it with `omnistack generate field {name} <field>...`"
    )]
    Exists {
        /// The resource.
        name: String,
    },
    /// `generate resource` of a removed resource's name: its migrations stay in the project.
    #[error(
        "`{name}` is a removed resource whose migrations stay in the project (databases applied them); choose another name"
    )]
    WasRemoved {
        /// The resource.
        name: String,
    },
    /// A resource the project does not declare.
    #[error("the project has no resource `{name}`; its resources: {known}")]
    Unknown {
        /// The name given.
        name: String,
        /// The resources in use, comma separated (`none` when there is none).
        known: String,
    },
    /// `generate field` on a removed resource.
    #[error("resource `{name}` is removed; its fields can no longer change")]
    Removed {
        /// The resource.
        name: String,
    },
    /// `remove resource` of a resource already removed as asked.
    #[error("resource `{name}` is already removed{}", if *.dropped { ", and its table dropped" } else { "" })]
    AlreadyRemoved {
        /// The resource.
        name: String,
        /// Whether its table is dropped too.
        dropped: bool,
    },
    /// `generate field` of a field the resource has.
    #[error("resource `{resource}` already has a field `{field}`")]
    FieldExists {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
    },
    /// A required field without a default, which an existing table's rows would lack.
    #[error(
        "field `{resource}.{field}` is required and has no default, and the table's existing rows would have no value for it (PostgreSQL refuses to add such a column to a table with rows): make it optional with `?` (`{field}:{ty}?`) or give it a default (`{field}:{ty}=...`)"
    )]
    RequiredWithoutDefault {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
        /// Its type, as the grammar spells it.
        ty: String,
    },
    /// A unique field with a default added to an existing table: every existing row gets the
    /// default.
    #[error(
        "field `{resource}.{field}` is unique and has a default, and the table's existing rows would all get that default, which the unique index refuses: make it optional with `?` and no default"
    )]
    UniqueWithDefault {
        /// The resource.
        resource: String,
        /// The field.
        field: String,
    },
    /// The answers after the change are invalid (a name, a type, a ref, the owner).
    #[error(transparent)]
    Answers(#[from] AnswersError),
}

/// What `generate resource` declares.
#[derive(Debug, Clone)]
pub struct NewResource {
    /// The resource's name.
    pub name: String,
    /// Its fields, in order.
    pub fields: Vec<Field>,
    /// Whose rows: by default the signed-in user's when the project has auth, else shared.
    pub owner: Option<Owner>,
    /// The name of one row, when dropping the plural ending gets it wrong.
    pub singular: Option<String>,
}

/// The answers with resource `new` declared.
pub fn generate(
    catalogue: &Catalogue,
    answers: &Answers,
    new: NewResource,
) -> Result<Answers, ResourceChangeError> {
    let NewResource {
        name,
        fields,
        owner,
        singular,
    } = new;
    let name = name.as_str();
    if let Some(existing) = answers.resources.get(name) {
        return Err(match existing.removed {
            Some(_) => ResourceChangeError::WasRemoved {
                name: name.to_string(),
            },
            None => ResourceChangeError::Exists {
                name: name.to_string(),
            },
        });
    }
    let owner = owner.unwrap_or(if answers.providers(AUTH_MODULE).is_empty() {
        Owner::None
    } else {
        Owner::User
    });
    let mut changed = answers.clone();
    changed.resources.insert(
        name.to_string(),
        Resource {
            owner,
            singular,
            fields,
            removed: None,
        },
    );
    check::check_new(catalogue, &changed.resources, name).map_err(AnswersError::from)?;
    changed.check_requirements(catalogue)?;
    Ok(changed)
}

/// The logical name of the migration that adds `fields` to resource `name`:
/// `add_<first field>_to_<name>`.
pub fn added_migration(name: &str, fields: &[Field]) -> String {
    let first = fields.first().map(|f| f.name.as_str()).unwrap_or("fields");
    format!("add_{first}_to_{name}")
}

/// The answers with `fields` added to resource `name`, all by one new migration.
pub fn add_fields(
    catalogue: &Catalogue,
    answers: &Answers,
    name: &str,
    mut fields: Vec<Field>,
) -> Result<Answers, ResourceChangeError> {
    let resource = live(answers, name)?;
    for field in &fields {
        if resource.fields.iter().any(|f| f.name == field.name) {
            return Err(ResourceChangeError::FieldExists {
                resource: name.to_string(),
                field: field.name.clone(),
            });
        }
        if !field.optional && field.default.is_none() {
            return Err(ResourceChangeError::RequiredWithoutDefault {
                resource: name.to_string(),
                field: field.name.clone(),
                ty: field.ty.keyword().to_string(),
            });
        }
        if field.unique && field.default.is_some() {
            return Err(ResourceChangeError::UniqueWithDefault {
                resource: name.to_string(),
                field: field.name.clone(),
            });
        }
    }
    check::check_new_fields(name, &fields).map_err(AnswersError::from)?;
    let migration = added_migration(name, &fields);
    for field in &mut fields {
        field.added = Some(migration.clone());
    }
    let mut changed = answers.clone();
    if let Some(resource) = changed.resources.get_mut(name) {
        resource.fields.extend(fields);
    }
    changed.check_requirements(catalogue)?;
    Ok(changed)
}

/// The answers with resource `name` removed: its code goes, its migrations stay, and with
/// `drop_table` a migration that drops its table is added. A resource removed without
/// dropping its table can have it dropped later.
pub fn remove(
    catalogue: &Catalogue,
    answers: &Answers,
    name: &str,
    drop_table: bool,
) -> Result<Answers, ResourceChangeError> {
    let Some(resource) = answers.resources.get(name) else {
        return Err(unknown(answers, name));
    };
    if let Some(removal) = &resource.removed
        && (removal.drop_table || !drop_table)
    {
        return Err(ResourceChangeError::AlreadyRemoved {
            name: name.to_string(),
            dropped: removal.drop_table,
        });
    }
    let mut changed = answers.clone();
    if let Some(resource) = changed.resources.get_mut(name) {
        resource.removed = Some(Removal { drop_table });
    }
    changed.check_requirements(catalogue)?;
    Ok(changed)
}

fn live<'a>(answers: &'a Answers, name: &str) -> Result<&'a Resource, ResourceChangeError> {
    match answers.resources.get(name) {
        None => Err(unknown(answers, name)),
        Some(resource) if resource.removed.is_some() => Err(ResourceChangeError::Removed {
            name: name.to_string(),
        }),
        Some(resource) => Ok(resource),
    }
}

fn unknown(answers: &Answers, name: &str) -> ResourceChangeError {
    let known = super::live_names(&answers.resources);
    ResourceChangeError::Unknown {
        name: name.to_string(),
        known: if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Choices;
    use crate::name::ProjectName;
    use crate::resource::grammar::parse_fields;
    use crate::resource::{FieldType, ResourceError};

    fn setup(auth: bool) -> (Catalogue, Answers) {
        let catalogue = Catalogue::embedded().unwrap();
        let mut choices = Choices::default();
        if !auth {
            choices
                .set(&catalogue, AUTH_MODULE, &["none".to_string()])
                .unwrap();
        }
        let answers = Answers::complete(
            &catalogue,
            ProjectName::parse("demo").unwrap(),
            &choices,
            |_| Ok::<_, ()>(None),
        )
        .unwrap();
        (catalogue, answers)
    }

    fn fields(words: &[&str]) -> Vec<Field> {
        parse_fields(words).unwrap()
    }

    fn new(name: &str, fields: Vec<Field>, owner: Option<Owner>) -> NewResource {
        NewResource {
            name: name.into(),
            fields,
            owner,
            singular: None,
        }
    }

    fn with_invoices(auth: bool) -> (Catalogue, Answers) {
        let (catalogue, answers) = setup(auth);
        let answers = generate(
            &catalogue,
            &answers,
            new("invoices", fields(&["title:text"]), None),
        )
        .unwrap();
        (catalogue, answers)
    }

    #[test]
    fn a_generated_resource_is_owned_by_the_user_when_the_project_has_auth() {
        let (_, answers) = with_invoices(true);
        assert_eq!(answers.resources["invoices"].owner, Owner::User);
    }

    #[test]
    fn a_generated_resource_is_shared_when_the_project_has_no_auth() {
        let (_, answers) = with_invoices(false);
        assert_eq!(answers.resources["invoices"].owner, Owner::None);
    }

    #[test]
    fn an_owned_resource_without_auth_is_refused() {
        let (catalogue, answers) = setup(false);
        let error = generate(
            &catalogue,
            &answers,
            new("invoices", fields(&["title:text"]), Some(Owner::User)),
        )
        .unwrap_err();
        assert!(
            matches!(
                error,
                ResourceChangeError::Answers(AnswersError::Resource(
                    ResourceError::OwnerNeedsAuth { .. }
                ))
            ),
            "{error}"
        );
    }

    #[test]
    fn generating_a_declared_resource_again_is_refused() {
        let (catalogue, answers) = with_invoices(true);
        let error = generate(
            &catalogue,
            &answers,
            new("invoices", fields(&["a:text"]), None),
        )
        .unwrap_err();
        assert!(matches!(error, ResourceChangeError::Exists { .. }));
    }

    #[test]
    fn a_removed_resource_name_cannot_be_generated_again() {
        let (catalogue, answers) = with_invoices(true);
        let answers = remove(&catalogue, &answers, "invoices", false).unwrap();
        let error = generate(
            &catalogue,
            &answers,
            new("invoices", fields(&["a:text"]), None),
        )
        .unwrap_err();
        assert!(matches!(error, ResourceChangeError::WasRemoved { .. }));
    }

    #[test]
    fn added_fields_share_one_new_migration_named_for_the_first() {
        let (catalogue, answers) = with_invoices(true);
        let answers = add_fields(
            &catalogue,
            &answers,
            "invoices",
            fields(&["paid_at:datetime?", "paid:bool=false"]),
        )
        .unwrap();
        let invoices = &answers.resources["invoices"];
        assert_eq!(invoices.fields[1].ty, FieldType::Datetime);
        assert_eq!(
            invoices.migrations("invoices", false),
            ["create_invoices", "add_paid_at_to_invoices"]
        );
        assert_eq!(
            invoices.fields[2].added.as_deref(),
            Some("add_paid_at_to_invoices")
        );
    }

    #[test]
    fn an_added_field_the_resource_has_is_refused() {
        let (catalogue, answers) = with_invoices(true);
        let error =
            add_fields(&catalogue, &answers, "invoices", fields(&["title:text?"])).unwrap_err();
        assert!(matches!(error, ResourceChangeError::FieldExists { .. }));
    }

    #[test]
    fn an_added_required_field_without_a_default_is_refused_saying_how_to_fix_it() {
        let (catalogue, answers) = with_invoices(true);
        let error =
            add_fields(&catalogue, &answers, "invoices", fields(&["paid:bool"])).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("make it optional with `?` (`paid:bool?`) or give it a default"),
            "{error}"
        );
    }

    #[test]
    fn an_added_unique_required_field_is_refused() {
        let (catalogue, answers) = with_invoices(true);
        let error = add_fields(
            &catalogue,
            &answers,
            "invoices",
            fields(&["code:string:unique=x"]),
        )
        .unwrap_err();
        assert!(matches!(
            error,
            ResourceChangeError::UniqueWithDefault { .. }
        ));
    }

    #[test]
    fn a_field_of_an_unknown_resource_names_the_known_ones() {
        let (catalogue, answers) = with_invoices(true);
        let error = add_fields(&catalogue, &answers, "bills", fields(&["a:text?"])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the project has no resource `bills`; its resources: invoices"
        );
    }

    #[test]
    fn a_removed_resource_keeps_its_declaration_marked_removed() {
        let (catalogue, answers) = with_invoices(true);
        let answers = remove(&catalogue, &answers, "invoices", false).unwrap();
        assert_eq!(
            answers.resources["invoices"].removed,
            Some(Removal { drop_table: false })
        );
        assert_eq!(
            answers.resources["invoices"].migrations("invoices", false),
            ["create_invoices"]
        );
    }

    #[test]
    fn dropping_the_table_adds_a_drop_migration_even_after_a_removal() {
        let (catalogue, answers) = with_invoices(true);
        let answers = remove(&catalogue, &answers, "invoices", false).unwrap();
        let answers = remove(&catalogue, &answers, "invoices", true).unwrap();
        assert_eq!(
            answers.resources["invoices"].migrations("invoices", false),
            ["create_invoices", "drop_invoices"]
        );
        let error = remove(&catalogue, &answers, "invoices", true).unwrap_err();
        assert_eq!(
            error.to_string(),
            "resource `invoices` is already removed, and its table dropped"
        );
    }

    #[test]
    fn a_resource_another_refers_to_cannot_be_removed() {
        let (catalogue, answers) = with_invoices(true);
        let answers = generate(
            &catalogue,
            &answers,
            new("payments_due", fields(&["invoice_id:ref(invoices)"]), None),
        )
        .unwrap();
        let error = remove(&catalogue, &answers, "invoices", false).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`payments_due.invoice_id` refers to `invoices`, which is removed"),
            "{error}"
        );
    }
}
