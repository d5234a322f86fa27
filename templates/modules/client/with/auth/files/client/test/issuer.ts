import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";

/** What the local identity provider puts in its tokens. */
export interface IssuerOptions {
  /** The `iss` of its tokens, `http://127.0.0.1:<port>` maybe with a path: it listens on that port. */
  readonly issuer: string;
  /** The other claims the app's verification requires, such as `aud`. */
  readonly claims: Readonly<Record<string, string>>;
}

/** Whom a token signs in. */
export interface User {
  /** The provider's id for the user. */
  readonly sub: string;
  /** Their email address, which the app stores with their row. */
  readonly email: string;
}

/**
 * An OpenID Connect provider on this machine: it serves its discovery document and its public
 * key under the issuer's URL, and signs RS256 access tokens with the private one, so that the
 * app verifies them exactly as it verifies the real provider's.
 */
export class LocalIssuer {
  private constructor(
    private readonly options: IssuerOptions,
    private readonly server: Server,
    private readonly key: KeyObject,
    private readonly keyId: string,
  ) {}

  /** Generates a key pair and serves the public key until {@link close}. */
  static async start(options: IssuerOptions): Promise<LocalIssuer> {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyId = randomUUID();
    const url = new URL(options.issuer);
    const documents = new Map<string, unknown>([
      [
        `${url.pathname.replace(/\/$/, "")}/.well-known/openid-configuration`,
        { issuer: options.issuer, jwks_uri: `${options.issuer}/.well-known/jwks.json` },
      ],
      [
        `${url.pathname.replace(/\/$/, "")}/.well-known/jwks.json`,
        { keys: [{ ...publicKey.export({ format: "jwk" }), kid: keyId, alg: "RS256", use: "sig" }] },
      ],
    ]);
    const server = createServer((request, response) => {
      const document = request.method === "GET" ? documents.get(request.url ?? "") : undefined;
      if (document === undefined) {
        response.writeHead(404).end();
      } else {
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify(document));
      }
    });
    server.listen(Number(url.port), url.hostname);
    // Rejects when the port is taken, with the error that says so.
    await once(server, "listening");
    return new LocalIssuer(options, server, privateKey, keyId);
  }

  /** An access token of `user`, valid for an hour. */
  token(user: User): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", kid: this.keyId };
    const claims = {
      ...this.options.claims,
      iss: this.options.issuer,
      sub: user.sub,
      email: user.email,
      iat: now,
      exp: now + 3600,
    };
    const signed = `${encode(header)}.${encode(claims)}`;
    return `${signed}.${sign("sha256", Buffer.from(signed), this.key).toString("base64url")}`;
  }

  /** Stops serving the key. */
  async close(): Promise<void> {
    this.server.close();
    await once(this.server, "close");
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
