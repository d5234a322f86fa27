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
    // `{{ ("async fn " ~ name ~ "()") | fn_opening }}`: a function named after a resource or
    // field, opened as rustfmt opens it whatever the names' length.
    env.add_filter("fn_opening", |head: String| {
        crate::resource::layout::fn_opening(&head)
    });
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
/// examples may name the project (`{{ project.name }}`) just as template files can, and a
/// resource's contributions its resource (`{{ resource.name }}`).
fn render_declarations(
    env: &Environment<'_>,
    plan: &Plan,
) -> Result<minijinja::Value, RenderError> {
    let raw = minijinja::Value::from(minijinja::value::Serde(&plan.context));
    let render_with = |context: &minijinja::Value, text: &mut String, what: &str| {
        if text.contains("{{") || text.contains("{%") {
            *text = env.render_str(text, context).map_err(|e| RenderError {
                path: what.to_string(),
                message: format!("{e:#}"),
            })?;
        }
        Ok(())
    };
    let render = |text: &mut String, what: &str| render_with(&raw, text, what);
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
    for (planned, resource) in plan.resources.iter().zip(&plan.context.resources) {
        let own = ResourceValues::new(resource).context(&raw, None);
        let at = format!("the declarations of resource {}", resource.name);
        let mut adds = serde_json::to_value(&planned.adds).expect("contributions serialise");
        render_strings(&mut adds, &at, &|text: &mut String, what: &str| {
            render_with(&own, text, what)
        })?;
        for template in &planned.openapi {
            let path = template.path().to_string_lossy();
            let failed = |message: String| RenderError {
                path: path.to_string(),
                message,
            };
            let text = template
                .contents_utf8()
                .ok_or_else(|| failed("a .jinja template must be UTF-8".into()))?;
            let text = env
                .render_named_str(&path, text, &own)
                .map_err(|e| failed(format!("{e:#}")))?;
            let fragment: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| failed(e.to_string()))?;
            adds["openapi"]
                .as_array_mut()
                .expect("`openapi` is a list")
                .push(fragment);
        }
        let serde_json::Value::Object(adds) = adds else {
            unreachable!("contributions serialise to an object")
        };
        for (kind, items) in adds {
            if let (Some(all), serde_json::Value::Array(items)) =
                (context["adds"][&kind].as_array_mut(), items)
            {
                all.extend(items);
            }
        }
    }
    Ok(minijinja::Value::from(minijinja::value::Serde(&context)))
}

/// A declared resource as its templates see it: `resource`, and each of its migrations as
/// `migration` (converted once, not once for each of its files).
struct ResourceValues {
    resource: minijinja::Value,
    migrations: Vec<minijinja::Value>,
}

impl ResourceValues {
    fn new(resource: &crate::resource::context::ResourceContext) -> Self {
        Self {
            resource: minijinja::Value::from(minijinja::value::Serde(resource)),
            migrations: resource
                .migrations
                .iter()
                .map(|m| minijinja::Value::from(minijinja::value::Serde(m)))
                .collect(),
        }
    }

    /// `context` with `resource` (and the resource's `migration`) set, for its templates.
    fn context(&self, context: &minijinja::Value, migration: Option<usize>) -> minijinja::Value {
        minijinja::context! {
            resource => self.resource.clone(),
            migration => migration.map(|m| self.migrations[m].clone()),
            ..context.clone()
        }
    }
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
    let resources: Vec<ResourceValues> = plan
        .context
        .resources
        .iter()
        .map(ResourceValues::new)
        .collect();
    let mut files = BTreeMap::new();
    for planned in &plan.files {
        let (file, render, context) = match &planned.source {
            Source::Template { file, render } => (file, *render, context.clone()),
            Source::Resource {
                file,
                render,
                resource,
                migration,
            } => (
                file,
                *render,
                resources[*resource].context(&context, *migration),
            ),
            Source::Generated(text) => {
                files.insert(planned.path.clone(), text.clone().into_bytes());
                continue;
            }
        };
        let bytes = match render {
            false => file.contents().to_vec(),
            true => {
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
        };
        files.insert(planned.path.clone(), bytes);
    }
    Ok(RenderedTree { files })
}
