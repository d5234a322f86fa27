//! Rendering a plan into memory: the same bytes feed `new`, `--dry-run` and the tests.

use std::collections::BTreeMap;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

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
    // `{{ ("async fn " ~ name ~ "()") | fn_opening }}`: a function named after a resource or
    // field, opened as rustfmt opens it whatever the names' length.
    env.add_filter("fn_opening", |head: String| {
        crate::resource::layout::fn_opening(&head)
    });
    // `{{ "    assert_eq!" | call([left, right], ";") }}`: a call or macro whose arguments
    // carry names, broken one argument a line where rustfmt breaks it.
    env.add_filter(
        "call",
        |callee: String, args: Vec<String>, suffix: String| {
            crate::resource::layout::rust_call(&callee, &args, &suffix)
        },
    );
    env
}

/// Compiles every template `plan` renders, each once: a resource's templates are rendered once
/// for each declared resource, and compiling a template costs about as much as rendering it.
fn add_templates(env: &mut Environment<'static>, plan: &Plan) -> Result<(), RenderError> {
    let files = plan
        .files
        .iter()
        .filter_map(|planned| match &planned.source {
            Source::Template { file, render: true }
            | Source::Resource {
                file, render: true, ..
            } => Some(*file),
            _ => None,
        });
    let openapi = plan
        .resources
        .iter()
        .flat_map(|r| r.openapi.iter().copied());
    let mut added = std::collections::HashSet::new();
    for file in files.chain(openapi) {
        let name = template_name(file);
        if !added.insert(name) {
            continue;
        }
        let failed = |message: String| RenderError {
            path: name.to_string(),
            message,
        };
        let source = file
            .contents_utf8()
            .ok_or_else(|| failed("a .jinja template must be UTF-8".to_string()))?;
        env.add_template(name, source)
            .map_err(|e| failed(format!("{e:#}")))?;
    }
    Ok(())
}

/// The name a template is compiled under: its path in the catalogue.
fn template_name(file: &'static include_dir::File<'static>) -> &'static str {
    file.path()
        .to_str()
        .expect("the catalogue's paths are UTF-8")
}

/// Renders the template `file`, added by [`add_templates`], with `context`.
fn render_template(
    env: &Environment<'static>,
    file: &'static include_dir::File<'static>,
    context: &minijinja::Value,
) -> Result<String, String> {
    env.get_template(template_name(file))
        .and_then(|template| template.render(context))
        .map_err(|e| format!("{e:#}"))
}

/// The render context, with the catalogue's own strings rendered first: contributions and env
/// examples may name the project (`{{ project.name }}`) just as template files can, and a
/// resource's contributions its resource (`{{ resource.name }}`).
fn render_declarations(
    env: &Environment<'static>,
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
        for &template in &planned.openapi {
            let failed = |message: String| RenderError {
                path: template_name(template).to_string(),
                message,
            };
            let text = render_template(env, template, &own).map_err(failed)?;
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
    // The fragments become the text of `openapi.json` here, as JSON: through the template
    // values they would be converted twice, and they are the largest part of the context.
    let fragments = match context["adds"]
        .as_object_mut()
        .and_then(|adds| adds.remove("openapi"))
    {
        Some(serde_json::Value::Array(fragments)) => fragments,
        _ => Vec::new(),
    };
    let document = crate::openapi::merge(fragments).map_err(|e| RenderError {
        path: "openapi.json".to_string(),
        message: e.to_string(),
    })?;
    context["openapi_document"] = crate::openapi::document_text(&document).into();
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
    let mut env = environment();
    add_templates(&mut env, plan)?;
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
            true => render_template(&env, file, &context)
                .map_err(|message| RenderError {
                    path: planned.path.clone(),
                    message,
                })?
                .into_bytes(),
        };
        files.insert(planned.path.clone(), bytes);
    }
    Ok(RenderedTree { files })
}
