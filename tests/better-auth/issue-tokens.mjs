// Issues real Better Auth tokens for tests/better_auth.rs, and serves the stock instance's
// JWKS over loopback HTTP until stdin closes (the Rust test holds it open).
//
// Prints one line, `FIXTURE {...}`, with:
//   origin, jwks_url          the loopback server (Better Auth's baseURL)
//   alice, bob                stock jwt plugin (EdDSA, JWKS, user id in `sub`): {id, token}
//   expired                   alice, signed by the stock plugin with `exp` in the past
//   carol                     the HS256 sign hook with BETTER_AUTH_SECRET and a `uid` claim
// GET /fixture/jwks-fetches?client=X answers how many times the JWKS was fetched with
// ?client=X in its URL (so that concurrent tests count only their own fetches).

import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { jwt } from "better-auth/plugins";
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
setHandler(stock.handler);

// The HS256 sign hook, with the user id in `uid`. The plugin refuses a custom `sign` unless
// jwks.remoteUrl and jwks.keyPairConfig.alg are set too.
const hs256 = betterAuth({
  baseURL: origin,
  secret,
  database: memory(),
  emailAndPassword: { enabled: true },
  logger: { disabled: true },
  plugins: [
    jwt({
      jwks: { remoteUrl: `${origin}/unused`, keyPairConfig: { alg: "EdDSA" } },
      jwt: {
        definePayload: ({ user }) => ({ uid: user.id, email: user.email, name: user.name }),
        sign: (payload) =>
          new SignJWT(payload)
            .setProtectedHeader({ alg: "HS256", typ: "JWT" })
            .sign(new TextEncoder().encode(secret)),
      },
    }),
  ],
});

async function signUp(auth, name) {
  const { headers, response } = await auth.api.signUpEmail({
    body: { email: `${name}@example.com`, password: "correct-horse-battery-staple", name },
    returnHeaders: true,
  });
  const cookie = headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const tokenResponse = await auth.handler(new Request(`${origin}/api/auth/token`, { headers: { cookie } }));
  if (!tokenResponse.ok) throw new Error(`/api/auth/token answered ${tokenResponse.status}`);
  const { token } = await tokenResponse.json();
  return { id: response.user.id, token };
}

const alice = await signUp(stock, "alice");
const bob = await signUp(stock, "bob");
const carol = await signUp(hs256, "carol");
const now = Math.floor(Date.now() / 1000);
const { token: expired } = await stock.api.signJWT({
  body: { payload: { sub: alice.id, iat: now - 3600, exp: now - 1800 } },
});

console.log(
  "FIXTURE " +
    JSON.stringify({ origin, jwks_url: `${origin}/api/auth/jwks`, alice, bob, expired, carol }),
);

// Serve until the test closes stdin (or dies).
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
