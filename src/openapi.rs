//! The `openapi.json` every generated project commits, assembled from the fragments that the
//! units of the catalogue ship beside their declarations.
//!
//! The generated app derives its document from its handlers' annotations when it runs, but
//! omnistack renders without building anything. So each unit ships the part of the document
//! that its code describes (`openapi.json` next to its `module.toml`), omnistack merges the
//! chosen units' parts, and the generated project's own test compares the result with the
//! document its code describes, byte for byte: run on every preset, that test is what keeps
//! the fragments true to the code.

use serde_json::Value;

/// Two fragments that give different values at the same place of the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("two OpenAPI fragments disagree at `{pointer}`")]
pub struct FragmentConflict {
    /// Where they disagree, as a JSON pointer (`/paths/~1health/get/summary`).
    pub pointer: String,
}

/// Merges fragments in order: objects key by key, and every other value must be the same in
/// each fragment that gives it (two units may both describe a shared component).
pub fn merge(fragments: impl IntoIterator<Item = Value>) -> Result<Value, FragmentConflict> {
    let mut document = Value::Object(serde_json::Map::new());
    for fragment in fragments {
        merge_into(&mut document, fragment, &mut String::new())?;
    }
    Ok(document)
}

fn merge_into(
    target: &mut Value,
    fragment: Value,
    pointer: &mut String,
) -> Result<(), FragmentConflict> {
    match (target, fragment) {
        (Value::Object(target), Value::Object(fragment)) => {
            for (key, value) in fragment {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                match target.get_mut(&key) {
                    Some(existing) => merge_into(existing, value, pointer)?,
                    None => {
                        target.insert(key, value);
                    }
                }
                pointer.truncate(len);
            }
            Ok(())
        }
        (target, fragment) if *target == fragment => Ok(()),
        _ => Err(FragmentConflict {
            pointer: pointer.clone(),
        }),
    }
}

/// The text of `openapi.json`, as the generated app's `openapi` command prints it: keys
/// sorted, two-space indents and a final newline, so that an API change reads as a small diff.
pub fn document_text(document: &Value) -> String {
    // serde_json's maps are sorted (its `preserve_order` feature is off), and so is the text.
    let mut text = serde_json::to_string_pretty(document).expect("a JSON value serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fragments_merge_key_by_key() {
        let merged = merge([
            json!({"paths": {"/health": {"get": {"summary": "Liveness"}}}}),
            json!({"paths": {"/projects": {"get": {"summary": "List"}}}}),
        ]);

        assert_eq!(
            merged,
            Ok(json!({"paths": {
                "/health": {"get": {"summary": "Liveness"}},
                "/projects": {"get": {"summary": "List"}},
            }}))
        );
    }

    #[test]
    fn a_component_described_alike_by_two_fragments_is_kept_once() {
        let shared = json!({"components": {"schemas": {"Page": {"type": "object"}}}});

        assert_eq!(merge([shared.clone(), shared.clone()]), Ok(shared));
    }

    #[test]
    fn fragments_that_disagree_are_refused_where_they_disagree() {
        let merged = merge([
            json!({"paths": {"/a/b": {"get": {"tags": ["one"]}}}}),
            json!({"paths": {"/a/b": {"get": {"tags": ["two"]}}}}),
        ]);

        assert_eq!(
            merged,
            Err(FragmentConflict {
                pointer: "/paths/~1a~1b/get/tags".into()
            })
        );
    }

    #[test]
    fn the_text_sorts_keys_and_ends_with_a_newline() {
        let text = document_text(&json!({"paths": {}, "info": {"title": "app"}}));

        assert_eq!(
            text,
            "{\n  \"info\": {\n    \"title\": \"app\"\n  },\n  \"paths\": {}\n}\n"
        );
    }
}
