//! Rendering a plan into memory: the same bytes feed `new`, `--dry-run` and the tests.

use std::collections::BTreeMap;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

use crate::plan::{Plan, Source};

/// A template that failed to render (an omnistack bug: strict mode refuses undefined values).
#[derive(Debug, thiserror::Error)]
#[error("rendering `{path}` failed: {message}")]
pub struct RenderError {
    /// The generated path.
    pub path: String,
    /// minijinja's explanation, with the template line.
    pub message: String,
}

/// A rendered project: file contents by path (with `/` separators), sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedTree {
    /// The files and their bytes.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl RenderedTree {
    /// The text of a file, if it exists and is UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.files
            .get(path)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
    }
}

/// The template environment: strict about undefined values, tidy about block tags.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let mut syntax = SyntaxConfig::builder();
    syntax
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true);
    env.set_syntax(syntax.build().expect("the default delimiters are valid"));
    // We generate code and configuration, never HTML for a browser: escaping would corrupt it.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.add_filter("openapi_document", openapi_document);
    env
}

/// `{{ adds.openapi | openapi_document }}`: the units' OpenAPI fragments merged, as the text
/// of `openapi.json`.
fn openapi_document(fragments: minijinja::Value) -> Result<String, minijinja::Error> {
    let invalid = |message: String| minijinja::Error::new(ErrorKind::InvalidOperation, message);
    let fragments = match serde_json::to_value(&fragments) {
        Ok(serde_json::Value::Array(fragments)) => fragments,
        _ => {
            return Err(invalid(
                "openapi_document expects a list of fragments".into(),
            ));
        }
    };
    let document = crate::openapi::merge(fragments).map_err(|e| invalid(e.to_string()))?;
    Ok(crate::openapi::document_text(&document))
}

/// The render context, with the catalogue's own strings rendered first: contributions and env
/// examples may name the project (`{{ project.name }}`) just as template files can.
fn render_declarations(
    env: &Environment<'_>,
    plan: &Plan,
) -> Result<minijinja::Value, RenderError> {
    let raw = minijinja::Value::from(minijinja::value::Serde(&plan.context));
    let render = |text: &mut String, what: &str| -> Result<(), RenderError> {
        if text.contains("{{") || text.contains("{%") {
            *text = env.render_str(text, &raw).map_err(|e| RenderError {
                path: what.to_string(),
                message: format!("{e:#}"),
            })?;
        }
        Ok(())
    };
    let mut context = plan.context.clone();
    let deploy = &mut context.deploy_env;
    for var in context
        .env_groups
        .iter_mut()
        .flat_map(|g| g.vars.iter_mut())
        .chain(deploy.secrets.iter_mut())
        .chain(deploy.settings.iter_mut())
    {
        render(&mut var.example, &format!("the example of {}", var.name))?;
    }
    let mut context = serde_json::to_value(&context).expect("the context serialises");
    // Every string of every contribution, whatever its kind: walked as JSON so that a new
    // kind of contribution cannot be forgotten here.
    render_strings(&mut context["adds"], "adds", &render)?;
    Ok(minijinja::Value::from(minijinja::value::Serde(&context)))
}

fn render_strings(
    value: &mut serde_json::Value,
    at: &str,
    render: &impl Fn(&mut String, &str) -> Result<(), RenderError>,
) -> Result<(), RenderError> {
    match value {
        serde_json::Value::String(text) => render(text, at),
        serde_json::Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .try_for_each(|(i, item)| render_strings(item, &format!("{at}[{i}]"), render)),
        serde_json::Value::Object(fields) => fields
            .iter_mut()
            .try_for_each(|(key, field)| render_strings(field, &format!("{at}.{key}"), render)),
        _ => Ok(()),
    }
}

/// Renders every file of the plan.
pub fn render(plan: &Plan) -> Result<RenderedTree, RenderError> {
    let env = environment();
    let context = render_declarations(&env, plan)?;
    let mut files = BTreeMap::new();
    for planned in &plan.files {
        let bytes = match &planned.source {
            Source::Template {
                file,
                render: false,
            } => file.contents().to_vec(),
            Source::Template { file, render: true } => {
                let source = file.contents_utf8().ok_or_else(|| RenderError {
                    path: planned.path.clone(),
                    message: "a .jinja template must be UTF-8".to_string(),
                })?;
                let name = file.path().to_string_lossy();
                env.render_named_str(&name, source, &context)
                    .map_err(|e| RenderError {
                        path: planned.path.clone(),
                        message: format!("{e:#}"),
                    })?
                    .into_bytes()
            }
            Source::Generated(text) => text.clone().into_bytes(),
        };
        files.insert(planned.path.clone(), bytes);
    }
    Ok(RenderedTree { files })
}
