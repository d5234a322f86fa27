import createClient, { type Client } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** The API's client: `api.GET("/health")`, typed by `openapi.json`. */
export type Api = Client<paths>;

/** The body of the API's error envelope. */
export type ErrorBody = components["schemas"]["ErrorBody"];

/** One invalid field of a request, and what is wrong with it. */
export type FieldError = components["schemas"]["FieldError"];

/** How to reach the API. */
export interface ApiOptions {
  /** The API's origin, such as `https://api.example.com`; paths start with `/api/v1` or `/health`. */
  baseUrl: string;
  /** The signed-in user's access token, asked for before each request; none sends no `Authorization`. */
  token?: () => string | null | undefined | Promise<string | null | undefined>;
  /** The `fetch` to use; the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Every answer outside 2xx: the API's JSON error envelope as one typed error.
 *
 * Match on `status` or `code`, never on `message`, which is for people.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** Stable and machine-readable, such as `validation_failed` or `not_found`. */
    readonly code: string,
    message: string,
    /** The request's `x-request-id`, to quote when reporting a problem. */
    readonly requestId: string | undefined,
    /** Each invalid field, on a 422 about named fields. */
    readonly fields: readonly FieldError[],
  ) {
    super(message);
  }

  /** Reads an error response; a body that is not the envelope (a proxy's page) keeps the status. */
  static async from(response: Response): Promise<ApiError> {
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const text = await response.text();
    const body = parseEnvelope(text);
    if (body === undefined) {
      const message = text.trim() || response.statusText || `HTTP ${response.status}`;
      return new ApiError(response.status, "unexpected_response", message, requestId, []);
    }
    return new ApiError(
      response.status,
      body.code,
      body.message,
      body.request_id ?? requestId,
      body.fields ?? [],
    );
  }

  /** What is wrong with `field`, when the API named it. */
  field(field: string): string | undefined {
    return this.fields.find((error) => error.field === field)?.message;
  }
}

function parseEnvelope(text: string): ErrorBody | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || !("error" in value)) {
    return undefined;
  }
  const body: unknown = value.error;
  if (
    typeof body !== "object" ||
    body === null ||
    !("code" in body) ||
    typeof body.code !== "string" ||
    !("message" in body) ||
    typeof body.message !== "string"
  ) {
    return undefined;
  }
  return body as ErrorBody;
}

/**
 * A client of the API at `baseUrl`, sending the bearer token that `token` gives.
 *
 * Answers outside 2xx reject with an {@link ApiError}, so a resolved call always holds `data`.
 */
export function createApi({ baseUrl, token, fetch }: ApiOptions): Api {
  const api = createClient<paths>({ baseUrl, ...(fetch === undefined ? {} : { fetch }) });
  api.use({
    async onRequest({ request }) {
      const value = await token?.();
      if (value) {
        request.headers.set("Authorization", `Bearer ${value}`);
      }
      return request;
    },
    async onResponse({ response }) {
      if (!response.ok) {
        throw await ApiError.from(response);
      }
      return response;
    },
  });
  return api;
}
