//! The product test: generated projects build, lint clean and pass their own tests against the
//! real PostgreSQL and Redis of this machine.
//!
//! All generated builds share one target directory (`target/generated`), so dependencies
//! compile once per machine rather than once per project.
//!
//! moto, openapi-spec-validator and schemathesis come from the project's own venv, which the
//! first of them installs (`tests/tools`).

mod tools;

use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use omnistack::answers::{Answers, AnswersFile};
use omnistack::catalogue::Catalogue;
use omnistack::name::ProjectName;

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL: &str = "redis://127.0.0.1:6379";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Fails (never skips) when a service the generated tests need is down, saying how to start it.
fn require_service(name: &str, addr: &str, how: &str) {
    let reachable = addr
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
    assert!(
        reachable,
        "{name} is not reachable at {addr}; the generated projects' tests need it. Start it with:\n  {how}"
    );
}

fn require_services() {
    require_service(
        "PostgreSQL",
        "127.0.0.1:5432",
        "pg_ctlcluster $(ls /etc/postgresql) main start   (or: apt-get install -y postgresql)",
    );
    require_service(
        "Redis",
        "127.0.0.1:6379",
        "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
    );
    // Reachable is not enough: Debian's PostgreSQL asks local TCP clients for a password.
    let login = tools::system_command("psql", "sudo apt-get install -y postgresql-client")
        .args([
            DATABASE_URL,
            "--no-password",
            "--quiet",
            "--command",
            "SELECT 1",
        ])
        .output()
        .expect("psql runs");
    assert!(
        login.status.success(),
        "PostgreSQL refuses {DATABASE_URL} without a password: {}The tests need `trust` for \
         127.0.0.1 on this test server. Allow it with:\n  sudo sed -i -E \
         's/^(host\\s+all\\s+all\\s+127\\.0\\.0\\.1\\/32\\s+)\\S+/\\1trust/' \
         /etc/postgresql/*/main/pg_hba.conf && sudo pg_ctlcluster $(ls /etc/postgresql) main reload",
        String::from_utf8_lossy(&login.stderr)
    );
}

/// Renders the preset `examples/<preset>.toml` (its modules and resources) as the project `name`
/// into `target/generated/<preset>`.
fn generate(preset: &str, name: &str) -> PathBuf {
    let catalogue = Catalogue::embedded().unwrap();
    let file =
        AnswersFile::read(&catalogue, &repo().join(format!("examples/{preset}.toml"))).unwrap();
    let name = ProjectName::parse(name).unwrap();
    let mut answers =
        Answers::complete(&catalogue, name, &file.choices, |_| Ok::<_, ()>(None)).unwrap();
    // As `new --preset` does: the preset's resources, and the versions it records.
    answers.resources = file.resources;
    answers.migrations = file.migrations;
    let tree = omnistack::generate(&catalogue, &answers).unwrap();
    let dir = repo().join("target/generated").join(preset);
    // Rewrite in place (rather than a fresh temp dir) so cargo's fingerprints stay warm between runs.
    if dir.exists() {
        std::fs::remove_dir_all(dir.join("src")).ok();
        std::fs::remove_dir_all(dir.join("tests")).ok();
        std::fs::remove_dir_all(dir.join("migrations")).ok();
    }
    for (path, bytes) in &tree.files {
        let dest = dir.join(path);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }
    dir
}

/// An S3-compatible server (moto, which checks no signatures) on a free port, for the generated
/// projects' opt-in round trip through presigned URLs; stopped when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
}

impl S3Server {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = tools::command("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("moto_server does not start: {error}"));
        let server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cargo(project: &Path, args: &[&str]) {
    cargo_with(project, args, &[]);
}

/// Runs cargo in `project`, failing on an error or a warning; returns what it printed on stdout.
fn cargo_with(project: &Path, args: &[&str], envs: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO"))
        .current_dir(project)
        .args(args)
        .env("CARGO_TARGET_DIR", repo().join("target/generated/target"))
        .env("DATABASE_URL", DATABASE_URL)
        .env("REDIS_URL", REDIS_URL)
        .envs(envs.iter().copied())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`cargo {}` failed in {}:\n{}\n{}",
        args.join(" "),
        project.display(),
        String::from_utf8_lossy(&output.stdout),
        stderr
    );
    assert!(
        !stderr.contains("warning:"),
        "`cargo {}` warned in {}:\n{stderr}",
        args.join(" "),
        project.display()
    );
    String::from_utf8(output.stdout).expect("cargo prints UTF-8")
}

/// Builds, lints and tests the preset's project, then checks the running app against its
/// OpenAPI document.
fn builds_lints_and_passes_its_tests(preset: &str, name: &str) {
    require_services();
    let project = generate(preset, name);
    passes_every_check(&project);
    let app = RunningApp::start(&project, name);
    conforms_to_its_openapi_document(&app, name);
}

/// What the generated project's own CI checks: format, build, clippy with warnings denied, tests.
fn passes_every_check(project: &Path) {
    cargo(project, &["fmt", "--check"]);
    cargo(project, &["build", "--all-targets"]);
    cargo(
        project,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
    );
    its_openapi_document_validates(project);
    // Opt-in tests too: the ones that need an S3-compatible server get one.
    let s3 = S3Server::start();
    cargo_with(
        project,
        &["test", "--", "--include-ignored"],
        &[("S3_TEST_ENDPOINT", &s3.endpoint)],
    );
}

/// The document that the project's `openapi` command prints passes an independent validator
/// of OpenAPI 3.1 (the project's own tests check that it matches what the routes do).
fn its_openapi_document_validates(project: &Path) {
    let document = cargo_with(project, &["run", "--quiet", "--", "openapi"], &[]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, document).unwrap();
    let output = tools::command("openapi-spec-validator")
        .arg(&path)
        .output()
        .unwrap_or_else(|error| panic!("openapi-spec-validator does not run: {error}"));
    assert!(
        output.status.success(),
        "the OpenAPI document of {} is invalid:\n{}{}",
        project.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_minimal_preset_builds_lints_clean_and_passes_its_own_tests() {
    // A name that sorts after every dependency: rustfmt orders `use` lines, and the crate's own
    // imports must stay in place whatever the name.
    builds_lints_and_passes_its_tests("minimal", "zz-minimal");
    its_openapi_json_check_fails_until_make_openapi(&repo().join("target/generated/minimal"));
}

/// Puts a file back as it was when dropped, whatever the test did meanwhile.
struct Restore {
    path: PathBuf,
    text: String,
}

impl Restore {
    fn new(path: PathBuf) -> Self {
        let text = std::fs::read_to_string(&path).unwrap();
        Self { path, text }
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.path, &self.text);
    }
}

/// The generated drift check: once a handler's annotation changes, the project's tests fail
/// naming `make openapi`, and pass again once the document is written as that target does.
fn its_openapi_json_check_fails_until_make_openapi(project: &Path) {
    let handler = Restore::new(project.join("src/routes/health.rs"));
    let committed = Restore::new(project.join("openapi.json"));
    let changed = handler.text.replacen(
        r#"description = "The process is up""#,
        r#"description = "The process is running""#,
        1,
    );
    assert_ne!(
        changed, handler.text,
        "the liveness probe's annotation moved"
    );
    std::fs::write(&handler.path, changed).unwrap();

    let stale = Command::new(env!("CARGO"))
        .current_dir(project)
        .args(["test", "--lib", "openapi_json"])
        .env("CARGO_TARGET_DIR", repo().join("target/generated/target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let printed = String::from_utf8_lossy(&stale.stdout);
    assert!(
        !stale.status.success() && printed.contains("openapi.json is stale"),
        "the drift check passed with a changed annotation:\n{printed}"
    );
    assert!(printed.contains("The process is running"), "{printed}");
    assert!(printed.contains("make openapi"), "{printed}");

    // `make openapi` is `cargo run -- openapi > openapi.json`.
    let document = cargo_with(project, &["run", "--quiet", "--", "openapi"], &[]);
    std::fs::write(&committed.path, document).unwrap();
    cargo(project, &["test", "--lib", "openapi_json"]);
}

/// The `saas` preset, then the same project without its example, `projects`: with auth, jobs
/// and the client but no resource, it has no purge job, no reports and no client tests of
/// projects, and stays clean. One project for both, so that the second build is incremental.
#[test]
fn the_saas_preset_builds_lints_clean_and_passes_its_own_tests_with_and_without_its_example() {
    require_services();
    let project = new_from_preset("saas", "saas");
    passes_every_check(&project);
    let app = RunningApp::start(&project, "saas");
    conforms_to_its_openapi_document(&app, "saas");
    its_typescript_client_installs_type_checks_and_passes_end_to_end(&project, &app);
    its_client_staleness_check_fails_until_make_client(&project);
    drop(app);

    // The build wrote `Cargo.lock`, which a project commits.
    commit_everything(&project, "Build");
    omnistack(&project, &["remove", "resource", "projects", "--quiet"]);
    for gone in [
        "src/projects",
        "src/reports",
        "src/jobs/purge_soft_deleted.rs",
    ] {
        assert!(!project.join(gone).exists(), "{gone} is still there");
    }
    passes_every_check(&project);
}

#[test]
fn the_ai_app_preset_builds_lints_clean_and_passes_its_own_tests() {
    builds_lints_and_passes_its_tests("ai-app", "ai-app");
}

#[test]
fn the_full_preset_builds_lints_clean_and_passes_its_own_tests() {
    // The longest name allowed: derived identifiers and import lines must still fit.
    builds_lints_and_passes_its_tests("full", "the-full-preset-with-a-forty-letter-name");
}

/// Commits everything in `project`'s working tree, as a user does before the next change.
fn commit_everything(project: &Path, message: &str) {
    for args in [
        &["add", "--all"][..],
        &[
            "-c",
            "user.name=omnistack tests",
            "-c",
            "user.email=tests@localhost",
            "commit",
            "--quiet",
            "--message",
            message,
        ],
    ] {
        let status = Command::new("git")
            .current_dir(project)
            .args(args)
            .env_remove("GIT_INDEX_FILE")
            .status()
            .expect("git runs");
        assert!(status.success(), "`git {}` failed", args.join(" "));
    }
}

/// Runs the omnistack binary in `dir`, failing with its output when it fails.
fn omnistack(dir: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_omnistack"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("omnistack runs");
    assert!(
        output.status.success(),
        "`omnistack {}` failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A new project `name` from `examples/<preset>.toml` by the omnistack binary, with its git
/// repository, in `target/generated/<name>` (any earlier one there removed first).
fn new_from_preset(name: &str, preset: &str) -> PathBuf {
    let parent = repo().join("target/generated");
    std::fs::create_dir_all(&parent).unwrap();
    let project = parent.join(name);
    if project.exists() {
        std::fs::remove_dir_all(&project).unwrap();
    }
    let preset = format!("../../examples/{preset}.toml");
    omnistack(&parent, &["new", name, "--preset", &preset, "--quiet"]);
    project
}

#[test]
fn a_project_changed_by_add_builds_lints_clean_and_passes_its_own_tests() {
    require_services();
    let project = new_from_preset("added", "minimal");
    // One module of each kind: a `one` module that changes Rust code, a `many` one that does not.
    omnistack(
        &project,
        &["add", "db", "--provider", "serverless", "--quiet"],
    );
    // `add` leaves its merge staged for review; a user commits it before the next change.
    commit_everything(&project, "Switch to serverless PostgreSQL");
    omnistack(&project, &["add", "deploy", "--provider", "fly", "--quiet"]);
    passes_every_check(&project);
}

/// Third-party services the app calls: pointed at a closed local port, so that a call fails at
/// once and the app answers the 503 its document promises. (Their requests are checked against
/// fakes by the project's own tests.)
const UNREACHABLE: &str = "http://127.0.0.1:9";

/// Runs `psql` on the local server's `postgres` database.
fn psql(sql: &str) {
    let output = tools::system_command("psql", "sudo apt-get install -y postgresql-client")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            sql,
        ])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "psql -c {sql:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The project's `.env.example`, with what the running app needs here instead.
fn server_env(project: &Path, overrides: &[(&str, String)]) -> Vec<(String, String)> {
    let example = std::fs::read_to_string(project.join(".env.example")).unwrap();
    let mut env: Vec<(String, String)> = example
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| {
            let third_party = key.ends_with("_BASE_URL")
                || matches!(key, "STRIPE_API_BASE" | "SUPABASE_URL" | "OIDC_ISSUER_URL");
            let value = if third_party { UNREACHABLE } else { value };
            (key.to_owned(), value.to_owned())
        })
        .collect();
    for (key, value) in overrides {
        env.retain(|(existing, _)| existing != key);
        env.push(((*key).to_owned(), value.clone()));
    }
    env
}

fn var<'a>(env: &'a [(String, String)], key: &str) -> Option<&'a str> {
    env.iter()
        .find(|(existing, _)| existing == key)
        .map(|(_, value)| value.as_str())
}

/// An admin's access token, where the project's auth lets one be made here: Supabase accepts
/// HS256 tokens signed with `SUPABASE_JWT_SECRET`.
fn admin_token(env: &[(String, String)]) -> Option<String> {
    let secret = var(env, "SUPABASE_JWT_SECRET")?;
    let issuer = format!("{}/auth/v1", var(env, "SUPABASE_URL")?);
    let script = r#"
import base64, hashlib, hmac, json, sys, time
secret, issuer = sys.argv[1:]
encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
now = int(time.time())
claims = {"sub": "schemathesis", "iss": issuer, "aud": "authenticated", "iat": now,
          "exp": now + 3600, "email": "st@example.com", "app_metadata": {"role": "admin"}}
signed = encode({"alg": "HS256", "typ": "JWT"}) + "." + encode(claims)
mac = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()
print(signed + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode())
"#;
    let output = tools::python()
        .args(["-c", script, secret, &issuer])
        .output()
        .expect("the venv's python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap().trim().to_owned())
}

/// The built app, serving until dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The built app with the environment `.env.example` describes, serving on a free port with
/// a database of its own (dropped with it) and an S3-compatible server beside it.
struct RunningApp {
    port: u16,
    /// An admin's access token, where the project's auth lets one be made here.
    token: Option<String>,
    database: String,
    _server: Server,
    _s3: S3Server,
}

impl RunningApp {
    fn start(project: &Path, name: &str) -> Self {
        let database = format!("app_{}", name.replace('-', "_"));
        psql(&format!(
            "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
        ));
        psql(&format!("CREATE DATABASE \"{database}\""));
        let s3 = S3Server::start();
        let bucket_created = tools::python()
            .args([
                "-c",
                "import sys, urllib.request as u; u.urlopen(u.Request(sys.argv[1], method='PUT'))",
            ])
            .arg(format!("{}/uploads", s3.endpoint))
            .status()
            .expect("the venv's python runs");
        assert!(bucket_created.success());
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let env = server_env(
            project,
            &[
                ("HOST", "127.0.0.1".into()),
                ("PORT", port.to_string()),
                (
                    "DATABASE_URL",
                    format!("postgres://postgres@127.0.0.1:5432/{database}"),
                ),
                ("REDIS_URL", REDIS_URL.into()),
                ("RUN_MIGRATIONS", "true".into()),
                ("LOG_FORMAT", "json".into()),
                ("RUST_LOG", "warn".into()),
                ("RATE_LIMIT_PUBLIC", "1000000/60s".into()),
                ("RATE_LIMIT_APP", "1000000/60s".into()),
                ("RATE_LIMIT_ADMIN", "1000000/60s".into()),
                ("RATE_LIMIT_KEY_PREFIX", format!("{database}:rate_limit")),
                ("JOBS_QUEUE", format!("{database}:jobs")),
                ("S3_ENDPOINT", s3.endpoint.clone()),
                ("S3_PATH_STYLE", "true".into()),
            ],
        );
        let binary = repo().join("target/generated/target/debug").join(name);
        let server = Server(
            Command::new(&binary)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .envs(env.iter().map(|(key, value)| (key, value)))
                .current_dir(std::env::temp_dir())
                .stdout(Stdio::null())
                .spawn()
                .unwrap_or_else(|error| panic!("{} does not start: {error}", binary.display())),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{name} did not listen on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            port,
            token: admin_token(&env),
            database,
            _server: server,
            _s3: s3,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        // Not `psql()`, which panics: a panic while a failed test unwinds would abort.
        let _ = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"])
            .arg(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.database
            ))
            .output();
    }
}

/// The running app answers as its OpenAPI document says, under schemathesis: every operation
/// fuzzed (signed in as an admin where a token can be made here), each response's status,
/// content type, headers and body checked against the document, invalid input refused, no
/// 500, and created resources reachable. Only the check that every schema-valid request
/// succeeds is left out: values that the configuration decides (the prices on sale, the
/// largest upload) and `offset` with `cursor` are refused by design.
fn conforms_to_its_openapi_document(app: &RunningApp, name: &str) {
    // It keeps a cache of what it found in its working directory: not in this repository.
    let scratch = tempfile::tempdir().unwrap();
    let mut schemathesis = tools::command("schemathesis");
    schemathesis.current_dir(scratch.path()).args([
        "run",
        &format!("{}/api/v1/openapi.json", app.url()),
        "--checks",
        "all",
        // use_after_free: `POST /projects/{id}/restore` brings a deleted project back by design,
        // and a GET after a DELETE then a restore is no use after free.
        "--exclude-checks",
        "positive_data_acceptance,use_after_free",
        // These call Stripe or an AI provider, which are not here (their answer would be a 5xx);
        // the project's own tests check their requests against fakes.
        "--exclude-path-regex",
        "^/api/v1/(billing/(checkout|portal)|ai/chat(/stream)?)$",
        "--max-examples",
        "20",
        "--seed",
        "1",
    ]);
    if let Some(token) = &app.token {
        schemathesis.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let output = schemathesis
        .output()
        .unwrap_or_else(|error| panic!("schemathesis does not run: {error}"));
    assert!(
        output.status.success(),
        "{name} does not answer as its OpenAPI document says:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `npm <args>` in `client`, failing with its output when it fails; fails (never skips)
/// naming the command that installs Node and npm when they are missing.
fn npm(client: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    tools::system_command("node", "sudo apt-get install -y nodejs npm");
    let output = tools::system_command("npm", "sudo apt-get install -y nodejs npm")
        .current_dir(client)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("npm runs");
    assert!(
        output.status.success(),
        "`npm {}` failed in {}:\n{}{}",
        args.join(" "),
        client.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The generated TypeScript client installs from its lockfile (generating its types from
/// `openapi.json`), type-checks in strict mode and is fresh; then the generated CI's signed-in
/// end-to-end step runs as CI runs it, with the job's and the step's environment (the database
/// and the app's port are this machine's): a local identity provider signs the token that the
/// app, set to trust it, accepts, and every test passes, none skipped.
fn its_typescript_client_installs_type_checks_and_passes_end_to_end(
    project: &Path,
    app: &RunningApp,
) {
    let client = project.join("client");
    npm(&client, &["ci", "--no-audit", "--no-fund"], &[]);
    npm(&client, &["run", "check"], &[]);
    npm(&client, &["run", "stale"], &[]);

    let workflow = std::fs::read_to_string(project.join(".github/workflows/ci.yml")).unwrap();
    let workflow: yaml_serde::Value = yaml_serde::from_str(&workflow).unwrap();
    let job = &workflow["jobs"]["test"];
    let step = job["steps"]
        .as_sequence()
        .expect("the test job has steps")
        .iter()
        .find(|step| {
            step["name"]
                .as_str()
                .is_some_and(|name| name.contains("end to end, signed in"))
        })
        .expect("the CI runs the client's signed-in end-to-end tests");
    let mut env: Vec<(String, String)> = [&job["env"], &step["env"]]
        .into_iter()
        .filter_map(yaml_serde::Value::as_mapping)
        .flatten()
        .map(|(name, value)| {
            let text = |v: &yaml_serde::Value| v.as_str().expect("env is text").to_owned();
            (text(name), text(value))
        })
        .collect();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    for (name, value) in [
        (
            "DATABASE_URL",
            format!("postgres://postgres@127.0.0.1:5432/{}", app.database),
        ),
        ("REDIS_URL", REDIS_URL.to_owned()),
        ("API_URL", format!("http://127.0.0.1:{port}")),
    ] {
        env.retain(|(existing, _)| existing != name);
        env.push((name.to_owned(), value));
    }
    let script = step["run"].as_str().expect("the step runs a script");
    // The script calls `cargo` and `npm` by name: this cargo first, as on the CI's runner.
    let cargo_dir = Path::new(env!("CARGO")).parent().unwrap().to_owned();
    let path = std::env::join_paths(std::iter::once(cargo_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let output = Command::new("bash")
        .current_dir(project)
        // GitHub's shell for `run:` on Linux.
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .envs(env)
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", repo().join("target/generated/target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_file(project.join(".env"));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the CI's signed-in end-to-end step failed:\n{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for name in [
        "liveness probe",
        "lists their projects",
        "422 naming the field",
        "pages read by cursor",
    ] {
        assert!(
            report
                .lines()
                .any(|line| line.contains('✔') && line.contains(name)),
            "no end-to-end test passed `{name}`:\n{report}"
        );
    }
}

/// The client's staleness check fails, naming `make client`, once `openapi.json` changes, and
/// passes again once `make client` regenerated the types.
fn its_client_staleness_check_fails_until_make_client(project: &Path) {
    let client = project.join("client");
    let document = Restore::new(project.join("openapi.json"));
    let changed =
        document
            .text
            .replacen(r#""The process is up""#, r#""The process is running""#, 1);
    assert_ne!(
        changed, document.text,
        "the liveness probe's description moved"
    );
    std::fs::write(&document.path, changed).unwrap();

    let stale = tools::system_command("npm", "sudo apt-get install -y nodejs npm")
        .current_dir(&client)
        .args(["run", "stale"])
        .output()
        .expect("npm runs");
    let printed = String::from_utf8_lossy(&stale.stderr);
    assert!(
        !stale.status.success() && printed.contains("make client"),
        "the staleness check passed with a changed openapi.json:\n{printed}"
    );

    let make = tools::system_command("make", "sudo apt-get install -y make")
        .current_dir(project)
        .arg("client")
        .output()
        .expect("make runs");
    assert!(
        make.status.success(),
        "`make client` failed:\n{}",
        String::from_utf8_lossy(&make.stderr)
    );
    npm(&client, &["run", "stale"], &[]);
    drop(document);
    npm(&client, &["run", "generate"], &[]);
}
