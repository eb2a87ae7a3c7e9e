// The demo's Node side: Better Auth (email and password, the stock `jwt` plugin: EdDSA tokens,
// public keys at /api/auth/jwks) and one static page, on one origin. The page calls the Rust
// tasks API on another origin with the JWT.
//
//   PORT=3000 API_URL=http://127.0.0.1:8080 node server.mjs
//
// Accounts live in Better Auth's memory adapter: a restart forgets them (a demo, not a
// deployment; give Better Auth a database for that).
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";

const port = Number(process.env.PORT ?? 3000);
const apiUrl = process.env.API_URL ?? "http://127.0.0.1:8080";
const publicDir = new URL("./public/", import.meta.url);
const files = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/app.js": ["app.js", "text/javascript; charset=utf-8"],
};

const server = http.createServer();
// Port 0 picks a free port: the origin is known only once listening.
await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
const origin = `http://localhost:${server.address().port}`;

const auth = betterAuth({
  baseURL: origin,
  secret: process.env.BETTER_AUTH_SECRET ?? randomBytes(32).toString("base64"),
  database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
  emailAndPassword: { enabled: true },
  trustedOrigins: [origin],
  plugins: [jwt()],
});
const authHandler = toNodeHandler(auth);

server.on("request", async (req, res) => {
  const path = new URL(req.url, origin).pathname;
  if (path.startsWith("/api/auth/")) return authHandler(req, res);
  if (path === "/config.js") {
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
    return res.end(`window.DEMO_API_URL = ${JSON.stringify(apiUrl)};\n`);
  }
  const file = files[path];
  if (!file || req.method !== "GET") {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  res.writeHead(200, { "content-type": file[1], "cache-control": "no-store" });
  res.end(await readFile(new URL(file[0], publicDir)));
});

// The tests wait for this line.
console.log(`demo listening on ${origin} (tasks API: ${apiUrl})`);
