// A lean keep-alive HTTP client for the open-loop bench: node:http with a reusing agent, no fetch overhead.
import http from "node:http";

export class Timeout extends Error {}

/**
 * `send({ method, path, headers, body })` resolves with `{ status, text }` once the whole answer has arrived; it
 * rejects with Timeout after `timeoutMs`, or with the socket's error. Sockets stay open between requests; the
 * agent never queues (the bench's own in-flight cap decides what waits, so that wait is measured).
 */
export function httpClient(base, { timeoutMs = 10_000 } = {}) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 1024 });
  function send({ method = "GET", path, headers = {}, body }) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            ...(payload === undefined
              ? {}
              : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
            ...headers,
          },
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
          });
          res.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
          });
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Timeout(`${method} ${path} took over ${timeoutMs} ms`));
      }, timeoutMs);
      req.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(payload);
    });
  }
  return { send, close: () => agent.destroy() };
}
