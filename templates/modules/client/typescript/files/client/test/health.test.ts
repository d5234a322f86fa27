import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../src/index.js";
import { api, baseUrl } from "./api.js";

test("the liveness probe answers with its typed body", async () => {
  const { data } = await api().GET("/health");
  assert.equal(data?.status, "ok");
});

test("the readiness probe finds PostgreSQL and Redis up", async () => {
  const { data } = await api().GET("/health/ready");
  assert.equal(data?.status, "ready");
});

test("a route the app does not have rejects with the typed error and its request id", async () => {
  const missing = api().GET("/health", { baseUrl: `${baseUrl}/no-such-prefix` });
  await assert.rejects(missing, (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 404);
    assert.equal(error.code, "not_found");
    assert.ok(error.requestId, "the error carries the request id");
    return true;
  });
});
