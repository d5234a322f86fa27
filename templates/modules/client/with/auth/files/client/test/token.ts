import assert from "node:assert/strict";

/** A signed-in user's access token, which the running app accepts: `API_TOKEN`. */
export function token(): string {
  const value = process.env["API_TOKEN"];
  assert.ok(value, "set API_TOKEN to an access token that the running app accepts");
  return value;
}
