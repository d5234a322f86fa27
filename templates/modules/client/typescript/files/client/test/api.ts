import { createApi, type Api } from "../src/index.js";

/** The running app's origin: `API_URL`, or the port `make run` serves on. */
export const baseUrl = process.env["API_URL"] ?? "http://127.0.0.1:8080";

/** A client of the running app, signed in with `token` when one is given. */
export function api(token?: string): Api {
  return createApi({ baseUrl, token: () => token });
}
