// Issues stock Better Auth tokens for the load benchmark (bench/load.sh) and serves the JWKS
// that verifies them over loopback HTTP until stdin closes.
//
//   node bench-tokens.mjs <users> <tokens-file>
//
// A few users sign up and get their token over HTTP as a browser does (GET /api/auth/token);
// the rest are signed by the same server's own jwt plugin (auth.api.signJWT) with the payload
// the plugin writes by default: the whole user object plus sub, iss, aud, iat and exp.
// Writes "<user id> <token>" lines to <tokens-file>, then prints `READY <origin>`.

import fs from "node:fs";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { jwt } from "better-auth/plugins";
import { serve } from "./serve.mjs";

const users = Number(process.argv[2] ?? 1000);
const file = process.argv[3];
if (!file || !(users > 0)) {
  console.error("usage: node bench-tokens.mjs <users> <tokens-file>");
  process.exit(2);
}

const { origin, setHandler } = await serve();

const auth = betterAuth({
  baseURL: origin,
  secret: process.env.BETTER_AUTH_SECRET ?? "bench-secret-0123456789-abcdefghijklmnop",
  database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
  emailAndPassword: { enabled: true },
  plugins: [jwt()],
  logger: { disabled: true },
});
setHandler(auth.handler);

const lines = [];
const viaHttp = Math.min(users, 5);
for (let i = 0; i < viaHttp; i++) {
  const { headers, response } = await auth.api.signUpEmail({
    body: { email: `user-${i}@example.com`, password: "correct-horse-battery-staple", name: `User ${i}` },
    returnHeaders: true,
  });
  const cookie = headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const tokenResponse = await fetch(`${origin}/api/auth/token`, { headers: { cookie } });
  if (!tokenResponse.ok) throw new Error(`/api/auth/token answered ${tokenResponse.status}`);
  lines.push(`${response.user.id} ${(await tokenResponse.json()).token}`);
}
const now = Math.floor(Date.now() / 1000);
for (let i = viaHttp; i < users; i++) {
  const id = `bench${String(i).padStart(27, "0")}`;
  const at = new Date((now - 86400) * 1000).toISOString();
  const payload = {
    id, name: `User ${i}`, email: `user-${i}@example.com`, emailVerified: false, image: null,
    createdAt: at, updatedAt: at, sub: id, iss: origin, aud: origin, iat: now, exp: now + 3600,
  };
  const { token } = await auth.api.signJWT({ body: { payload } });
  lines.push(`${id} ${token}`);
}
fs.writeFileSync(file, lines.join("\n") + "\n");
console.log(`READY ${origin}`);

process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
