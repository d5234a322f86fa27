//! The field grammar of `omnistack generate resource` and `generate field`: one word per field,
//! `name:type`, then optionally `?` (optional), `:unique`, and `=default`, in that order.
//!
//! ```text
//! title:string            a string of at most 255 characters
//! title:string(200)       ... of at most 200
//! email:string(320):unique
//! amount_cents:i64=0
//! due_on:date?
//! status:enum(draft,sent,paid)=draft
//! customer_id:ref(customers)
//! notes:text?           text of any length
//! notes:text(2000)?       ... of at most 2000 characters
//! ```
//!
//! Type settings go in parentheses after the type, as they read in SQL (`varchar(200)`); the
//! modifiers are separated by `:`, since `:` already separates the name from the type, and the
//! default comes last after `=` so that it may hold any character (`label:string=a:b`). Names
//! are checked with the rest of the declaration (see [`crate::resource::check`]); the grammar
//! only reads the words.

use crate::resource::{Field, FieldType};

/// How a field is written, for messages.
pub const SYNTAX: &str = "`name:type`, then `?` if optional, `:unique`, `=default` (e.g. `title:string(200)`, `email:string:unique`, `status:enum(draft,paid)=draft`, `notes:text?`)";

/// A field word that does not follow the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{word}`: {problem}; a field is written {SYNTAX}")]
pub struct FieldSyntaxError {
    /// The word given.
    pub word: String,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a field word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// No `:` between the name and the type.
    #[error("expected `name:type`, found no type")]
    NoType,
    /// Nothing before the `:`.
    #[error("the name is empty")]
    NoName,
    /// A type omnistack does not know.
    #[error("unknown type `{given}`; known types: {}", FieldType::KEYWORDS.join(", "))]
    UnknownType {
        /// The type given.
        given: String,
    },
    /// A `(` without its `)`, or text after the `)`.
    #[error("unbalanced parentheses in `{given}`")]
    Parentheses {
        /// The type with its settings, as given.
        given: String,
    },
    /// Parentheses on a type that takes none, or none on one that needs them.
    #[error("{0}")]
    Settings(String),
    /// `string(...)` or `text(...)` without a whole number.
    #[error(
        "`{given}` is not a length: expected a whole number of characters, as `string(200)` or `text(2000)`"
    )]
    Length {
        /// What the parentheses held.
        given: String,
    },
    /// A modifier other than `unique`.
    #[error("unknown modifier `:{given}`; the only modifier is `:unique`")]
    Modifier {
        /// The modifier given.
        given: String,
    },
    /// A default that is not a value of the field's type.
    #[error("the default `{given}` is not {expected}")]
    Default {
        /// The default given.
        given: String,
        /// What the type takes.
        expected: &'static str,
    },
}

/// Reads every word of `words` as a field, in order; the first bad word is the error.
pub fn parse_fields<S: AsRef<str>>(words: &[S]) -> Result<Vec<Field>, FieldSyntaxError> {
    words
        .iter()
        .map(|word| parse_field(word.as_ref()))
        .collect()
}

/// Reads one field word (`title:string(200)?`, `status:enum(a,b)=a`).
pub fn parse_field(word: &str) -> Result<Field, FieldSyntaxError> {
    let fail = |problem| FieldSyntaxError {
        word: word.to_string(),
        problem,
    };
    let (name, rest) = word.split_once(':').ok_or_else(|| fail(Problem::NoType))?;
    if name.is_empty() {
        return Err(fail(Problem::NoName));
    }
    // The default is last and may hold any character: split it off first, at the first `=`
    // outside parentheses.
    let (spec, default) = match split_outside_parentheses(rest, '=') {
        Some((spec, default)) => (spec, Some(default)),
        None => (rest, None),
    };
    let mut parts = split_all_outside_parentheses(spec, ':').into_iter();
    let mut ty_text = parts.next().unwrap_or_default();
    let optional = ty_text.ends_with('?');
    if optional {
        ty_text = &ty_text[..ty_text.len() - 1];
    }
    let mut unique = false;
    for modifier in parts {
        match modifier {
            "unique" if !unique => unique = true,
            other => {
                return Err(fail(Problem::Modifier {
                    given: other.to_string(),
                }));
            }
        }
    }
    let ty = parse_type(ty_text).map_err(fail)?;
    let default = default
        .map(|text| parse_default(&ty, text))
        .transpose()
        .map_err(fail)?;
    Ok(Field {
        name: name.to_string(),
        ty,
        optional,
        unique,
        default,
        added: None,
    })
}

/// `string`, `string(200)`, `text(2000)`, `enum(a,b)`, `ref(customers)`, or a type without settings.
fn parse_type(text: &str) -> Result<FieldType, Problem> {
    let (keyword, settings) = match text.split_once('(') {
        Some((keyword, rest)) => {
            let inner = rest
                .strip_suffix(')')
                .filter(|inner| !inner.contains(['(', ')']));
            let inner = inner.ok_or_else(|| Problem::Parentheses {
                given: text.to_string(),
            })?;
            (keyword, Some(inner))
        }
        None if text.contains(')') => {
            return Err(Problem::Parentheses {
                given: text.to_string(),
            });
        }
        None => (text, None),
    };
    let no_settings = |ty: FieldType| match settings {
        None => Ok(ty),
        Some(_) => Err(Problem::Settings(format!(
            "`{keyword}` takes nothing in parentheses"
        ))),
    };
    let max_length = || {
        settings
            .map(|inner| {
                inner.trim().parse::<u32>().map_err(|_| Problem::Length {
                    given: inner.to_string(),
                })
            })
            .transpose()
    };
    match keyword {
        "string" => Ok(FieldType::String {
            max_length: max_length()?,
        }),
        "text" => Ok(FieldType::Text {
            max_length: max_length()?,
        }),
        "enum" => {
            let inner = settings.ok_or_else(|| {
                Problem::Settings(
                    "an enum lists its values in parentheses, as `enum(draft,sent,paid)`".into(),
                )
            })?;
            let values = inner
                .split(',')
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
                .collect();
            Ok(FieldType::Enum { values })
        }
        "ref" => {
            let to = settings
                .map(str::trim)
                .filter(|to| !to.is_empty())
                .ok_or_else(|| {
                    Problem::Settings(
                        "a ref names the resource it points to, as `ref(customers)`".into(),
                    )
                })?;
            Ok(FieldType::Ref { to: to.to_string() })
        }
        "bool" => no_settings(FieldType::Bool),
        "i32" => no_settings(FieldType::I32),
        "i64" => no_settings(FieldType::I64),
        "f64" => no_settings(FieldType::F64),
        "decimal" => no_settings(FieldType::Decimal),
        "uuid" => no_settings(FieldType::Uuid),
        "date" => no_settings(FieldType::Date),
        "datetime" => no_settings(FieldType::Datetime),
        "json" => no_settings(FieldType::Json),
        other => Err(Problem::UnknownType {
            given: other.to_string(),
        }),
    }
}

/// The default `text` as the TOML value `omnistack.toml` stores for a field of type `ty`:
/// booleans and numbers as TOML's own, dates as TOML dates, everything else as a string
/// (a decimal too, so that it stays exact). Whether it fits the field (an enum's values, a
/// string's length) is checked with the declaration.
fn parse_default(ty: &FieldType, text: &str) -> Result<toml::Value, Problem> {
    let wrong = |expected| Problem::Default {
        given: text.to_string(),
        expected,
    };
    Ok(match ty {
        FieldType::Bool => match text {
            "true" => toml::Value::Boolean(true),
            "false" => toml::Value::Boolean(false),
            _ => return Err(wrong("`true` or `false`")),
        },
        FieldType::I32 | FieldType::I64 => toml::Value::Integer(
            text.parse()
                .map_err(|_| wrong("a whole number, as `0` or `-3`"))?,
        ),
        FieldType::F64 => {
            let value: f64 = text.parse().map_err(|_| wrong("a number, as `1.5`"))?;
            if !value.is_finite() {
                return Err(wrong("a finite number"));
            }
            toml::Value::Float(value)
        }
        FieldType::Date | FieldType::Datetime => {
            toml::Value::Datetime(text.parse().map_err(|_| {
                wrong(if matches!(ty, FieldType::Date) {
                    "a date, as `2025-01-31`"
                } else {
                    "a point in time with its offset, as `2025-01-31T09:00:00Z`"
                })
            })?)
        }
        FieldType::Ref { .. } => {
            return Err(wrong(
                "allowed: a ref has no default, since no row's id is known in advance",
            ));
        }
        _ => toml::Value::String(text.to_string()),
    })
}

/// `text` split at the first `separator` outside parentheses.
fn split_outside_parentheses(text: &str, separator: char) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == separator && depth == 0 => {
                return Some((&text[..i], &text[i + c.len_utf8()..]));
            }
            _ => {}
        }
    }
    None
}

/// `text` split at every `separator` outside parentheses.
fn split_all_outside_parentheses(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some((part, after)) = split_outside_parentheses(rest, separator) {
        parts.push(part);
        rest = after;
    }
    parts.push(rest);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(word: &str) -> Field {
        parse_field(word).unwrap()
    }

    fn problem(word: &str) -> Problem {
        parse_field(word).unwrap_err().problem
    }

    #[test]
    fn a_plain_field_is_a_required_column_of_its_type() {
        let title = field("title:text");
        assert_eq!(title.name, "title");
        assert_eq!(title.ty, FieldType::Text { max_length: None });
        assert!(!title.optional && !title.unique);
        assert_eq!(title.default, None);
        assert_eq!(title.added, None);
    }

    #[test]
    fn a_question_mark_makes_a_field_optional() {
        assert!(field("due_on:date?").optional);
    }

    #[test]
    fn a_string_takes_its_max_length_in_parentheses() {
        assert_eq!(
            field("title:string(200)").ty,
            FieldType::String {
                max_length: Some(200)
            }
        );
        assert_eq!(
            field("title:string").ty,
            FieldType::String { max_length: None }
        );
    }

    #[test]
    fn a_text_may_take_its_max_length_in_parentheses() {
        assert_eq!(
            field("notes:text(2000)?").ty,
            FieldType::Text {
                max_length: Some(2000)
            }
        );
        assert!(matches!(
            problem("notes:text(long)"),
            Problem::Length { .. }
        ));
    }

    #[test]
    fn an_enum_lists_its_values_in_parentheses() {
        assert_eq!(
            field("status:enum(draft,sent,paid)").ty,
            FieldType::Enum {
                values: vec!["draft".into(), "sent".into(), "paid".into()]
            }
        );
    }

    #[test]
    fn a_ref_names_its_resource_in_parentheses() {
        assert_eq!(
            field("customer_id:ref(customers)?").ty,
            FieldType::Ref {
                to: "customers".into()
            }
        );
    }

    #[test]
    fn unique_is_a_modifier_after_the_type() {
        let email = field("email:string(320)?:unique");
        assert!(email.unique && email.optional);
    }

    #[test]
    fn a_default_comes_last_and_takes_the_fields_type() {
        assert_eq!(
            field("status:enum(draft,paid)=draft").default,
            Some(toml::Value::String("draft".into()))
        );
        assert_eq!(
            field("count:i32:unique=3").default,
            Some(toml::Value::Integer(3))
        );
        assert_eq!(
            field("done:bool=false").default,
            Some(toml::Value::Boolean(false))
        );
        assert_eq!(
            field("label:string=a:b=c").default,
            Some(toml::Value::String("a:b=c".into()))
        );
        assert!(matches!(
            field("on:date=2025-01-31").default,
            Some(toml::Value::Datetime(_))
        ));
    }

    #[test]
    fn a_word_without_a_type_is_refused() {
        let error = parse_field("title").unwrap_err();
        assert_eq!(error.problem, Problem::NoType);
        assert!(
            error
                .to_string()
                .starts_with("field `title`: expected `name:type`"),
            "{error}"
        );
    }

    #[test]
    fn an_empty_name_is_refused() {
        assert_eq!(problem(":text"), Problem::NoName);
    }

    #[test]
    fn an_unknown_type_names_the_known_ones() {
        let error = parse_field("age:integer").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("unknown type `integer`; known types: string, text, bool"),
            "{error}"
        );
    }

    #[test]
    fn unbalanced_parentheses_are_refused() {
        assert!(matches!(
            problem("status:enum(a,b"),
            Problem::Parentheses { .. }
        ));
        assert!(matches!(problem("n:i32)"), Problem::Parentheses { .. }));
    }

    #[test]
    fn settings_on_a_type_without_any_are_refused() {
        assert_eq!(
            problem("n:i32(4)"),
            Problem::Settings("`i32` takes nothing in parentheses".into())
        );
    }

    #[test]
    fn an_enum_or_ref_without_parentheses_is_refused() {
        assert!(matches!(problem("status:enum"), Problem::Settings(_)));
        assert!(matches!(problem("c:ref"), Problem::Settings(_)));
        assert!(matches!(problem("c:ref()"), Problem::Settings(_)));
    }

    #[test]
    fn a_length_that_is_not_a_number_is_refused() {
        assert!(matches!(
            problem("title:string(long)"),
            Problem::Length { .. }
        ));
    }

    #[test]
    fn an_unknown_modifier_is_refused() {
        assert_eq!(
            problem("email:string:indexed"),
            Problem::Modifier {
                given: "indexed".into()
            }
        );
    }

    #[test]
    fn a_default_of_another_type_is_refused() {
        assert!(matches!(problem("n:i64=many"), Problem::Default { .. }));
        assert!(matches!(problem("done:bool=yes"), Problem::Default { .. }));
        assert!(matches!(problem("x:f64=inf"), Problem::Default { .. }));
        assert!(matches!(
            problem("on:date=tomorrow"),
            Problem::Default { .. }
        ));
    }

    #[test]
    fn a_ref_has_no_default() {
        assert!(matches!(
            problem("c:ref(customers)=x"),
            Problem::Default { .. }
        ));
    }

    #[test]
    fn fields_are_read_in_order_and_the_first_bad_word_is_the_error() {
        let fields = parse_fields(&["a:text", "b:bool"]).unwrap();
        assert_eq!(fields[1].name, "b");
        let error = parse_fields(&["a:text", "b", "c:nope"]).unwrap_err();
        assert_eq!(error.word, "b");
    }
}
