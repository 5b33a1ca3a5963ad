// Chat test harness: a booking between a fresh customer and provider, tickets, and sockets that collect frames.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { BASE, call, idemKey, type Json, login, makeProvider, type Session, window } from "./helpers";

export interface ChatFixture {
  bookingId: number;
  customer: Session;
  provider: Session;
  providerId: number;
}

/** A PENDING booking: its conversation is open from creation. */
export async function chatBooking(hoursAhead = 24 + Math.floor(Math.random() * 2000)): Promise<ChatFixture> {
  const p = await makeProvider();
  const customer = await login();
  const created = await call("/booking/bookings", {
    method: "POST",
    token: customer.access,
    headers: idemKey(),
    body: { provider_id: p.providerId, service_type: "driver", ...window(hoursAhead, 2) },
  });
  if (created.status !== 201) throw new Error(`booking failed: ${created.status} ${JSON.stringify(created.body)}`);
  return { bookingId: created.body.id as number, customer, provider: p.user, providerId: p.providerId };
}

export async function ticketFor(bookingId: number, token: string, lang = "en"): Promise<string> {
  const res = await call(`/chat/bookings/${bookingId}/ticket`, {
    method: "POST",
    token,
    headers: { "accept-language": lang },
  });
  expect(res.status).toBe(201);
  return res.body.ticket as string;
}

/** The raw upgrade request: status and, when 101, the socket. */
export async function upgrade(bookingId: number, ticket: string, query = "", headers: Record<string, string> = {}) {
  return exports.default.fetch(`${BASE}/chat/bookings/${bookingId}/ws?ticket=${encodeURIComponent(ticket)}${query}`, {
    headers: { upgrade: "websocket", ...headers },
  });
}

export interface Socket {
  ws: WebSocket;
  frames: Json[];
  /** Waits for the n-th frame (counting from 1) that matches. */
  next(match: (f: Json) => boolean, n?: number, ms?: number): Promise<Json>;
  send(frame: unknown): void;
  closed: Promise<number>;
}

export async function openSocket(bookingId: number, session: Session, query = "", lang = "en"): Promise<Socket> {
  const res = await upgrade(bookingId, await ticketFor(bookingId, session.access, lang), query);
  expect(res.status).toBe(101);
  const ws = res.webSocket;
  if (!ws) throw new Error("no socket in a 101");
  ws.accept();
  const frames: Json[] = [];
  ws.addEventListener("message", (e) => frames.push(JSON.parse(String(e.data)) as Json));
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
  return {
    ws,
    frames,
    send: (f) => ws.send(JSON.stringify(f)),
    closed,
    async next(match, n = 1, ms = 5000) {
      const until = Date.now() + ms;
      for (;;) {
        const hits = frames.filter(match);
        if (hits.length >= n) return hits[n - 1] as Json;
        if (Date.now() > until) throw new Error(`no frame matched within ${ms} ms; got ${JSON.stringify(frames)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

export const isMessage = (f: Json) => f.type === "message";

export function sendRest(
  bookingId: number,
  session: Session,
  text: string,
  clientId = crypto.randomUUID(),
  lang = "en",
) {
  return call(`/chat/bookings/${bookingId}/messages`, {
    method: "POST",
    token: session.access,
    headers: { "accept-language": lang },
    body: { client_id: clientId, text },
  });
}
