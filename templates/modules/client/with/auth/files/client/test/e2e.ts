// Runs every end-to-end test signed in, as CI does: starts the local identity provider, then the
// app (the command given, run from the project's root, listening on the port of `API_URL` and
// set to trust that provider), waits until it is ready, runs the tests with a token of that
// provider in `API_TOKEN`, then stops both. Fails when a test fails or is skipped.
//
//   node dist/test/e2e.js cargo run --quiet -- serve
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

import { baseUrl } from "./api.js";
import { identityProvider } from "./identity.js";
import { LocalIssuer } from "./issuer.js";

/** How long the app may take to be ready: `cargo run` may still be compiling it. */
const READY_WITHIN_MS = 300_000;

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error("usage: node dist/test/e2e.js <command that serves the app>...");
  process.exit(2);
}
const tests = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../../..", import.meta.url));

const issuer = await LocalIssuer.start(identityProvider);
const app = spawn(command, args, {
  cwd: root,
  env: { ...process.env, PORT: new URL(baseUrl).port || "80", ...identityProvider.settings },
  stdio: ["ignore", "pipe", "pipe"],
});
// Shown only when something fails: the app's log explains a refused token.
const log: Buffer[] = [];
app.stdout.on("data", (chunk: Buffer) => log.push(chunk));
app.stderr.on("data", (chunk: Buffer) => log.push(chunk));
const exited = once(app, "exit");

try {
  await ready();
  process.env["API_TOKEN"] = issuer.token({ sub: "e2e-user", email: "e2e-user@example.com" });
  const files = readdirSync(tests)
    .filter((name) => name.endsWith(".test.js"))
    .map((name) => join(tests, name));
  let failed = 0;
  let skipped = 0;
  const stream = run({ files });
  stream.on("test:fail", () => (failed += 1));
  stream.on("test:pass", (test) => {
    if (test.skip !== undefined || test.todo !== undefined) {
      skipped += 1;
    }
  });
  for await (const chunk of stream.compose(new spec())) {
    process.stdout.write(chunk);
  }
  if (failed > 0 || skipped > 0) {
    process.exitCode = 1;
    if (skipped > 0) {
      console.error(`${skipped} test(s) skipped: every end-to-end test must run here.`);
    }
    process.stderr.write(Buffer.concat(log));
  }
} catch (error) {
  process.exitCode = 1;
  console.error(error instanceof Error ? error.message : error);
  process.stderr.write(Buffer.concat(log));
} finally {
  app.kill("SIGTERM");
  await exited;
  await issuer.close();
}

/** Waits until the app answers its readiness probe; fails when it exits or takes too long. */
async function ready(): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (app.exitCode !== null || app.signalCode !== null) {
      throw new Error(`\`${[command, ...args].join(" ")}\` exited before the app was ready`);
    }
    const answer = await fetch(`${baseUrl}/health/ready`).catch(() => undefined);
    if (answer?.ok) {
      return;
    }
    await sleep(500);
  }
  throw new Error(`the app did not answer ${baseUrl}/health/ready within ${READY_WITHIN_MS} ms`);
}
