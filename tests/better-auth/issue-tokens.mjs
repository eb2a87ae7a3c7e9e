// Issues real Better Auth tokens for tests/better_auth.rs, and serves the stock instance's
// JWKS over loopback HTTP until stdin closes (the Rust test holds it open).
//
// Prints one line, `FIXTURE {...}`, with:
//   origin, jwks_url          the loopback server (Better Auth's baseURL)
//   alice, bob                stock jwt plugin (EdDSA, JWKS, user id in `sub`): {id, token}
//   expired                   alice, signed by the stock plugin with `exp` in the past
//   carol                     the HS256 sign hook with BETTER_AUTH_SECRET and a `uid` claim
//   algorithms                for ES256, ES512, RS256 and PS256: the stock plugin with
//                             jwks.keyPairConfig.alg set, mounted at /<alg>/api/auth:
//                             {jwks_url, alice, bob, expired}
//   rotation                  a key rotated after 1 s: {jwks_url, before, after}, one user's
//                             token signed by each key; both keys stay in the JWKS
//   session_cache             jwt({ sessionCookieCache: true }): {jwks_url, user, session_data},
//                             the user's access token and the JWT of its session_data cookie
//   roles                     the admin plugin beside the stock jwt plugin, at /roles/api/auth:
//                             {jwks_url, users: {name: {id, token, role}}}: root made admin in the
//                             database (the documented bootstrap), the others given their role
//                             by root through the plugin's own POST /admin/set-role
//   hs256_roles               the admin plugin beside the HS256 sign hook, whose definePayload
//                             copies the user's role, except for users whose app overrides it
//                             (a list, a number, none): {users: {name: {id, token, role}}}
//   orgs                      the organization plugin beside the stock jwt plugin, whose
//                             definePayload adds the session's activeOrganizationId, at
//                             /orgs/api/auth: {jwks_url, members: {name: {id, token, org}}}, each
//                             member's organisation created through POST /organization/create
//                             (which makes it the session's active one); `loner` has none
// GET /fixture/jwks-fetches?client=X answers how many times the JWKS was fetched with
// ?client=X in its URL (so that concurrent tests count only their own fetches).

import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { admin, jwt, organization } from "better-auth/plugins";
import { SignJWT } from "jose";
import { serve } from "./serve.mjs";

const secret = process.env.BETTER_AUTH_SECRET;
if (!secret) {
  console.error("BETTER_AUTH_SECRET is required");
  process.exit(2);
}

const jwksFetches = new Map();
const { origin, setHandler } = await serve((url, res) => {
  const client = url.searchParams.get("client") ?? "";
  if (url.pathname === "/fixture/jwks-fetches") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ count: jwksFetches.get(client) ?? 0 }));
    return true;
  }
  if (url.pathname === "/api/auth/jwks") jwksFetches.set(client, (jwksFetches.get(client) ?? 0) + 1);
  return false;
});

// Every table, or the memory adapter throws "Model X not found".
const memory = () => memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] });

// The stock jwt plugin: EdDSA keys, published at /api/auth/jwks.
const stock = betterAuth({
  baseURL: origin,
  secret,
  database: memory(),
  emailAndPassword: { enabled: true },
  plugins: [jwt()],
  logger: { disabled: true },
});
const algorithms = ["ES256", "ES512", "RS256", "PS256"];
// The same plugin with another key algorithm, one instance per algorithm under its own basePath.
const byAlgorithm = Object.fromEntries(
  algorithms.map((alg) => [
    alg,
    betterAuth({
      baseURL: origin,
      basePath: `/${alg.toLowerCase()}/api/auth`,
      secret,
      database: memory(),
      emailAndPassword: { enabled: true },
      plugins: [jwt({ jwks: { keyPairConfig: { alg } } })],
      logger: { disabled: true },
    }),
  ]),
);
// Key rotation: a key lives 1 s (rotationInterval), then the next token mints a new one; the
// old one stays published for the grace period (30 days by default).
const rotating = betterAuth({
  baseURL: origin,
  basePath: "/rotating/api/auth",
  secret,
  database: memory(),
  emailAndPassword: { enabled: true },
  plugins: [jwt({ jwks: { rotationInterval: 1 } })],
  logger: { disabled: true },
});
// The session cookie cache signed with the JWKS keys (jwt({ sessionCookieCache: true })): its
// better-auth.session_data cookie is a JWT with the same kid as the access tokens.
const cookieCache = betterAuth({
  baseURL: origin,
  basePath: "/cookiecache/api/auth",
  secret,
  database: memory(),
  emailAndPassword: { enabled: true },
  session: { cookieCache: { enabled: true, strategy: "jwt", maxAge: 300 } },
  plugins: [jwt({ sessionCookieCache: true })],
  logger: { disabled: true },
});
// The admin plugin: `role` on the user object, so in the stock token's payload.
const roles = betterAuth({
  baseURL: origin,
  basePath: "/roles/api/auth",
  secret,
  database: memory(),
  emailAndPassword: { enabled: true },
  plugins: [admin(), jwt()],
  logger: { disabled: true },
});
// The organization plugin keeps activeOrganizationId on the session; the app's definePayload
// adds it to the token (the stock payload, the whole user object, beside it).
const orgs = betterAuth({
  baseURL: origin,
  basePath: "/orgs/api/auth",
  secret,
  database: memoryAdapter({
    user: [], session: [], account: [], verification: [], jwks: [],
    organization: [], member: [], invitation: [],
  }),
  emailAndPassword: { enabled: true },
  plugins: [
    organization(),
    jwt({
      jwt: {
        definePayload: ({ user, session }) => ({ ...user, activeOrganizationId: session.activeOrganizationId ?? null }),
      },
    }),
  ],
  logger: { disabled: true },
});
setHandler((request) => {
  const prefix = new URL(request.url).pathname.split("/")[1];
  if (prefix === "rotating") return rotating.handler(request);
  if (prefix === "roles") return roles.handler(request);
  if (prefix === "orgs") return orgs.handler(request);
  if (prefix === "cookiecache") return cookieCache.handler(request);
  return (byAlgorithm[prefix.toUpperCase()] ?? stock).handler(request);
});

// Role claims an app's definePayload writes instead of the admin plugin's string, by email.
const roleOverrides = new Map([
  ["hs-list@example.com", { role: ["user", "admin"] }],
  ["hs-number@example.com", { role: 1 }],
  ["hs-missing@example.com", {}],
]);
// The HS256 sign hook, with the user id in `uid` and the admin plugin's role. The plugin
// refuses a custom `sign` unless jwks.remoteUrl and jwks.keyPairConfig.alg are set too.
const hs256 = betterAuth({
  baseURL: origin,
  secret,
  database: memory(),
  emailAndPassword: { enabled: true },
  logger: { disabled: true },
  plugins: [
    admin(),
    jwt({
      jwks: { remoteUrl: `${origin}/unused`, keyPairConfig: { alg: "EdDSA" } },
      jwt: {
        definePayload: ({ user }) => ({
          uid: user.id,
          email: user.email,
          name: user.name,
          ...(roleOverrides.get(user.email) ?? { role: user.role }),
        }),
        sign: (payload) =>
          new SignJWT(payload)
            .setProtectedHeader({ alg: "HS256", typ: "JWT" })
            .sign(new TextEncoder().encode(secret)),
      },
    }),
  ],
});

async function signUp(auth, name, basePath = "/api/auth", cookies = {}) {
  const { headers, response } = await auth.api.signUpEmail({
    body: { email: `${name}@example.com`, password: "correct-horse-battery-staple", name },
    returnHeaders: true,
  });
  const pairs = headers.getSetCookie().map((c) => c.split(";")[0]);
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    cookies[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const cookie = pairs.join("; ");
  return { id: response.user.id, token: await accessToken(auth, basePath, cookie), cookie };
}

// The session's access token, as a client gets it: GET {basePath}/token with the session cookie.
async function accessToken(auth, basePath, cookie) {
  const tokenResponse = await auth.handler(new Request(`${origin}${basePath}/token`, { headers: { cookie } }));
  if (!tokenResponse.ok) throw new Error(`${basePath}/token answered ${tokenResponse.status}`);
  const { token } = await tokenResponse.json();
  return token;
}

// Users of an instance with the admin plugin: `root` made admin in the database (how the first
// admin is made), then each other user given `role` by root through POST /admin/set-role
// (a list is stored comma-separated by the plugin), and a fresh token minted for each.
async function roleUsers(auth, basePath, prefix, roles) {
  const root = await signUp(auth, `${prefix}root`, basePath);
  const context = await auth.$context;
  await context.internalAdapter.updateUser(root.id, { role: "admin" });
  const users = { root: { id: root.id, token: await accessToken(auth, basePath, root.cookie), role: "admin" } };
  for (const [name, role] of Object.entries(roles)) {
    const user = await signUp(auth, `${prefix}${name}`, basePath);
    if (role !== undefined) {
      const response = await auth.handler(
        new Request(`${origin}${basePath}/admin/set-role`, {
          method: "POST",
          headers: { cookie: root.cookie, "content-type": "application/json", origin },
          body: JSON.stringify({ userId: user.id, role }),
        }),
      );
      if (!response.ok) throw new Error(`set-role ${JSON.stringify(role)} answered ${response.status}: ${await response.text()}`);
    }
    users[name] = { id: user.id, token: await accessToken(auth, basePath, user.cookie), role: role ?? "user" };
  }
  return users;
}

const alice = await signUp(stock, "alice");
const bob = await signUp(stock, "bob");
const carol = await signUp(hs256, "carol");
const nearMisses = { upper: "Admin", spaced: "admin ", longer: "administrator" };
const roleFixture = {
  jwks_url: `${origin}/roles/api/auth/jwks`,
  users: await roleUsers(roles, "/roles/api/auth", "", { multi: ["user", "admin"], plain: undefined, ...nearMisses }),
};
// Each member creates an organisation over HTTP, as a client would; its token then carries it.
const orgMembers = {};
for (const name of ["acme-owner", "globex-owner", "loner"]) {
  const user = await signUp(orgs, name, "/orgs/api/auth");
  let org = null;
  if (name !== "loner") {
    const slug = name.split("-")[0];
    const response = await orgs.handler(
      new Request(`${origin}/orgs/api/auth/organization/create`, {
        method: "POST",
        headers: { cookie: user.cookie, "content-type": "application/json", origin },
        body: JSON.stringify({ name: slug, slug }),
      }),
    );
    if (!response.ok) throw new Error(`organization/create answered ${response.status}: ${await response.text()}`);
    org = (await response.json()).id;
  }
  orgMembers[name] = { id: user.id, token: await accessToken(orgs, "/orgs/api/auth", user.cookie), org };
}
const orgFixture = { jwks_url: `${origin}/orgs/api/auth/jwks`, members: orgMembers };
const hs256Roles = {
  users: await roleUsers(hs256, "/api/auth", "hs-", {
    multi: ["user", "admin"],
    plain: undefined,
    list: undefined,
    number: undefined,
    missing: undefined,
    ...nearMisses,
  }),
};
const now = Math.floor(Date.now() / 1000);
const { token: expired } = await stock.api.signJWT({
  body: { payload: { sub: alice.id, iat: now - 3600, exp: now - 1800 } },
});

const byAlg = {};
for (const alg of algorithms) {
  const auth = byAlgorithm[alg];
  const basePath = `/${alg.toLowerCase()}/api/auth`;
  const first = await signUp(auth, `alice-${alg.toLowerCase()}`, basePath);
  const second = await signUp(auth, `bob-${alg.toLowerCase()}`, basePath);
  const { token: algExpired } = await auth.api.signJWT({
    body: { payload: { sub: first.id, iat: now - 3600, exp: now - 1800, iss: origin, aud: origin } },
  });
  byAlg[alg] = { jwks_url: `${origin}${basePath}/jwks`, alice: first, bob: second, expired: algExpired };
}

const beforeRotation = await signUp(rotating, "dave", "/rotating/api/auth");
// Waiting for the key to expire is what rotation is: a wall-clock lifetime.
await new Promise((resolve) => setTimeout(resolve, 1100));
const afterRotation = await signUp(rotating, "erin", "/rotating/api/auth");
const cookies = {};
const frank = await signUp(cookieCache, "frank", "/cookiecache/api/auth", cookies);
const sessionData = cookies["better-auth.session_data"];
if (!sessionData) throw new Error("no better-auth.session_data cookie");
const sessionCache = {
  jwks_url: `${origin}/cookiecache/api/auth/jwks`,
  user: frank,
  session_data: decodeURIComponent(sessionData),
};
const rotation = {
  jwks_url: `${origin}/rotating/api/auth/jwks`,
  before: beforeRotation,
  after: afterRotation,
};

console.log(
  "FIXTURE " +
    JSON.stringify(
    {
      origin,
      jwks_url: `${origin}/api/auth/jwks`,
      alice,
      bob,
      expired,
      carol,
      algorithms: byAlg,
      rotation,
      session_cache: sessionCache,
      roles: roleFixture,
      hs256_roles: hs256Roles,
      orgs: orgFixture,
    },
    // Session cookies stay in this process.
    (key, value) => (key === "cookie" ? undefined : value)),
);

// Serve until the test closes stdin (or dies).
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
