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
    use super::*;

    /// A record of the five fields, as written in the CSV.
    fn written(fields: [&str; HEADER.len()]) -> String {
        let mut csv = String::new();
        push_record(&mut csv, fields);
        csv
    }

    #[test]
    fn no_projects_make_the_header_alone() {
        assert_eq!(
            projects(&[]).unwrap(),
            "id,name,description,created_at,updated_at\r\n"
        );
    }

    #[test]
    fn plain_fields_are_written_as_they_are_and_an_empty_one_stays_empty() {
        let fields = ["1", "Apollo 11", "", "2025-01-01", "2025-01-02"];

        assert_eq!(written(fields), "1,Apollo 11,,2025-01-01,2025-01-02\r\n");
    }

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted_with_their_quotes_doubled() {
        let cases = [
            ("a, b", r#""a, b""#),
            (r#"say "hi""#, r#""say ""hi""""#),
            ("two\nlines", "\"two\nlines\""),
            ("carriage\rreturn", "\"carriage\rreturn\""),
        ];
        for (field, quoted) in cases {
            let csv = written(["1", "x", field, "t", "t"]);

            assert_eq!(csv, format!("1,x,{quoted},t,t\r\n"));
        }
    }
}
