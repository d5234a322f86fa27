// Writes src/schema.d.ts from ../openapi.json with openapi-typescript; with `--check`, writes
// nothing and fails when the file differs from what the document gives.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const document = join(root, "..", "openapi.json");
const committed = join(root, "src", "schema.d.ts");
const generator = join(root, "node_modules", "openapi-typescript", "bin", "cli.js");

/** Runs openapi-typescript on the document, writing `output`. */
function generate(/** @type {string} */ output) {
  execFileSync(process.execPath, [generator, document, "--output", output], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

if (process.argv.includes("--check")) {
  const scratch = mkdtempSync(join(tmpdir(), "schema-"));
  try {
    const fresh = join(scratch, "schema.d.ts");
    generate(fresh);
    /** @type {string | undefined} */
    let current;
    try {
      current = readFileSync(committed, "utf8");
    } catch {
      current = undefined;
    }
    if (current !== readFileSync(fresh, "utf8")) {
      console.error(
        "client/src/schema.d.ts is stale: openapi.json changed since it was generated. Run `make client`.",
      );
      process.exitCode = 1;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  generate(committed);
}
