//! What the templates of `templates/resource/` see of one resource: its declaration with the
//! per-type values computed here, so that templates hold no type switches.

use serde::Serialize;

use super::{Field, FieldType, Owner, Resource};

/// A declared resource, as `{{ resource }}` in its templates.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceContext {
    /// The table, module and route segment (`invoices`).
    pub name: String,
    /// One row (`invoice`).
    pub singular: String,
    /// The row type (`Invoice`).
    pub type_name: String,
    /// Whose rows they are.
    pub owner: Owner,
    /// Its live fields, in declaration order.
    pub fields: Vec<FieldContext>,
    /// Its migrations, in the order they apply.
    pub migrations: Vec<MigrationContext>,
}

/// A field, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldContext {
    /// The column and member name.
    pub name: String,
    /// The type's keyword (`string`, `enum`, ...).
    pub keyword: &'static str,
    /// Whether it may be `null`.
    pub optional: bool,
    /// Whether live rows may not share a value.
    pub unique: bool,
    /// The column's SQL type.
    pub sql_type: String,
}

/// One migration of a resource.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationContext {
    /// Its logical name in `[migrations]`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `create`, `add` or `drop`: the template it renders from.
    pub kind: &'static str,
    /// The columns it adds (all of the table's for `create`, none for `drop`).
    pub fields: Vec<FieldContext>,
}

impl ResourceContext {
    /// The context of resource `name`, whose migrations have the versions `version` gives.
    pub fn new(name: &str, resource: &Resource, mut version: impl FnMut(&str) -> String) -> Self {
        let singular = resource.singular(name);
        let fields: Vec<FieldContext> = resource.fields.iter().map(FieldContext::new).collect();
        let migrations = resource
            .migrations(name)
            .into_iter()
            .map(|logical| {
                let (kind, added): (&'static str, Vec<FieldContext>) =
                    if logical == Resource::create_migration(name) {
                        ("create", of(resource, |f| f.added.is_none()))
                    } else if logical == Resource::drop_migration(name) {
                        ("drop", Vec::new())
                    } else {
                        ("add", of(resource, |f| f.added.as_ref() == Some(&logical)))
                    };
                MigrationContext {
                    version: version(&logical),
                    name: logical,
                    kind,
                    fields: added,
                }
            })
            .collect();
        Self {
            name: name.to_string(),
            type_name: upper_camel(&singular),
            singular,
            owner: resource.owner,
            fields,
            migrations,
        }
    }
}

fn of(resource: &Resource, keep: impl Fn(&Field) -> bool) -> Vec<FieldContext> {
    resource
        .fields
        .iter()
        .filter(|f| keep(f))
        .map(FieldContext::new)
        .collect()
}

impl FieldContext {
    fn new(field: &Field) -> Self {
        Self {
            name: field.name.clone(),
            keyword: field.ty.keyword(),
            optional: field.optional,
            unique: field.unique,
            sql_type: sql_type(&field.ty),
        }
    }
}

fn sql_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String { max_length } => format!("varchar({})", max_length.unwrap_or(255)),
        FieldType::Text | FieldType::Enum { .. } => "text".into(),
        FieldType::Bool => "boolean".into(),
        FieldType::I32 => "integer".into(),
        FieldType::I64 => "bigint".into(),
        FieldType::F64 => "double precision".into(),
        FieldType::Decimal => "numeric".into(),
        FieldType::Uuid | FieldType::Ref { .. } => "uuid".into(),
        FieldType::Date => "date".into(),
        FieldType::Datetime => "timestamptz".into(),
        FieldType::Json => "jsonb".into(),
    }
}

/// `purchase_order` as `PurchaseOrder`.
fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_type_is_the_singular_in_upper_camel_case() {
        let resource: Resource = toml::from_str("fields = []").unwrap();

        let context = ResourceContext::new("purchase_orders", &resource, |_| String::new());

        assert_eq!(context.type_name, "PurchaseOrder");
    }

    #[test]
    fn each_migration_adds_the_fields_declared_with_it() {
        let resource: Resource = toml::from_str(
            r#"
fields = [
  { name = "a", type = "bool" },
  { name = "b", type = "i64", added = "add_b_to_things" },
]
"#,
        )
        .unwrap();

        let context = ResourceContext::new("things", &resource, |name| format!("v-{name}"));

        let added: Vec<(&str, &str, Vec<&str>)> = context
            .migrations
            .iter()
            .map(|m| {
                (
                    m.kind,
                    m.version.as_str(),
                    m.fields.iter().map(|f| f.name.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            added,
            [
                ("create", "v-create_things", vec!["a"]),
                ("add", "v-add_b_to_things", vec!["b"]),
            ]
        );
    }
}
