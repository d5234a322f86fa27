//! The projects report as CSV text (RFC 4180).
//!
//! The quoting rule is a few lines, written out here for a handful of short fields per
//! project.

use time::format_description::well_known::Rfc3339;

use crate::projects::Project;

/// The media type of the report.
pub const CONTENT_TYPE: &str = "text/csv";

/// The header: the field names of each project's record.
const HEADER: [&str; 5] = ["id", "name", "description", "created_at", "updated_at"];

/// `projects` as CSV: the header, then one record per project, each line ending in CRLF.
pub fn projects(projects: &[Project]) -> anyhow::Result<String> {
    let mut csv = String::new();
    push_record(&mut csv, HEADER);
    for project in projects {
        push_record(
            &mut csv,
            [
                &project.id.to_string(),
                &project.name,
                project.description.as_deref().unwrap_or_default(),
                &project.created_at.format(&Rfc3339)?,
                &project.updated_at.format(&Rfc3339)?,
            ],
        );
    }
    Ok(csv)
}

fn push_record(csv: &mut String, fields: [&str; HEADER.len()]) {
    for (index, field) in fields.into_iter().enumerate() {
        if index > 0 {
            csv.push(',');
        }
        push_field(csv, field);
    }
    csv.push_str("\r\n");
}

/// The field as it is, or between double quotes, its own quotes doubled, when it holds a
/// comma, a quote or a line break.
fn push_field(csv: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        csv.push('"');
        csv.push_str(&field.replace('"', "\"\""));
        csv.push('"');
    } else {
        csv.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;
    use uuid::Uuid;

    use super::*;

    fn project(name: &str, description: Option<&str>) -> Project {
        let created_at = OffsetDateTime::from_unix_timestamp(1_735_689_600).unwrap();
        Project {
            id: Uuid::from_u128(1),
            owner_id: Some(Uuid::from_u128(2)),
            name: name.to_owned(),
            description: description.map(str::to_owned),
            created_at,
            updated_at: created_at,
            deleted_at: None,
        }
    }

    /// The line of `project(..)` with these fields, as written in the CSV.
    fn line(name: &str, description: &str) -> String {
        format!(
            "00000000-0000-0000-0000-000000000001,{name},{description},\
             2025-01-01T00:00:00Z,2025-01-01T00:00:00Z\r\n"
        )
    }

    /// The CSV of that one project.
    fn csv_of(project: &Project) -> String {
        projects(std::slice::from_ref(project)).unwrap()
    }

    #[test]
    fn no_projects_make_the_header_alone() {
        assert_eq!(
            projects(&[]).unwrap(),
            "id,name,description,created_at,updated_at\r\n"
        );
    }

    #[test]
    fn plain_fields_are_written_as_they_are_and_no_description_is_an_empty_field() {
        let csv = csv_of(&project("Apollo 11", None));

        assert_eq!(csv.split_once("\r\n").unwrap().1, line("Apollo 11", ""));
    }

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted_with_their_quotes_doubled() {
        let cases = [
            ("a, b", r#""a, b""#),
            (r#"say "hi""#, r#""say ""hi""""#),
            ("two\nlines", "\"two\nlines\""),
            ("carriage\rreturn", "\"carriage\rreturn\""),
        ];
        for (description, quoted) in cases {
            let csv = csv_of(&project("x", Some(description)));

            assert_eq!(csv.split_once("\r\n").unwrap().1, line("x", quoted));
        }
    }
}
