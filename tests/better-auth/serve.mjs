// Serves a Better Auth handler over loopback HTTP, for the fixtures in this folder.
import http from "node:http";

/**
 * Listens on a free loopback port. `intercept(url, res)` sees every request first and returns
 * true when it has answered it. Returns the origin and `setHandler` (the handler is set after
 * the origin is known, since Better Auth's baseURL is that origin).
 */
export async function serve(intercept = () => false) {
  let handler = async () => new Response("starting", { status: 503 });
  const server = http.createServer(async (req, res) => {
    try {
      if (intercept(new URL(req.url, "http://127.0.0.1"), res)) return;
      const { port } = server.address();
      const response = await handler(
        new Request(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers: req.headers }),
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    setHandler: (next) => {
      handler = next;
    },
  };
}
