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

/** Starts `handler(req, res, url)` on 127.0.0.1; thrown errors become JSON 4xx/5xx. */
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
        url: `http://${host}:${bound}`,
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
 * Failure injection shared by the wallet simulators (POST /__sim/fail {mode, count, path_suffix}):
 * "insufficient_balance" applies to the customer's approval page, "500" and "timeout" to API calls. A timeout
 * performs the operation and then withholds the answer for `holdMs`, as a gateway that went quiet would.
 */
export function walletFaults({ holdMs = 30_000 } = {}) {
  const MODES = ["insufficient_balance", "500", "timeout"];
  const held = new Set();
  let failure = { mode: "", count: 0, suffix: "" };
  return {
    /** Consumes one injected failure if it applies to this kind of request ("approval" or "api") and path. */
    take(kind, path) {
      if (failure.count <= 0 || !path.endsWith(failure.suffix)) return "";
      if ((failure.mode === "insufficient_balance") !== (kind === "approval")) return "";
      failure.count -= 1;
      return failure.mode;
    },
    /** Applies a /__sim/fail body; returns the error text for a bad mode. */
    configure(body) {
      if (!MODES.includes(body.mode)) return `mode must be one of ${MODES.join(", ")}`;
      failure = { mode: body.mode, count: Number(body.count ?? 1), suffix: String(body.path_suffix ?? "") };
      return null;
    },
    get state() {
      return failure;
    },
    reset() {
      failure = { mode: "", count: 0, suffix: "" };
    },
    /** Answers after `holdMs`, unless the client hangs up first. */
    hold(res, status, body) {
      const timer = setTimeout(() => {
        held.delete(timer);
        sendJson(res, status, body);
      }, holdMs);
      held.add(timer);
      res.on("close", () => {
        clearTimeout(timer);
        held.delete(timer);
      });
    },
    /** Drops every withheld answer (simulator shutdown). */
    cancelAll() {
      for (const timer of held) clearTimeout(timer);
      held.clear();
    },
  };
}
