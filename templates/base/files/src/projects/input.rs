//! The request bodies that create and change a project, validated field by field.

use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::crud::Fields;
use crate::error::{AppError, FieldErrors};

/// Longest name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Longest description, in characters.
const MAX_DESCRIPTION_CHARS: usize = 2000;

/// The body of `POST /projects`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    /// 1 to 100 characters, trimmed.
    #[schema(example = "Website relaunch", pattern = r"\S", max_length = 100)]
    pub name: String,
    /// At most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

impl NewProject {
    /// The columns to insert, or a 422 naming every invalid field.
    pub fn into_fields(self) -> Result<Fields, AppError> {
        let mut errors = FieldErrors::new();
        check_name(&mut errors, &self.name);
        if let Some(description) = &self.description {
            check_description(&mut errors, description);
        }
        errors.check()?;
        Ok(Fields::new()
            .set("name", self.name.trim().to_owned())
            .set("description", self.description))
    }
}

/// The body of `PATCH /projects/{id}`: only the fields present change, and a `null`
/// description clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectChanges {
    /// A new name, 1 to 100 characters.
    #[serde(default)]
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: Option<String>,
    /// A new description, or `null` to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Option<Option<String>>,
}

impl ProjectChanges {
    /// The columns to update, or a 422 naming every invalid field.
    pub fn into_fields(self) -> Result<Fields, AppError> {
        let mut errors = FieldErrors::new();
        if let Some(name) = &self.name {
            check_name(&mut errors, name);
        }
        if let Some(Some(description)) = &self.description {
            check_description(&mut errors, description);
        }
        errors.check()?;
        let mut fields = Fields::new();
        if let Some(name) = self.name {
            fields = fields.set("name", name.trim().to_owned());
        }
        if let Some(description) = self.description {
            fields = fields.set("description", description);
        }
        Ok(fields)
    }
}

/// A field that is present, even as `null` (`Some(None)`), as opposed to absent (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::deserialize(deserializer).map(Some)
}

fn check_name(errors: &mut FieldErrors, name: &str) {
    let length = name.trim().chars().count();
    if length == 0 {
        errors.add("name", "must not be empty");
    } else if length > MAX_NAME_CHARS {
        errors.add(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        );
    } else if name.chars().any(char::is_control) {
        errors.add("name", "must not contain control characters");
    }
}

fn check_description(errors: &mut FieldErrors, description: &str) {
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.add(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        );
    } else if description.contains('\0') {
        // PostgreSQL's text cannot hold it: refused here, it is a 422 rather than a failed query.
        errors.add("description", "must not contain a NUL character");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use utoipa::PartialSchema;

    use super::*;

    fn invalid_fields(result: Result<Fields, AppError>) -> Vec<String> {
        match result {
            Err(AppError::InvalidFields(errors)) => errors
                .to_string()
                .trim_start_matches("invalid fields: ")
                .split(", ")
                .map(str::to_owned)
                .collect(),
            Err(other) => panic!("unexpected error {other:?}"),
            Ok(_) => panic!("the input passed"),
        }
    }

    #[test]
    fn a_new_project_needs_a_name_and_a_short_description() {
        let project = NewProject {
            name: "  ".into(),
            description: Some("x".repeat(MAX_DESCRIPTION_CHARS + 1)),
        };

        assert_eq!(
            invalid_fields(project.into_fields()),
            ["name", "description"]
        );
    }

    #[test]
    fn control_characters_in_the_name_and_nul_in_the_description_are_refused() {
        let project = NewProject {
            name: "ò\0@".into(),
            description: Some("line one\nline two\0".into()),
        };

        assert_eq!(
            invalid_fields(project.into_fields()),
            ["name", "description"]
        );
    }

    #[test]
    fn a_description_may_span_lines() {
        let project = NewProject {
            name: "Roadmap".into(),
            description: Some("line one\nline two\ttabbed".into()),
        };

        assert!(project.into_fields().is_ok());
    }

    #[test]
    fn a_name_of_the_maximum_length_passes() {
        let project = NewProject {
            name: "é".repeat(MAX_NAME_CHARS),
            description: None,
        };

        assert!(project.into_fields().is_ok());
    }

    #[test]
    fn the_documented_lengths_are_the_checked_ones() {
        for schema in [NewProject::schema(), ProjectChanges::schema()] {
            let properties = &serde_json::to_value(schema).unwrap()["properties"];
            let max_length = |field: &str| properties[field]["maxLength"].clone();

            assert_eq!(max_length("name"), Value::from(MAX_NAME_CHARS));
            assert_eq!(
                max_length("description"),
                Value::from(MAX_DESCRIPTION_CHARS)
            );
        }
    }

    #[test]
    fn a_null_description_is_a_change_and_a_missing_one_is_not() {
        let cleared: ProjectChanges = serde_json::from_value(json!({"description": null})).unwrap();
        let untouched: ProjectChanges = serde_json::from_value(json!({"name": "x"})).unwrap();

        assert_eq!(cleared.description, Some(None));
        assert_eq!(untouched.description, None);
    }
}
