//! What one unit of the catalogue (the base, a module, a provider) adds to a generated project.

use std::collections::BTreeMap;

use include_dir::Dir;
use serde::{Deserialize, Serialize};

use crate::name::upper_camel;

/// The declarations of a `base.toml`, `module.toml` or `provider.toml`, plus the folder of files it ships.
#[derive(Debug, Clone, Default)]
pub struct Contribution {
    /// Crate dependencies, by name; versions come from `templates/crates.toml`.
    pub crates: BTreeMap<String, CrateUse>,
    /// Dev-dependencies, by name.
    pub dev_crates: BTreeMap<String, CrateUse>,
    /// Environment variables the generated code reads.
    pub env: Vec<EnvVar>,
    /// What it adds to the files every project shares (router, config, state, ...).
    pub adds: Contributions,
    /// The `files/` folder whose tree is copied (or rendered) into the project.
    pub files: Option<&'static Dir<'static>>,
}

/// The declaration fields shared by every catalogue file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContributionDecl {
    #[serde(default)]
    pub crates: BTreeMap<String, CrateUse>,
    #[serde(default, rename = "dev-crates")]
    pub dev_crates: BTreeMap<String, CrateUse>,
    #[serde(default)]
    pub env: Vec<EnvVar>,
}

impl ContributionDecl {
    pub(crate) fn with(
        self,
        adds: Contributions,
        files: Option<&'static Dir<'static>>,
    ) -> Contribution {
        Contribution {
            crates: self.crates,
            dev_crates: self.dev_crates,
            env: self.env,
            adds,
            files,
        }
    }
}

/// A module's use of a crate: the features it needs on top of the version table's.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CrateUse {
    /// Extra features this unit needs.
    #[serde(default)]
    pub features: Vec<String>,
}

/// One row of `templates/crates.toml`: the single place where crate versions are chosen.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CrateSpec {
    /// The version requirement written into the generated Cargo.toml.
    pub version: String,
    /// Whether the crate's default features stay on.
    #[serde(default = "yes")]
    pub default_features: bool,
    /// Features always enabled wherever the crate is used.
    #[serde(default)]
    pub features: Vec<String>,
}

fn yes() -> bool {
    true
}

/// An environment variable read by the generated application.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EnvVar {
    /// The variable's name, e.g. `DATABASE_URL`.
    pub name: String,
    /// One line saying what it configures.
    pub description: String,
    /// The value written into `.env.example`.
    pub example: String,
    /// Whether the application refuses to start without it.
    #[serde(default)]
    pub required: bool,
    /// Whether the value is a credential (deploy configs must not commit it).
    #[serde(default)]
    pub secret: bool,
    /// Who sets it in a deployed app.
    #[serde(default)]
    pub deploy: DeployRole,
}

/// Who provides an environment variable once the app is deployed.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeployRole {
    /// The user: a secret to set, or a plain setting with its example value.
    #[default]
    User,
    /// The platform, from a managed service it provisions (the database URL, say).
    Managed,
    /// The image or the deploy config itself, with a fixed production value (the port, say).
    Fixed,
}

/// What one unit adds to the files every project shares, each kind of addition typed so that
/// the catalogue loader can check it (see `templates/README.md` for the TOML shape).
///
/// Templates loop over these lists; the plan concatenates them, base first, then modules in
/// catalogue order, then the modules' pairings, the providers' pairings, and features.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all(deserialize = "kebab-case"))]
pub struct Contributions {
    /// Top-level modules of the crate (`pub mod <name>;` in `src/lib.rs`).
    pub lib_modules: Vec<String>,
    /// Groups of settings, each a field of `Config` loaded from the environment.
    pub settings: Vec<SettingsGroup>,
    /// Fields of the application state, with what fills them.
    pub state: Vec<StateField>,
    /// Routers merged into the route groups.
    pub routes: Vec<Route>,
    /// Layers of the signed-in route groups, as expressions of `src/routes/mod.rs`.
    pub signed_in_layers: Vec<String>,
    /// Paths of functions that describe those layers in the OpenAPI document.
    pub signed_in_docs: Vec<String>,
    /// Paths of axum middleware functions taking the `AppState`, around the whole router:
    /// they run once a request is routed, so they see the route it matched.
    pub router_middleware: Vec<String>,
    /// Statements `Application::build` runs once the state is built (`state` holds it).
    pub startup_tasks: Vec<String>,
    /// Library modules `src/main.rs` imports by name.
    pub main_uses: Vec<String>,
    /// Code `main` runs once the configuration is loaded, before logging starts.
    pub main_setup: Vec<String>,
    /// Subcommands of the binary besides `serve`, `migrate` and `openapi`.
    pub commands: Vec<Subcommand>,
    /// Extra layers of the global `tracing` subscriber, as expressions of `src/telemetry.rs`.
    pub telemetry_layers: Vec<String>,
    /// Paths of `fn(&tracing::Span, &HeaderMap)` run on each request's span as it is made,
    /// before anything enters it (a trace continued from the caller's headers).
    pub request_span: Vec<String>,
    /// Paths of `fn() -> HeaderMap` whose headers go with each request the app sends to
    /// another service (the current trace's context).
    pub outgoing_headers: Vec<String>,
    /// Request headers, in lowercase, that CORS lets pages send besides the API's own.
    pub cors_request_headers: Vec<String>,
    /// Background jobs the worker registers (read by the jobs module).
    pub jobs: Vec<Job>,
    /// What a job carries from the code that enqueued it to the worker that runs it (read by
    /// the jobs module).
    pub job_context: Vec<JobContext>,
    /// Paths of `fn(&AppState, &str, Duration, crate::jobs::Outcome)` called once each run of
    /// a job is recorded in the queue, with the job's name, how long it ran and how it went,
    /// never `Idle` (read by the jobs module).
    pub job_finished: Vec<String>,
    /// Paths of `async fn(&AppState)` each worker runs after every round of its
    /// housekeeping, failed or not, a few times per `JOBS_WORKER_TIMEOUT_SECS` (read by the
    /// jobs module); they are quick, as the next heartbeat waits for them, and handle their
    /// own errors.
    pub job_housekeeping: Vec<String>,
    /// Paths of `fn(&'static str, &redis::RedisError)` called with the command and the error
    /// of each Redis call that failed through `crate::cache::traced`, wherever it was made.
    pub redis_failed: Vec<String>,
    /// Tables whose rows are soft deleted (a nullable `deleted_at`), which the jobs module's
    /// scheduled purge deletes for good once the retention has passed.
    pub soft_deleted_tables: Vec<String>,
    /// LLM providers the AI gateway tries, in order (read by the ai module).
    pub ai_providers: Vec<AiProvider>,
    /// Paths of `fn(&AppState, &crate::ai::Route, crate::ai::Usage)` called as each answered
    /// AI request's usage is recorded (read by the ai module).
    pub ai_answered: Vec<String>,
    /// Expressions of types implementing `crate::email::Outbox` (read by the email module): the
    /// last one is the application's outbox, so a unit that delivers otherwise than at once
    /// adds its own after the email module's.
    pub email_outbox: Vec<String>,
    /// Emails written from `templates/email/<name>.html` and `<name>.txt`, which the unit
    /// ships (read by the email module, which embeds them).
    pub email_templates: Vec<String>,
    /// Paths of `async fn(&AppState, &crate::auth::Profile)` functions run once a user's row
    /// is created (read by the auth module); they handle their own errors.
    pub user_created: Vec<String>,
    /// Modules of `tests/api` (`mod <name>;`).
    pub test_modules: Vec<String>,
    /// Environment values the generated tests run with.
    pub test_env: Vec<EnvValue>,
    /// Steps of the CI test job after `cargo test`.
    pub ci_test_steps: Vec<CiStep>,
    /// A local identity provider the app can be made to trust (declared by each auth provider,
    /// read by the client's signed-in end-to-end tests).
    pub local_issuer: Vec<LocalIssuer>,
    /// Targets of the generated Makefile.
    pub make_targets: Vec<MakeTarget>,
    /// Long-running processes besides the web server, each run as `<binary> <name>`.
    pub processes: Vec<String>,
    /// Services of `docker-compose.yml` for local development.
    pub compose_services: Vec<ComposeService>,
    /// Named volumes of `docker-compose.yml`.
    pub compose_volumes: Vec<String>,
    /// Environment of the app containers in `docker-compose.yml`.
    pub compose_env: Vec<EnvValue>,
    /// Markdown added to the README.
    pub readme: Vec<ReadmeText>,
    /// The unit's part of the OpenAPI document: `openapi.json` beside its declarations, not a
    /// key of them (merged into the project's `openapi.json` by [`crate::openapi::merge`]).
    #[serde(skip_deserializing)]
    pub openapi: Vec<serde_json::Value>,
}

impl Contributions {
    /// Appends everything `other` adds after what `self` already holds.
    pub fn extend(&mut self, other: &Contributions) {
        let Contributions {
            lib_modules,
            settings,
            state,
            routes,
            signed_in_layers,
            signed_in_docs,
            router_middleware,
            startup_tasks,
            main_uses,
            main_setup,
            commands,
            telemetry_layers,
            request_span,
            outgoing_headers,
            cors_request_headers,
            jobs,
            job_context,
            job_finished,
            job_housekeeping,
            redis_failed,
            soft_deleted_tables,
            ai_providers,
            ai_answered,
            email_outbox,
            email_templates,
            user_created,
            test_modules,
            test_env,
            ci_test_steps,
            local_issuer,
            make_targets,
            processes,
            compose_services,
            compose_volumes,
            compose_env,
            readme,
            openapi,
        } = other;
        self.lib_modules.extend_from_slice(lib_modules);
        self.settings.extend_from_slice(settings);
        self.state.extend_from_slice(state);
        self.routes.extend_from_slice(routes);
        self.signed_in_layers.extend_from_slice(signed_in_layers);
        self.signed_in_docs.extend_from_slice(signed_in_docs);
        self.router_middleware.extend_from_slice(router_middleware);
        self.startup_tasks.extend_from_slice(startup_tasks);
        self.main_uses.extend_from_slice(main_uses);
        self.main_setup.extend_from_slice(main_setup);
        self.commands.extend_from_slice(commands);
        self.telemetry_layers.extend_from_slice(telemetry_layers);
        self.request_span.extend_from_slice(request_span);
        self.outgoing_headers.extend_from_slice(outgoing_headers);
        // Two units may read the same header (two tracing tools and `baggage`, say); the
        // preflight's answer names it once.
        for header in cors_request_headers {
            if !self.cors_request_headers.contains(header) {
                self.cors_request_headers.push(header.clone());
            }
        }
        self.jobs.extend_from_slice(jobs);
        self.job_context.extend_from_slice(job_context);
        self.job_finished.extend_from_slice(job_finished);
        self.job_housekeeping.extend_from_slice(job_housekeeping);
        self.redis_failed.extend_from_slice(redis_failed);
        self.soft_deleted_tables
            .extend_from_slice(soft_deleted_tables);
        self.ai_providers.extend_from_slice(ai_providers);
        self.ai_answered.extend_from_slice(ai_answered);
        self.email_outbox.extend_from_slice(email_outbox);
        self.email_templates.extend_from_slice(email_templates);
        self.user_created.extend_from_slice(user_created);
        self.test_modules.extend_from_slice(test_modules);
        self.test_env.extend_from_slice(test_env);
        self.ci_test_steps.extend_from_slice(ci_test_steps);
        self.local_issuer.extend_from_slice(local_issuer);
        self.make_targets.extend_from_slice(make_targets);
        self.processes.extend_from_slice(processes);
        self.compose_services.extend_from_slice(compose_services);
        self.compose_volumes.extend_from_slice(compose_volumes);
        self.compose_env.extend_from_slice(compose_env);
        self.readme.extend_from_slice(readme);
        self.openapi.extend_from_slice(openapi);
    }

    /// Fills the fields derived from declared ones (enum variants, YAML scalars).
    pub(crate) fn derive(&mut self) {
        for command in &mut self.commands {
            command.variant = upper_camel(&command.name);
        }
        for value in &mut self.compose_env {
            value.yaml = yaml_scalar(&value.value);
        }
    }
}

/// A field of `Config`: `<name>: <type>`, loaded with `<type>::from_env(&mut env)`.
///
/// `src/config/<name>.rs` defines `pub struct <type>`; the unit that declares the group ships
/// that file, or each of its providers does when the group belongs to a module's shared part.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsGroup {
    /// The field of `Config`, which is also the file under `src/config/`.
    pub name: String,
    /// The struct the file defines.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The field's doc comment, one sentence.
    pub doc: String,
}

/// A field of the application state and the expression that fills it in `Application::build`
/// (where `config` is still the owned `Config` and `redis` the connection).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StateField {
    /// The field's name.
    pub name: String,
    /// Its Rust type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The expression that initialises it.
    pub init: String,
    /// The field's doc comment, one sentence.
    pub doc: String,
}

/// A router merged into one of the route groups.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The group it joins.
    pub group: RouteGroup,
    /// An expression of type `OpenApiRouter<AppState>`, such as `crate::projects::app_routes()`.
    pub router: String,
}

/// The route groups of a generated project, each with its own rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteGroup {
    /// Routes anyone may call.
    Public,
    /// Routes for signed-in users.
    App,
    /// Routes for administrators.
    Admin,
}

/// A subcommand of the generated binary: `<binary> <name>` calls `<function>(config)`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Subcommand {
    /// The word on the command line, a lowercase Rust identifier.
    pub name: String,
    /// The `async fn(Config) -> anyhow::Result<()>` it runs, as a path from a `main-uses` module.
    pub function: String,
    /// Its line in the usage text.
    pub help: String,
    /// The name as an enum variant (derived from `name`).
    #[serde(skip_deserializing)]
    pub variant: String,
}

/// Context a job carries, as text entries stored with it, from where it is enqueued to the
/// span of its run (the enqueuing request's trace).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JobContext {
    /// Path of a `fn(&mut HashMap<String, String>)` that writes the entries as the job is
    /// enqueued, in the enqueuing code's span.
    pub enqueue: String,
    /// Path of a `fn(&tracing::Span, &HashMap<String, String>)` that reads them on the job's
    /// span as the worker makes it, before anything enters it.
    pub span: String,
}

/// A background job: `src/jobs/<file>.rs` defines `pub struct <type>`, implementing `Job`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    /// The module under `src/jobs/`.
    pub file: String,
    /// The job's type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Whether workers also enqueue it on a schedule (the type implements `Default` and has an
    /// `EVERY: Duration` constant).
    #[serde(default)]
    pub scheduled: bool,
}

/// An LLM provider of the AI gateway: `src/ai/<name>.rs` defines `pub struct <type>`,
/// implementing `LlmProvider`, with `fn from_config(&Config) -> anyhow::Result<Option<Self>>`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AiProvider {
    /// The provider's name, which is also its module under `src/ai/`.
    pub name: String,
    /// The type implementing `LlmProvider`.
    #[serde(rename = "type")]
    pub type_name: String,
}

/// An environment variable set to a fixed value (in the tests, or in compose's app containers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnvValue {
    /// The variable.
    pub name: String,
    /// Its value.
    pub value: String,
    /// The value as a YAML scalar, quoted where YAML would read it as something else than a
    /// string (derived from `value`).
    #[serde(skip_deserializing)]
    pub yaml: String,
}

/// A step of the CI workflow's test job.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CiStep {
    /// The step's name.
    pub name: String,
    /// Environment variables of the step.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The shell script it runs.
    pub run: String,
}

/// An identity provider on this machine that the app trusts once `settings` are set: the
/// signed-in end-to-end tests start one, sign their own tokens and run the app with them.
///
/// It serves its OpenID Connect discovery document and its keys under `issuer`
/// (`<issuer>/.well-known/openid-configuration` and `<issuer>/.well-known/jwks.json`) and signs
/// RS256 tokens with `iss`, `sub`, `email`, `iat`, `exp` and `claims`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LocalIssuer {
    /// The `iss` of its tokens: `http://127.0.0.1:<port>`, maybe with a path, the port it
    /// listens on.
    pub issuer: String,
    /// The other claims the provider's verification requires, such as `aud`.
    #[serde(default)]
    pub claims: BTreeMap<String, String>,
    /// The app's settings that make it trust the issuer: environment variables the unit declares.
    pub settings: BTreeMap<String, String>,
}

/// A target of the generated Makefile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MakeTarget {
    /// The target's name.
    pub name: String,
    /// Its line in `make help`.
    pub help: String,
    /// The recipe's commands, one per line.
    pub recipe: Vec<String>,
    /// Whether `make deploy` runs it (one per deploy target).
    #[serde(default)]
    pub deploy: bool,
}

/// A service of `docker-compose.yml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ComposeService {
    /// The service's name.
    pub name: String,
    /// Its definition: the YAML below `<name>:`, unindented.
    pub body: String,
}

/// Markdown a unit adds to one part of the generated README.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReadmeText {
    /// Where it goes.
    pub part: ReadmePart,
    /// The Markdown; it may use the render context (`{{ project.name }}`, `deploy_env`, ...).
    pub text: String,
}

/// The parts of the generated README that units add to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadmePart {
    /// List items (`- ...`) of "HTTP surface" saying who may call the app and admin routes;
    /// with none, the README says that those routes are open to anyone.
    Access,
    /// Sections after "HTTP surface", each starting with its heading (`## `, or `### ` for a
    /// subsection of the one before): what a module's routes do and how a client uses them.
    Api,
    /// Sections of the deploy part, each starting with its heading.
    Deploy,
}

/// `value` as a plain YAML scalar, or double-quoted when YAML would read the plain one as a
/// boolean, a number or null.
fn yaml_scalar(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    let special = matches!(
        lower.as_str(),
        "" | "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    );
    if special || value.parse::<f64>().is_ok() {
        format!("\"{value}\"")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking_for(headers: &[&str]) -> Contributions {
        Contributions {
            cors_request_headers: headers.iter().map(|h| h.to_string()).collect(),
            ..Contributions::default()
        }
    }

    #[test]
    fn a_cors_request_header_two_units_ask_for_is_allowed_once() {
        let mut adds = asking_for(&["traceparent", "baggage"]);

        adds.extend(&asking_for(&["sentry-trace", "baggage"]));

        assert_eq!(
            adds.cors_request_headers,
            ["traceparent", "baggage", "sentry-trace"]
        );
    }
}
