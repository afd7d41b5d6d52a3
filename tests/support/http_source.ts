/**
 * Serves this repository over HTTP on loopback, as a user's URL would
 * (`mod.ts` imported from a URL, `deno install` from a URL).
 *
 * @module
 */
import "./state_home.ts"; // never the user's real resume store

const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs `fn` with the base URL of a server of the repository's files; stops the server after. */
export async function withRepositoryServer(fn: (base: string) => Promise<void>): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response("no", { status: 403 });
    try {
      const body = await Deno.readFile(ROOT + path.slice(1));
      return new Response(body, { headers: { "content-type": "application/typescript" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}
