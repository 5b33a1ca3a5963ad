// Local stand-in for Neon's wsproxy: pipes WebSocket frames on /v1?address=host:port to a TCP socket.
import { createServer } from "node:http";
import { connect } from "node:net";
import { pathToFileURL } from "node:url";
import { WebSocketServer } from "ws";
import { listenOn, stopListening } from "./server.mjs";

/** Pause TCP reads when this many bytes are queued on the WebSocket (slow client). */
const WS_HIGH_WATER = 1 << 20;

/**
 * @typedef {object} WsBridge
 * @property {number} port actual bound port
 * @property {string} url base URL, e.g. ws://127.0.0.1:5480
 * @property {() => number} activeConnections live WebSocket/TCP pairs (either side still open)
 * @property {() => number} inFlight live pairs whose client sent bytes the server has not answered yet
 * @property {() => number} dropConnections fault injection: cuts every live pair at once, as a crash would (no
 *   close handshake on either side); returns how many were cut
 * @property {() => Promise<void>} suspend fault injection: cuts every live pair and stops listening, so new
 *   connections are refused until resume()
 * @property {() => Promise<void>} resume listens again on the same port after suspend()
 * @property {() => Promise<void>} close terminates every live pair, then the server
 */

/**
 * @param {{ port?: number, host?: string, allow?: string[] }} [options]
 *   allow: exact "host:port" strings clients may reach; anything else is refused with 403.
 * @returns {Promise<WsBridge>}
 */
export async function startWsBridge({ port = 0, host = "127.0.0.1", allow = ["127.0.0.1:5432"] } = {}) {
  const allowed = new Set(allow);
  /** @type {Set<{ ws?: import("ws").WebSocket, tcp: import("node:net").Socket, waiting?: boolean }>} */
  const pairs = new Set();
  // noServer: we only upgrade after the TCP side connected, so a dead target is an HTTP error
  // rather than a WebSocket that opens and immediately closes.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://bridge");
    if (req.method === "GET" && pathname === "/health") return reply(res, 200, "ok");
    if (pathname === "/v1") return reply(res, 426, "upgrade required");
    reply(res, 404, "not found");
  });

  // Every client socket, upgraded or not, so suspend() can cut even those still dialling the target.
  /** @type {Set<import("node:net").Socket>} */
  const sockets = new Set();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  server.on("upgrade", (req, socket, head) => {
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://bridge");
    if (url.pathname !== "/v1") return refuse(socket, 404, "not found");
    const address = url.searchParams.get("address") ?? "";
    const target = parseAddress(address);
    if (!target) return refuse(socket, 400, "address must be host:port");
    if (!allowed.has(address)) return refuse(socket, 403, "address not allowed");

    // Postgres speaks in small request/response messages: Nagle's algorithm would hold them back for an ACK.
    const tcp = connect({ ...target, noDelay: true });
    socket.setNoDelay(true);
    const pair = { tcp, ws: /** @type {import("ws").WebSocket | undefined} */ (undefined), waiting: false };
    pairs.add(pair);
    // Client hung up while we dialled, or ws rejected the handshake (it then destroys the socket).
    const abandon = () => tcp.destroy();
    socket.once("close", abandon);
    tcp.once("error", () => {
      if (!pair.ws) refuse(socket, 502, "target unreachable");
    });
    tcp.once("close", () => {
      if (!pair.ws) pairs.delete(pair);
    });
    tcp.once("connect", () => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off("close", abandon); // from here on the pipe decides how the TCP side ends
        pair.ws = ws;
        // In flight: the client spoke last. Lets fault tests cut a connection in the middle of a statement.
        ws.on("message", () => {
          pair.waiting = true;
        });
        tcp.on("data", () => {
          pair.waiting = false;
        });
        pipe(ws, tcp, () => pairs.delete(pair));
      });
    });
  });

  /** @param {number} at */
  const listen = (at) => listenOn(server, at, host);
  await listen(port);
  const bound = /** @type {import("node:net").AddressInfo} */ (server.address()).port;

  const dropConnections = () => {
    const n = pairs.size;
    for (const { ws, tcp } of pairs) {
      ws?.terminate();
      tcp.destroy();
    }
    pairs.clear();
    return n;
  };

  return {
    port: bound,
    url: `ws://${host}:${bound}`,
    activeConnections: () => pairs.size,
    inFlight: () => [...pairs].filter((p) => p.ws && p.waiting).length,
    dropConnections,
    async suspend() {
      const closed = stopListening(server);
      dropConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async resume() {
      if (!server.listening) await listen(bound);
    },
    async close() {
      dropConnections();
      wss.close();
      server.closeAllConnections();
      await stopListening(server);
    },
  };
}

/**
 * Wire a WebSocket and a connected TCP socket together; either side ending ends the other.
 * @param {import("ws").WebSocket} ws
 * @param {import("node:net").Socket} tcp
 * @param {() => void} onDone called once both sides are closed
 */
function pipe(ws, tcp, onDone) {
  let open = 2;
  const sideClosed = () => {
    if (--open === 0) onDone();
  };

  ws.on("message", (data) => {
    // Bytes go through untouched (default binaryType gives a Buffer); text frames are forwarded too.
    if (!tcp.write(/** @type {Buffer} */ (data))) ws.pause();
  });
  tcp.on("drain", () => ws.resume());

  tcp.on("data", (chunk) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(chunk, { binary: true }, () => {
      if (tcp.isPaused() && ws.bufferedAmount < WS_HIGH_WATER) tcp.resume();
    });
    if (ws.bufferedAmount >= WS_HIGH_WATER) tcp.pause();
  });

  ws.once("close", () => {
    tcp.end(); // let already-written bytes (e.g. a Terminate message) reach the server
    tcp.setTimeout(5_000, () => tcp.destroy());
    sideClosed();
  });
  ws.on("error", () => {
    ws.terminate();
    tcp.destroy();
  });
  tcp.once("close", (hadError) => {
    if (ws.readyState === ws.OPEN) ws.close(hadError ? 1011 : 1000);
    else if (ws.readyState === ws.CONNECTING) ws.terminate();
    sideClosed();
  });
  tcp.on("error", () => {}); // 'close' follows and closes the WebSocket
  tcp.on("end", () => {
    if (ws.readyState === ws.OPEN) ws.close(1000);
  });
}

/** @param {string} address */
function parseAddress(address) {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {string} body
 */
function reply(res, status, body) {
  res.writeHead(status, { "content-type": "text/plain" }).end(body);
}

/**
 * Answer an upgrade request with a plain HTTP error and drop the socket.
 * @param {import("node:stream").Duplex} socket
 * @param {number} status
 * @param {string} body
 */
function refuse(socket, status, body) {
  if (!socket.writable) return socket.destroy();
  const text = { 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 502: "Bad Gateway" }[status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bridge = await startWsBridge({
    port: Number(process.env.WS_BRIDGE_PORT ?? 5480),
    allow: (process.env.WS_BRIDGE_ALLOW ?? "127.0.0.1:5432")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  });
  console.log(JSON.stringify({ bridge: "ws", port: bridge.port }));
  const stop = () => bridge.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
