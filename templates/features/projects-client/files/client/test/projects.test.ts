import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { ApiError } from "../src/index.js";
import { api } from "./api.js";
import { token } from "./token.js";

test("a signed-in user lists their projects", async () => {
  const { data } = await api(token()).GET("/api/v1/projects");
  assert.ok(Array.isArray(data?.items));
});

test("a project with a blank name rejects with a 422 naming the field", async () => {
  const created = api(token()).POST("/api/v1/projects", { body: { name: " " } });
  await assert.rejects(created, (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 422);
    assert.equal(error.code, "validation_failed");
    assert.ok(error.field("name"), "the error names the `name` field");
    return true;
  });
});

test("pages read by cursor hold every project once, oldest first", async () => {
  const client = api(token());
  const prefix = randomUUID();
  const names = [`${prefix} 1`, `${prefix} 2`, `${prefix} 3`];
  for (const name of names) {
    const { data } = await client.POST("/api/v1/projects", { body: { name } });
    assert.equal(data?.name, name);
  }
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const query = cursor === undefined ? { limit: 2 } : { limit: 2, cursor };
    const { data } = await client.GET("/api/v1/projects", { params: { query } });
    assert.ok(data);
    assert.ok(data.items.length <= 2);
    seen.push(...data.items.map((project) => project.name));
    cursor = data.next_cursor ?? undefined;
    pages += 1;
  } while (cursor !== undefined);
  assert.ok(pages >= 2, "three projects take two pages of two");
  assert.deepEqual(
    seen.filter((name) => name.startsWith(prefix)),
    names,
  );
});
