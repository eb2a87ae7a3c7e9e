// A real OAuth 2.1 authorization server: better-auth with @better-auth/oauth-provider and the jwt
// plugin, on loopback HTTP, for tests/oauth.rs. RESOURCE (env) is the API the tokens are for.
//
// Every flow goes over HTTP to the server below, as a client would: sign-up, the session JWT of
// /api/auth/token, client_credentials at /api/auth/oauth2/token, and the authorization code flow
// with PKCE (S256) of a signed-in user (authorize -> consent -> token; no browser needed).
// Registering the clients (a confidential one, a public one) and linking them to the resources
// is an admin's job, done with the server's own API.
//
// Prints one line, `FIXTURE {...}`, then serves the JWKS until stdin closes:
//   origin                 Better Auth's baseURL (its JWKS at {origin}/api/auth/jwks)
//   issuer                 the access tokens' `iss` ({origin}/api/auth)
//   users                  {alice, bob}: user ids
//   session                {alice}: the session JWT of /api/auth/token (aud = origin)
//   service                client_credentials tokens of the confidential client:
//                          {stats: scope tasks:stats, read: scope tasks:read, other_resource:
//                          scope tasks:stats for another resource}
//   delegated              authorization-code tokens of the public client (PKCE):
//                          {alice_read: tasks:read, alice_write: tasks:read tasks:write,
//                          alice_write_only: tasks:write,
//                          bob_read: tasks:read, alice_openid: {access_token, id_token} with
//                          openid tasks:read}
//   clients                {confidential, public}: client ids

import http from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { jwt } from "better-auth/plugins";
import { oauthProvider } from "@better-auth/oauth-provider";

const resource = process.env.RESOURCE;
if (!resource) {
  console.error("RESOURCE is required: the API the access tokens are for");
  process.exit(2);
}
const otherResource = "https://other.example/api";
const redirectUri = "http://127.0.0.1:1/callback";

// Every request is handed to Better Auth, its body included.
let handler = async () => new Response("starting", { status: 503 });
const server = http.createServer(async (req, res) => {
  try {
    const { port } = server.address();
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const response = await handler(
      new Request(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers: req.headers, body }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end(String(error));
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const tables = [
  "user", "session", "account", "verification", "jwks",
  "oauthClient", "oauthResource", "oauthClientResource", "oauthAccessToken", "oauthRefreshToken",
  "oauthConsent", "oauthClientAssertion",
];
const auth = betterAuth({
  baseURL: origin,
  secret: randomBytes(32).toString("hex"),
  database: memoryAdapter(Object.fromEntries(tables.map((table) => [table, []]))),
  emailAndPassword: { enabled: true },
  plugins: [
    jwt(),
    oauthProvider({
      loginPage: "/login",
      consentPage: "/consent",
      scopes: ["openid", "profile", "email", "offline_access", "tasks:read", "tasks:write", "tasks:stats"],
      resources: [resource, otherResource],
      clientPrivileges: () => true,
    }),
  ],
  logger: { disabled: true },
});
handler = (request) => auth.handler(request);

async function call(path, init = {}) {
  const response = await fetch(origin + path, { redirect: "manual", ...init });
  return response;
}

async function json(path, init) {
  const response = await call(path, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Signs a user up over HTTP; returns their id and session cookie. */
async function signUp(name) {
  const response = await call("/api/auth/sign-up/email", {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ email: `${name}@example.com`, password: `password-of-${name}`, name }),
  });
  if (!response.ok) throw new Error(`sign-up ${name}: ${response.status} ${await response.text()}`);
  const { user } = await response.json();
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return { id: user.id, cookie };
}

function form(fields) {
  return { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) };
}

const alice = await signUp("alice");
const bob = await signUp("bob");
const admin = new Headers({ cookie: alice.cookie });

// The clients, registered by an admin and linked to the resources they may ask tokens for.
const confidential = await auth.api.adminCreateOAuthClient({
  headers: admin,
  body: {
    client_name: "stats service",
    grant_types: ["client_credentials"],
    token_endpoint_auth_method: "client_secret_post",
    scope: "tasks:stats tasks:read",
    client_credentials_scopes: ["tasks:stats", "tasks:read"],
  },
});
const publicClient = await auth.api.adminCreateOAuthClient({
  headers: admin,
  body: {
    client_name: "tasks app",
    application_type: "native",
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    redirect_uris: [redirectUri],
    scope: "openid tasks:read tasks:write",
  },
});
for (const client of [confidential, publicClient]) {
  for (const identifier of [resource, otherResource]) {
    await auth.api.adminLinkClientResource({ headers: admin, params: { identifier, client_id: client.client_id } });
  }
}

async function clientCredentials(scope, forResource) {
  const token = await json("/api/auth/oauth2/token", form({
    grant_type: "client_credentials",
    client_id: confidential.client_id,
    client_secret: confidential.client_secret,
    scope,
    resource: forResource,
  }));
  return token.access_token;
}

/** The authorization code flow with PKCE for a signed-in user, over HTTP. */
async function authorizationCode(user, scope) {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const query = new URLSearchParams({
    response_type: "code",
    client_id: publicClient.client_id,
    redirect_uri: redirectUri,
    scope,
    state: randomBytes(8).toString("hex"),
    code_challenge: challenge,
    code_challenge_method: "S256",
    resource,
  });
  // A browser gets a 302 to the consent page; a fetch without `Accept: text/html` gets the
  // same URL as JSON. The test takes either.
  const authorize = await call(`/api/auth/oauth2/authorize?${query}`, { headers: { cookie: user.cookie } });
  const answer = await authorize.text();
  let next = authorize.headers.get("location") ?? (authorize.ok ? JSON.parse(answer).url : null);
  if (next?.startsWith("/consent?")) {
    // The user accepts the scopes (a consent given before for them skips this step).
    const consent = await json("/api/auth/oauth2/consent", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: user.cookie, origin },
      body: JSON.stringify({ accept: true, oauth_query: next.split("?")[1] }),
    });
    next = consent.url ?? consent.redirect_uri;
  }
  if (!next?.startsWith(redirectUri)) throw new Error(`authorize: ${authorize.status} ${answer}`);
  const code = new URL(next).searchParams.get("code");
  if (!code) throw new Error(`consent gave no code: ${JSON.stringify(consent)}`);
  return json("/api/auth/oauth2/token", form({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    client_id: publicClient.client_id,
    code_verifier: verifier,
    resource,
  }));
}

const session = await json("/api/auth/token", { headers: { cookie: alice.cookie } });
const openid = await authorizationCode(alice, "openid tasks:read");

const fixture = {
  origin,
  issuer: `${origin}/api/auth`,
  users: { alice: alice.id, bob: bob.id },
  session: { alice: session.token },
  service: {
    stats: await clientCredentials("tasks:stats", resource),
    read: await clientCredentials("tasks:read", resource),
    other_resource: await clientCredentials("tasks:stats", otherResource),
  },
  delegated: {
    alice_read: (await authorizationCode(alice, "tasks:read")).access_token,
    alice_write: (await authorizationCode(alice, "tasks:read tasks:write")).access_token,
    alice_write_only: (await authorizationCode(alice, "tasks:write")).access_token,
    bob_read: (await authorizationCode(bob, "tasks:read")).access_token,
    alice_openid: { access_token: openid.access_token, id_token: openid.id_token },
  },
  clients: { confidential: confidential.client_id, public: publicClient.client_id },
};
console.log(`FIXTURE ${JSON.stringify(fixture)}`);

// Serve until the test closes stdin.
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
