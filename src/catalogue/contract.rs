//! The contracts of contributions, checked when the catalogue loads: names that become Rust
//! identifiers are identifiers, files a declaration points at exist and define what it names.
//!
//! A broken contract would otherwise show up as a generated project that fails to compile,
//! minutes later and only for the combinations that include the unit.

use include_dir::{Dir, DirEntry};

use super::load::entry;
use super::{Contribution, LocalIssuer, ReadmePart};

/// A unit of the catalogue as the checks see it.
pub(super) struct Unit<'c> {
    /// What it declares.
    pub contribution: &'c Contribution,
    /// The provider's name, when the unit is a provider.
    pub provider: Option<&'c str>,
    /// A module's providers, when the unit is the module's shared part: a file that part
    /// points at may be shipped by every provider instead (`src/config/auth.rs`, say).
    pub providers: Vec<&'c Contribution>,
}

impl<'c> Unit<'c> {
    /// A unit that is neither a provider nor a module's shared part.
    pub fn alone(contribution: &'c Contribution) -> Self {
        Unit {
            contribution,
            provider: None,
            providers: Vec::new(),
        }
    }
}

/// Checks every contribution of `unit`, and says what is wrong with the first broken one.
pub(super) fn check(unit: &Unit<'_>) -> Result<(), String> {
    let adds = &unit.contribution.adds;
    for (what, names) in [
        ("lib module", &adds.lib_modules),
        ("test module", &adds.test_modules),
        ("main-uses module", &adds.main_uses),
        ("soft-deleted table", &adds.soft_deleted_tables),
    ] {
        for name in names {
            identifier(what, name)?;
        }
    }
    for (kind, hooks) in [
        ("request-span", &adds.request_span),
        ("outgoing-headers", &adds.outgoing_headers),
        ("router-middleware", &adds.router_middleware),
        ("job-finished", &adds.job_finished),
        ("job-housekeeping", &adds.job_housekeeping),
        ("redis-failed", &adds.redis_failed),
        ("ai-answered", &adds.ai_answered),
    ] {
        for hook in hooks {
            rust_path(kind, "path", hook)?;
        }
    }
    for (index, header) in adds.cors_request_headers.iter().enumerate() {
        kebab("CORS request header", header)?;
        // Another unit's header is allowed once however many ask for it; one unit naming a
        // header twice is a slip.
        if adds.cors_request_headers[..index].contains(header) {
            return Err(format!("CORS request header `{header}` is listed twice"));
        }
    }
    for group in &adds.settings {
        let what = format!("settings `{}`", group.name);
        identifier("settings group", &group.name)?;
        type_name(&what, &group.type_name)?;
        sentence(&what, &group.doc)?;
        defines(
            unit,
            &format!("src/config/{}.rs", group.name),
            &group.type_name,
        )
        .map_err(|problem| format!("{what}: {problem}"))?;
    }
    for field in &adds.state {
        let what = format!("state field `{}`", field.name);
        identifier("state field", &field.name)?;
        one_line(&what, "type", &field.type_name)?;
        one_line(&what, "init", &field.init)?;
        sentence(&what, &field.doc)?;
    }
    for route in &adds.routes {
        one_line("route", "router", &route.router)?;
    }
    for command in &adds.commands {
        let what = format!("subcommand `{}`", command.name);
        if command.name.is_empty() || !command.name.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(format!("{what}: a subcommand is one lowercase word"));
        }
        // The usage text aligns help lines after the longest built-in command, `migrate`.
        if command.name.len() > "migrate".len() {
            return Err(format!(
                "{what}: a subcommand has at most 7 letters, to fit the usage text's column"
            ));
        }
        if matches!(command.name.as_str(), "serve" | "migrate" | "openapi") {
            return Err(format!("{what}: the binary already has this command"));
        }
        one_line(&what, "help", &command.help)?;
        let module = command.function.split("::").next().unwrap_or_default();
        if !command.function.contains("::") || !adds.main_uses.iter().any(|m| m == module) {
            return Err(format!(
                "{what}: its function `{}` must be a path from a module the same unit lists in `main-uses`",
                command.function
            ));
        }
    }
    for job in &adds.jobs {
        let what = format!("job `{}`", job.file);
        identifier("job file", &job.file)?;
        type_name(&what, &job.type_name)?;
        defines(unit, &format!("src/jobs/{}.rs", job.file), &job.type_name)
            .map_err(|problem| format!("{what}: {problem}"))?;
    }
    for context in &adds.job_context {
        for (key, path) in [("enqueue", &context.enqueue), ("span", &context.span)] {
            rust_path("job-context", key, path)?;
        }
    }
    for provider in &adds.ai_providers {
        let what = format!("AI provider `{}`", provider.name);
        if unit.provider != Some(provider.name.as_str()) {
            return Err(format!(
                "{what}: an AI provider is declared by the provider folder of the same name"
            ));
        }
        type_name(&what, &provider.type_name)?;
        defines(
            unit,
            &format!("src/ai/{}.rs", provider.name),
            &provider.type_name,
        )
        .map_err(|problem| format!("{what}: {problem}"))?;
    }
    for name in &adds.email_templates {
        identifier("email template", name)?;
        for part in ["html", "txt"] {
            let path = format!("templates/email/{name}.{part}");
            if text(unit.contribution.files, &path).is_none() {
                return Err(format!(
                    "email template `{name}`: {path} is not in the unit's files/"
                ));
            }
        }
    }
    for value in &adds.test_env {
        env_name("test-env", &value.name)?;
        if value.value.contains(['"', '\\', '\n']) {
            return Err(format!(
                "test-env `{}`: the value is written as a Rust string literal, so it may not hold `\"`, `\\` or a line break",
                value.name
            ));
        }
    }
    for value in &adds.compose_env {
        env_name("compose-env", &value.name)?;
        let yaml_syntax = value.value.contains(['"', '\'', '\n', '\\'])
            || value.value.contains(": ")
            || value.value.contains(" #")
            || value
                .value
                .starts_with(|c: char| "-?:,[]{}#&*!|>%@`".contains(c));
        if yaml_syntax {
            return Err(format!(
                "compose-env `{}`: the value is written as a plain YAML scalar, so it may not hold YAML syntax",
                value.name
            ));
        }
    }
    for (what, names) in [
        ("process", &adds.processes),
        ("compose volume", &adds.compose_volumes),
    ] {
        for name in names {
            kebab(what, name)?;
        }
    }
    for service in &adds.compose_services {
        kebab("compose service", &service.name)?;
        if service.body.trim().is_empty() || service.body.starts_with(' ') {
            return Err(format!(
                "compose service `{}`: the body is the service's YAML, unindented",
                service.name
            ));
        }
    }
    for target in &adds.make_targets {
        let what = format!("make target `{}`", target.name);
        kebab("make target", &target.name)?;
        one_line(&what, "help", &target.help)?;
        if target.recipe.is_empty() {
            return Err(format!("{what}: the recipe has no command"));
        }
        for line in &target.recipe {
            one_line(&what, "recipe", line)?;
        }
    }
    for step in &adds.ci_test_steps {
        one_line("CI step", "name", &step.name)?;
        if step.run.trim().is_empty() {
            return Err(format!("CI step `{}`: `run` is empty", step.name));
        }
    }
    if adds.local_issuer.len() > 1 {
        return Err("a unit declares one local issuer at most".into());
    }
    for issuer in &adds.local_issuer {
        local_issuer(unit, issuer)?;
    }
    for path in &adds.signed_in_docs {
        let segments: Vec<&str> = path.split("::").collect();
        let segment_ok = |(i, s): (usize, &&str)| (i == 0 && *s == "crate") || is_identifier(s);
        if segments.len() < 2 || !segments.iter().enumerate().all(segment_ok) {
            return Err(format!(
                "signed-in doc `{path}` is not a path to a function"
            ));
        }
    }
    for section in &adds.readme {
        let prefix = match section.part {
            ReadmePart::Access => "- ",
            ReadmePart::Api => "#",
            ReadmePart::Deploy => "#",
        };
        if !section.text.starts_with(prefix) {
            let start: String = section.text.chars().take(30).collect();
            return Err(format!(
                "readme `{:?}`: the text starts with `{prefix}`, not `{start}`",
                section.part
            ));
        }
    }
    Ok(())
}

/// Claims the local issuer sets itself, which a declaration may not override.
const ISSUER_CLAIMS: [&str; 5] = ["iss", "sub", "email", "iat", "exp"];

fn local_issuer(unit: &Unit<'_>, issuer: &LocalIssuer) -> Result<(), String> {
    let what = format!("local issuer `{}`", issuer.issuer);
    let port = issuer
        .issuer
        .strip_prefix("http://127.0.0.1:")
        .map(|rest| rest.split_once('/').map_or(rest, |(port, _)| port));
    if !port.is_some_and(|port| port.parse::<u16>().is_ok_and(|port| port > 0)) {
        return Err(format!(
            "{what}: the issuer is `http://127.0.0.1:<port>`, maybe with a path"
        ));
    }
    if issuer.issuer.ends_with('/') {
        return Err(format!("{what}: the issuer does not end with `/`"));
    }
    if issuer.settings.is_empty() {
        return Err(format!(
            "{what}: `settings` names the variables that make the app trust it"
        ));
    }
    for name in issuer.settings.keys() {
        if !unit.contribution.env.iter().any(|var| &var.name == name) {
            return Err(format!(
                "{what}: the setting `{name}` is not an environment variable the unit declares"
            ));
        }
    }
    for name in issuer.claims.keys() {
        if ISSUER_CLAIMS.contains(&name.as_str()) || !is_identifier(name) {
            return Err(format!(
                "{what}: the claim `{name}` is set by the issuer itself or is not a snake-case name"
            ));
        }
    }
    let values = std::iter::once(&issuer.issuer)
        .chain(issuer.claims.values())
        .chain(issuer.settings.values());
    if values
        .into_iter()
        .any(|value| value.contains(['"', '\\', '\n']))
    {
        return Err(format!(
            "{what}: values are written as TypeScript string literals, so they may not hold `\"`, `\\` or a line break"
        ));
    }
    Ok(())
}

/// Whether `name` can be a Rust module, field or function name: lowercase snake case, no keyword.
fn is_identifier(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
        "type", "unsafe", "use", "where", "while",
    ];
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&name)
}

fn identifier(what: &str, name: &str) -> Result<(), String> {
    if is_identifier(name) {
        Ok(())
    } else {
        Err(format!(
            "{what} `{name}` is not a Rust identifier in snake case"
        ))
    }
}

/// A path to an item of the generated crate: `crate::` and snake-case segments.
fn rust_path(what: &str, field: &str, path: &str) -> Result<(), String> {
    let into_crate = path
        .strip_prefix("crate::")
        .is_some_and(|rest| rest.split("::").all(is_identifier));
    if into_crate {
        Ok(())
    } else {
        Err(format!(
            "{what}: `{field}` is a path from `crate::` through snake-case names, not `{path}`"
        ))
    }
}

fn type_name(what: &str, name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what}: `{name}` is not a type name in upper camel case"
        ))
    }
}

fn env_name(what: &str, name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what} `{name}` is not an environment variable name"
        ))
    }
}

fn kebab(what: &str, name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what} `{name}` is not a name of lowercase letters, digits and `-`"
        ))
    }
}

fn one_line(what: &str, field: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() || text.contains('\n') || text.trim() != text {
        Err(format!("{what}: `{field}` is one line of text"))
    } else {
        Ok(())
    }
}

/// A doc comment: one line, a sentence ending with a full stop.
fn sentence(what: &str, doc: &str) -> Result<(), String> {
    one_line(what, "doc", doc)?;
    if doc.starts_with(|c: char| c.is_lowercase()) || !doc.ends_with('.') {
        return Err(format!(
            "{what}: the doc is a sentence, capitalised and ending with a full stop"
        ));
    }
    Ok(())
}

/// Whether the unit ships `path` (or `path.jinja`) defining `pub struct <type_name>`; a
/// module's shared part may instead rely on every one of its providers shipping it.
fn defines(unit: &Unit<'_>, path: &str, type_name: &str) -> Result<(), String> {
    let own = text(unit.contribution.files, path);
    if let Some(text) = own {
        return defines_in(text, path, type_name);
    }
    if unit.providers.is_empty() {
        return Err(format!("{path} is not in the unit's files/"));
    }
    for provider in &unit.providers {
        match text(provider.files, path) {
            Some(text) => defines_in(text, path, type_name)?,
            None => {
                return Err(format!(
                    "{path} is neither in the module's files/ nor in every provider's"
                ));
            }
        }
    }
    Ok(())
}

fn defines_in(text: &str, path: &str, type_name: &str) -> Result<(), String> {
    let needle = format!("pub struct {type_name}");
    let found = text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    });
    if found {
        Ok(())
    } else {
        Err(format!("{path} does not define `{needle}`"))
    }
}

/// The text of `path` (or of its template, `path.jinja`) under a unit's `files/`.
fn text(files: Option<&'static Dir<'static>>, path: &str) -> Option<&'static str> {
    let files = files?;
    [
        path.to_string(),
        format!("{path}{}", crate::plan::TEMPLATE_SUFFIX),
    ]
    .iter()
    .find_map(|candidate| entry(files, candidate))
    .and_then(DirEntry::as_file)
    .and_then(|file| file.contents_utf8())
}

#[cfg(test)]
pub(super) mod tests {
    use include_dir::File;

    use super::*;
    use crate::catalogue::load::declarations;

    /// A unit's `files/` holding `files` (path, text), built the way include_dir embeds a tree.
    pub(in crate::catalogue) fn files(files: &[(&str, &str)]) -> &'static Dir<'static> {
        let owned: Vec<(String, String)> = files
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect();
        Box::leak(Box::new(Dir::new("unit/files", tree("unit/files", &owned))))
    }

    fn tree(at: &str, files: &[(String, String)]) -> &'static [DirEntry<'static>] {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let mut entries = Vec::new();
        let mut dirs: Vec<&str> = Vec::new();
        for (path, text) in files {
            match path.split_once('/') {
                None => entries.push(DirEntry::File(File::new(
                    leak(format!("{at}/{path}")),
                    leak(text.clone()).as_bytes(),
                ))),
                Some((dir, _)) if !dirs.contains(&dir) => dirs.push(dir),
                Some(_) => {}
            }
        }
        for dir in dirs {
            let below: Vec<(String, String)> = files
                .iter()
                .filter_map(|(path, text)| {
                    let rest = path.strip_prefix(dir)?.strip_prefix('/')?;
                    Some((rest.to_string(), text.clone()))
                })
                .collect();
            let path = leak(format!("{at}/{dir}"));
            entries.push(DirEntry::Dir(Dir::new(path, tree(path, &below))));
        }
        Box::leak(entries.into_boxed_slice())
    }

    /// A unit declared by `toml`, shipping `shipped`.
    fn unit(toml: &str, shipped: &[(&str, &str)]) -> Contribution {
        let table: toml::Table = toml::from_str(toml).expect("the fixture is TOML");
        let (decl, adds) = declarations(table).expect("the fixture deserializes");
        decl.with(adds, Some(files(shipped)))
    }

    fn check_alone(toml: &str, shipped: &[(&str, &str)]) -> Result<(), String> {
        check(&Unit::alone(&unit(toml, shipped)))
    }

    fn deserialize_error(toml: &str) -> String {
        let table: toml::Table = toml::from_str(toml).unwrap();
        declarations(table)
            .expect_err("the fixture is refused")
            .to_string()
    }

    const AI_SETTINGS: &str = r#"
        [[settings]]
        name = "ai"
        type = "AiSettings"
        doc = "The AI gateway."
    "#;

    #[test]
    fn a_cors_request_header_listed_twice_is_refused() {
        assert_eq!(
            check_alone(
                r#"cors-request-headers = ["traceparent", "traceparent"]"#,
                &[]
            ),
            Err("CORS request header `traceparent` is listed twice".into())
        );
    }

    #[test]
    fn a_job_context_of_paths_into_the_crate_is_accepted() {
        let toml = r#"
            [[job-context]]
            enqueue = "crate::job_trace::write"
            span = "crate::job_trace::continue_trace"
        "#;
        assert_eq!(check_alone(toml, &[]), Ok(()));
    }

    #[test]
    fn a_job_context_whose_path_is_not_into_the_crate_is_refused() {
        let toml = r#"
            [[job-context]]
            enqueue = "job_trace::write"
            span = "crate::job_trace::continue_trace"
        "#;
        assert_eq!(
            check_alone(toml, &[]),
            Err("job-context: `enqueue` is a path from `crate::` through snake-case names, not `job_trace::write`".into())
        );
    }

    #[test]
    fn outgoing_headers_from_outside_the_crate_are_refused() {
        assert_eq!(
            check_alone(r#"outgoing-headers = ["otel::trace_headers"]"#, &[]),
            Err("outgoing-headers: `path` is a path from `crate::` through snake-case names, not `otel::trace_headers`".into())
        );
    }

    #[test]
    fn job_redis_and_ai_hooks_from_outside_the_crate_are_refused() {
        for kind in [
            "job-finished",
            "job-housekeeping",
            "redis-failed",
            "ai-answered",
        ] {
            assert_eq!(
                check_alone(&format!(r#"{kind} = ["job_metrics::record"]"#), &[]),
                Err(format!(
                    "{kind}: `path` is a path from `crate::` through snake-case names, not `job_metrics::record`"
                ))
            );
        }
    }

    #[test]
    fn router_middleware_given_as_an_expression_is_refused() {
        assert_eq!(
            check_alone(r#"router-middleware = ["from_fn(crate::metrics::measure)"]"#, &[]),
            Err("router-middleware: `path` is a path from `crate::` through snake-case names, not `from_fn(crate::metrics::measure)`".into())
        );
    }

    #[test]
    fn an_email_template_whose_two_parts_are_shipped_is_accepted() {
        let shipped = [
            ("templates/email/welcome.html", ""),
            ("templates/email/welcome.txt", ""),
        ];
        assert_eq!(
            check_alone(r#"email-templates = ["welcome"]"#, &shipped),
            Ok(())
        );
    }

    #[test]
    fn an_email_template_without_its_plain_text_part_is_refused() {
        let shipped = [("templates/email/welcome.html", "")];
        assert_eq!(
            check_alone(r#"email-templates = ["welcome"]"#, &shipped),
            Err(
                "email template `welcome`: templates/email/welcome.txt is not in the unit's files/"
                    .into()
            )
        );
    }

    #[test]
    fn a_settings_group_whose_file_defines_its_type_is_accepted() {
        let shipped = [("src/config/ai.rs", "pub struct AiSettings {}")];
        assert_eq!(check_alone(AI_SETTINGS, &shipped), Ok(()));
    }

    #[test]
    fn a_settings_group_whose_file_is_a_template_is_accepted() {
        let shipped = [("src/config/ai.rs.jinja", "pub struct AiSettings {}")];
        assert_eq!(check_alone(AI_SETTINGS, &shipped), Ok(()));
    }

    #[test]
    fn a_settings_group_whose_file_does_not_define_its_type_is_refused() {
        let shipped = [("src/config/ai.rs", "pub struct AiSettingsV2 {}")];
        assert_eq!(
            check_alone(AI_SETTINGS, &shipped),
            Err("settings `ai`: src/config/ai.rs does not define `pub struct AiSettings`".into())
        );
    }

    #[test]
    fn a_settings_group_whose_file_is_not_shipped_is_refused() {
        assert_eq!(
            check_alone(AI_SETTINGS, &[("src/config/openai.rs", "")]),
            Err("settings `ai`: src/config/ai.rs is not in the unit's files/".into())
        );
    }

    #[test]
    fn a_module_settings_group_may_rely_on_every_provider_shipping_its_file() {
        let module = unit(AI_SETTINGS, &[]);
        let defining = unit("", &[("src/config/ai.rs", "pub struct AiSettings;")]);
        let unit = Unit {
            contribution: &module,
            provider: None,
            providers: vec![&defining, &defining],
        };
        assert_eq!(check(&unit), Ok(()));
    }

    #[test]
    fn a_module_settings_group_is_refused_when_one_provider_lacks_its_file() {
        let module = unit(AI_SETTINGS, &[]);
        let defining = unit("", &[("src/config/ai.rs", "pub struct AiSettings;")]);
        let lacking = unit("", &[]);
        let unit = Unit {
            contribution: &module,
            provider: None,
            providers: vec![&defining, &lacking],
        };
        assert_eq!(
            check(&unit),
            Err(
                "settings `ai`: src/config/ai.rs is neither in the module's files/ nor in every provider's"
                    .into()
            )
        );
    }

    #[test]
    fn a_settings_doc_that_is_not_a_sentence_is_refused() {
        let toml = AI_SETTINGS.replace("The AI gateway.", "ai settings");
        let shipped = [("src/config/ai.rs", "pub struct AiSettings {}")];
        assert_eq!(
            check_alone(&toml, &shipped),
            Err(
                "settings `ai`: the doc is a sentence, capitalised and ending with a full stop"
                    .into()
            )
        );
    }

    #[test]
    fn a_job_whose_file_is_missing_is_refused() {
        let toml = "[[jobs]]\nfile = \"send_email\"\ntype = \"SendEmail\"";
        assert_eq!(
            check_alone(toml, &[]),
            Err("job `send_email`: src/jobs/send_email.rs is not in the unit's files/".into())
        );
    }

    #[test]
    fn a_job_whose_file_lacks_its_type_is_refused() {
        let toml = "[[jobs]]\nfile = \"send_email\"\ntype = \"SendEmail\"";
        let shipped = [("src/jobs/send_email.rs", "pub struct Email;")];
        assert_eq!(
            check_alone(toml, &shipped),
            Err(
                "job `send_email`: src/jobs/send_email.rs does not define `pub struct SendEmail`"
                    .into()
            )
        );
    }

    const OPENAI: &str = "[[ai-providers]]\nname = \"openai\"\ntype = \"OpenAi\"";

    #[test]
    fn an_ai_provider_is_declared_by_the_provider_of_the_same_name() {
        let declared = unit(OPENAI, &[("src/ai/openai.rs", "pub struct OpenAi {}")]);
        let unit = |provider| Unit {
            contribution: &declared,
            provider: Some(provider),
            providers: Vec::new(),
        };
        assert_eq!(check(&unit("openai")), Ok(()));
        assert_eq!(
            check(&unit("anthropic")),
            Err(
                "AI provider `openai`: an AI provider is declared by the provider folder of the same name"
                    .into()
            )
        );
    }

    #[test]
    fn an_ai_provider_whose_file_lacks_its_type_is_refused() {
        let declared = unit(OPENAI, &[("src/ai/openai.rs", "pub struct Client {}")]);
        let unit = Unit {
            contribution: &declared,
            provider: Some("openai"),
            providers: Vec::new(),
        };
        assert_eq!(
            check(&unit),
            Err(
                "AI provider `openai`: src/ai/openai.rs does not define `pub struct OpenAi`".into()
            )
        );
    }

    #[test]
    fn a_state_field_name_that_is_not_a_rust_identifier_is_refused() {
        let toml = r#"
            [[state]]
            name = "rate-limiter"
            type = "RateLimiter"
            init = "RateLimiter::default()"
            doc = "Counts requests."
        "#;
        assert_eq!(
            check_alone(toml, &[]),
            Err("state field `rate-limiter` is not a Rust identifier in snake case".into())
        );
    }

    #[test]
    fn a_cors_request_header_that_is_not_a_lowercase_name_is_refused() {
        assert_eq!(
            check_alone("cors-request-headers = [\"Traceparent\"]", &[]),
            Err(
                "CORS request header `Traceparent` is not a name of lowercase letters, digits and `-`"
                    .into()
            )
        );
    }

    #[test]
    fn a_subcommand_name_that_is_not_one_lowercase_word_is_refused() {
        let toml = r#"
            main-uses = ["jobs"]
            [[commands]]
            name = "run_worker"
            function = "jobs::run_worker"
            help = "run the worker"
        "#;
        assert_eq!(
            check_alone(toml, &[]),
            Err("subcommand `run_worker`: a subcommand is one lowercase word".into())
        );
    }

    #[test]
    fn a_subcommand_too_long_for_the_usage_column_is_refused() {
        let toml = r#"
            main-uses = ["jobs"]
            [[commands]]
            name = "scheduler"
            function = "jobs::run_scheduler"
            help = "run the scheduler"
        "#;
        assert_eq!(
            check_alone(toml, &[]),
            Err(
                "subcommand `scheduler`: a subcommand has at most 7 letters, to fit the usage text's column"
                    .into()
            )
        );
    }

    #[test]
    fn a_subcommand_whose_function_is_not_in_main_uses_is_refused() {
        let toml = r#"
            [[commands]]
            name = "worker"
            function = "jobs::run_worker"
            help = "run the worker"
        "#;
        assert_eq!(
            check_alone(toml, &[]),
            Err("subcommand `worker`: its function `jobs::run_worker` must be a path from a module the same unit lists in `main-uses`".into())
        );
    }

    #[test]
    fn a_subcommand_gets_its_enum_variant_from_its_name() {
        let toml = r#"
            main-uses = ["jobs"]
            [[commands]]
            name = "worker"
            function = "jobs::run_worker"
            help = "run the worker"
        "#;
        assert_eq!(unit(toml, &[]).adds.commands[0].variant, "Worker");
    }

    #[test]
    fn a_route_group_that_is_not_public_app_or_admin_is_refused() {
        let toml = "[[routes]]\ngroup = \"private\"\nrouter = \"crate::x::routes()\"";
        assert!(
            deserialize_error(toml)
                .contains("unknown variant `private`, expected one of `public`, `app`, `admin`"),
            "{}",
            deserialize_error(toml)
        );
    }

    #[test]
    fn an_unknown_kind_of_contribution_is_refused() {
        let toml = "[slots]\nlib_modules = [\"ai\"]";
        assert!(
            deserialize_error(toml).contains("unknown field `slots`"),
            "{}",
            deserialize_error(toml)
        );
    }

    #[test]
    fn a_test_env_value_that_needs_escaping_is_refused() {
        let toml = r#"test-env = [{ name = "GREETING", value = 'say "hi"' }]"#;
        assert!(check_alone(toml, &[]).is_err_and(|e| e.starts_with("test-env `GREETING`")));
    }

    #[test]
    fn a_compose_env_value_that_yaml_would_not_read_as_a_string_is_quoted() {
        let toml = r#"compose-env = [{ name = "RUN", value = "false" }, { name = "URL", value = "smtp://mailpit:1025" }]"#;
        let yaml: Vec<String> = unit(toml, &[])
            .adds
            .compose_env
            .into_iter()
            .map(|v| v.yaml)
            .collect();
        assert_eq!(yaml, ["\"false\"", "smtp://mailpit:1025"]);
    }

    #[test]
    fn a_readme_api_section_that_does_not_start_with_its_heading_is_refused() {
        let toml = "[[readme]]\npart = \"api\"\ntext = \"Reports are CSV files.\"";
        assert_eq!(
            check_alone(toml, &[]),
            Err("readme `Api`: the text starts with `#`, not `Reports are CSV files.`".into())
        );
    }

    const ISSUER_ENV: &str = r#"
        [[env]]
        name = "IDP_URL"
        description = "The identity provider."
        example = "https://idp.example.com"
    "#;

    #[test]
    fn a_local_issuer_set_by_a_variable_of_its_unit_is_accepted() {
        let toml = format!(
            "{ISSUER_ENV}\n[[local-issuer]]\nissuer = \"http://127.0.0.1:9090/auth\"\nclaims = {{ aud = \"api\" }}\nsettings = {{ IDP_URL = \"http://127.0.0.1:9090\" }}"
        );
        assert_eq!(check_alone(&toml, &[]), Ok(()));
    }

    #[test]
    fn a_local_issuer_set_by_a_variable_its_unit_does_not_declare_is_refused() {
        let toml = "[[local-issuer]]\nissuer = \"http://127.0.0.1:9090\"\nsettings = { IDP_URL = \"http://127.0.0.1:9090\" }";
        assert_eq!(
            check_alone(toml, &[]),
            Err("local issuer `http://127.0.0.1:9090`: the setting `IDP_URL` is not an environment variable the unit declares".into())
        );
    }

    #[test]
    fn a_local_issuer_elsewhere_than_on_a_local_port_is_refused() {
        for issuer in [
            "https://idp.example.com",
            "http://127.0.0.1:0",
            "http://127.0.0.1:9090/",
        ] {
            let toml = format!(
                "{ISSUER_ENV}\n[[local-issuer]]\nissuer = \"{issuer}\"\nsettings = {{ IDP_URL = \"{issuer}\" }}"
            );
            assert!(check_alone(&toml, &[]).is_err(), "{issuer} was accepted");
        }
    }

    #[test]
    fn a_local_issuer_claim_that_the_issuer_sets_itself_is_refused() {
        let toml = format!(
            "{ISSUER_ENV}\n[[local-issuer]]\nissuer = \"http://127.0.0.1:9090\"\nclaims = {{ sub = \"admin\" }}\nsettings = {{ IDP_URL = \"http://127.0.0.1:9090\" }}"
        );
        assert!(check_alone(&toml, &[]).is_err_and(|e| e.contains("the claim `sub`")));
    }

    #[test]
    fn a_process_name_with_spaces_is_refused() {
        assert_eq!(
            check_alone("processes = [\"job worker\"]", &[]),
            Err("process `job worker` is not a name of lowercase letters, digits and `-`".into())
        );
    }
}
