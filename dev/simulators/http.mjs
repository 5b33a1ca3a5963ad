// Tiny shared plumbing for the local third-party simulators: JSON bodies, JSON answers, listen on loopback.
import { createServer } from "node:http";

export async function readBody(req, limit = 1 << 20) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error("body too large"), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Starts `handler(req, res, url)` on 127.0.0.1 (or `host`, e.g. 0.0.0.0 for a phone on the LAN; `url` still names
 * loopback then, for the workers on this machine); thrown errors become JSON 4xx/5xx.
 */
export function listen(handler, { port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://sim.local");
    try {
      await handler(req, res, url);
    } catch (err) {
      if (!res.headersSent) sendJson(res, err.status ?? 500, { error: err.message });
      else res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      resolve({
        port: bound,
        url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${bound}`,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

/**
 * GET /__sim/messages?<field>=… lists what a messaging simulator received (all, or those for one recipient);
 * DELETE empties it. Shared by the SMS and FCM simulators.
 */
export function answerInbox(req, res, url, inbox, field) {
  if (req.method === "DELETE") {
    inbox.length = 0;
    return sendJson(res, 200, { cleared: true });
  }
  const wanted = url.searchParams.get(field);
  return sendJson(res, 200, { messages: inbox.filter((m) => !wanted || m[field] === wanted) });
}
