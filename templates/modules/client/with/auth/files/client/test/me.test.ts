import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../src/index.js";
import { api } from "./api.js";
import { token } from "./token.js";

test("a signed-in user reads their own typed profile", async () => {
  const { data } = await api(token()).GET("/api/v1/me");
  assert.ok(data?.id, "the user has a row");
  assert.ok(data.external_id, "the token's subject");
});

test("a request without a token rejects with the typed 401", async () => {
  await assert.rejects(api().GET("/api/v1/me"), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.equal(error.code, "unauthorized");
    return true;
  });
});
