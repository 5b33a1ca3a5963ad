// Masked chat through the gateway: tickets and the handshake, real-time delivery, resume, idempotent resends,
// redaction both ways, limits, the read-only window, reports and blocks, and the authorization matrix.
import { describe, expect, it } from "vitest";
import { chatBooking, isMessage, openSocket, sendRest, ticketFor, upgrade } from "./chat-helpers";
import { call, errorCode, login, loginAdmin, makeProvider, redis, sql } from "./helpers";

describe("chat tickets and the handshake", () => {
  it("gives the customer and the provider a 30-second ticket, and strangers 404", async () => {
    const f = await chatBooking();
    for (const who of [f.customer, f.provider]) {
      const res = await call(`/chat/bookings/${f.bookingId}/ticket`, { method: "POST", token: who.access });
      expect(res.status).toBe(201);
      expect(res.body.ticket).toMatch(/^kmt_[A-Za-z0-9_-]{43}$/);
      const ttl = Date.parse(res.body.expires_at as string) - Date.now();
      expect(ttl).toBeGreaterThan(20_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
    }
    const otherCustomer = await login();
    const otherProvider = (await makeProvider()).user;
    const admin = await loginAdmin();
    for (const who of [otherCustomer, otherProvider, admin]) {
      const res = await call(`/chat/bookings/${f.bookingId}/ticket`, { method: "POST", token: who.access });
      expect(res.status).toBe(404);
    }
    expect((await call(`/chat/bookings/${f.bookingId}/ticket`, { method: "POST" })).status).toBe(401);
    expect((await call("/chat/bookings/999999999/ticket", { method: "POST", token: f.customer.access })).status).toBe(
      404,
    );
  });

  it("opens a socket once per ticket: a spent, expired, foreign or made-up ticket gets no socket", async () => {
    const f = await chatBooking();
    const ticket = await ticketFor(f.bookingId, f.customer.access);
    const first = await upgrade(f.bookingId, ticket);
    expect(first.status).toBe(101);
    first.webSocket?.accept();
    first.webSocket?.close(1000);

    const again = await upgrade(f.bookingId, ticket);
    expect(again.status).toBe(401);
    expect(again.webSocket).toBeNull();
    expect(errorCode((await again.json()) as never)).toBe("unauthenticated");

    const expiring = await ticketFor(f.bookingId, f.customer.access);
    // Expire it in Redis as its TTL would.
    const keys = await redis().keys("chat:ticket:*");
    for (const k of keys) await redis().pexpire(k, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect((await upgrade(f.bookingId, expiring)).status).toBe(401);

    const other = await chatBooking();
    const foreign = await ticketFor(other.bookingId, other.customer.access);
    const res = await upgrade(f.bookingId, foreign);
    expect(res.status).toBe(403);
    expect(res.webSocket).toBeNull();

    expect((await upgrade(f.bookingId, "kmt_madeup")).status).toBe(401);
  });

  it("asks for the WebSocket upgrade without spending the ticket", async () => {
    const f = await chatBooking();
    const ticket = await ticketFor(f.bookingId, f.customer.access);
    const plain = await call(`/chat/bookings/${f.bookingId}/ws?ticket=${ticket}`);
    expect(plain.status).toBe(400);
    expect((await upgrade(f.bookingId, ticket)).status).toBe(101);
  });
});

describe("talking in real time", () => {
  it("delivers each message to both sides once it is stored, numbered in order", async () => {
    const f = await chatBooking();
    const c = await openSocket(f.bookingId, f.customer);
    const p = await openSocket(f.bookingId, f.provider);
    c.send({ type: "send", client_id: "c-1", text: "Assalamu alaikum, the gate is on road 7" });
    const atProvider = await p.next(isMessage);
    expect(atProvider).toMatchObject({
      type: "message",
      seq: 1,
      sender_id: f.customer.userId,
      text: "Assalamu alaikum, the gate is on road 7",
      redacted: false,
      client_id: "c-1",
    });
    expect(await c.next(isMessage)).toMatchObject({ seq: 1, client_id: "c-1" });
    p.send({ type: "send", client_id: "p-1", text: "ঠিক আছে, আমি সকাল ১০টায় আসব" });
    expect(await c.next(isMessage, 2)).toMatchObject({ seq: 2, sender_id: f.provider.userId });
    const stored = await sql<{ seq: number; text: string }>(
      "SELECT seq, text FROM messages WHERE booking_id = $1 ORDER BY seq",
      [f.bookingId],
    );
    expect(stored.map((m) => m.seq)).toEqual([1, 2]);
  });

  it("masks a phone number typed in Bangla digits, for both sides, and tells only the sender why", async () => {
    const f = await chatBooking();
    const c = await openSocket(f.bookingId, f.customer, "", "bn");
    const p = await openSocket(f.bookingId, f.provider);
    p.send({ type: "send", client_id: "p-phone", text: "আমার নম্বর ০১৭১২-৩৪৫৬৭৮, সরাসরি কল দিন" });
    const atCustomer = await c.next(isMessage);
    const atProvider = await p.next(isMessage);
    for (const m of [atCustomer, atProvider]) {
      expect(m.redacted).toBe(true);
      expect(m.text).toContain("[•••]");
      expect(m.text).not.toMatch(/[০-৯]{3}/);
    }
    expect(atProvider.hint).toMatch(/hidden/);
    expect(atCustomer.hint).toBeUndefined();
    // Only the redacted text exists anywhere.
    const [row] = await sql<{ text: string; redaction_count: number; redaction_kinds: string[] }>(
      "SELECT text, redaction_count, redaction_kinds FROM messages WHERE booking_id = $1",
      [f.bookingId],
    );
    expect(row?.text).not.toContain("৩৪৫৬৭৮");
    expect(row?.redaction_count).toBeGreaterThan(0);
    expect(row?.redaction_kinds).toContain("phone");
  });

  it("masks what the customer sends the provider too, over REST, with the hint in the sender's language", async () => {
    const f = await chatBooking();
    const res = await sendRest(f.bookingId, f.customer, "email me at rahim dot khan at gmail dot com", "c-mail", "bn");
    expect(res.status).toBe(201);
    expect(res.body.redacted).toBe(true);
    expect(res.body.text).not.toMatch(/gmail/i);
    expect(res.body.hint).toMatch(/লুকানো/);
  });

  it("keeps prices, times, dates and house numbers as typed", async () => {
    const f = await chatBooking();
    const text = "৫০০ টাকা দেব, সকাল ১০টা, House 12 Road 7, 12/03/2026, booking #4521, 1,250 taka";
    const res = await sendRest(f.bookingId, f.customer, text);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ text, redacted: false });
  });

  it("answers a resend with the same client_id with the same message, never a second one", async () => {
    const f = await chatBooking();
    const first = await sendRest(f.bookingId, f.customer, "Running 10 minutes late", "c-late");
    const again = await sendRest(f.bookingId, f.customer, "Running 10 minutes late", "c-late");
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.seq).toBe(first.body.seq);
    const s = await openSocket(f.bookingId, f.customer);
    s.send({ type: "send", client_id: "c-late", text: "Running 10 minutes late" });
    expect(await s.next(isMessage)).toMatchObject({ seq: first.body.seq, client_id: "c-late" });
    const [n] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE booking_id = $1", [
      f.bookingId,
    ]);
    expect(n?.n).toBe(1);
  });

  it("stores racing sends of one client_id once", async () => {
    const f = await chatBooking();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => sendRest(f.bookingId, f.provider, "On my way", "p-race")),
    );
    expect(new Set(answers.map((a) => a.body.seq))).toEqual(new Set([1]));
    const [n] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE booking_id = $1", [
      f.bookingId,
    ]);
    expect(n?.n).toBe(1);
  });

  it("resumes after a reconnect: after_seq brings what was missed, in order", async () => {
    const f = await chatBooking();
    const c = await openSocket(f.bookingId, f.customer);
    c.send({ type: "send", client_id: "c-a", text: "one" });
    await c.next(isMessage);
    c.ws.close(1000);
    for (const [i, t] of ["two", "three", "four"].entries()) {
      expect((await sendRest(f.bookingId, f.provider, t, `p-${i}`)).status).toBe(201);
    }
    const back = await openSocket(f.bookingId, f.customer, "&after_seq=1");
    await back.next(isMessage, 3);
    expect(back.frames.filter(isMessage).map((m) => [m.seq, m.text])).toEqual([
      [2, "two"],
      [3, "three"],
      [4, "four"],
    ]);
    // And live messages follow the missed ones.
    await sendRest(f.bookingId, f.provider, "five", "p-5");
    expect(await back.next(isMessage, 4)).toMatchObject({ seq: 5, text: "five" });
  });

  it("shares read marks with the other side", async () => {
    const f = await chatBooking();
    const c = await openSocket(f.bookingId, f.customer);
    const p = await openSocket(f.bookingId, f.provider);
    c.send({ type: "send", client_id: "c-r", text: "hello" });
    await p.next(isMessage);
    p.send({ type: "read", seq: 1 });
    expect(await c.next((fr) => fr.type === "read")).toEqual({ type: "read", user_id: f.provider.userId, seq: 1 });
    const page = await call(`/chat/bookings/${f.bookingId}/messages`, { token: f.customer.access });
    expect(page.body.reads).toEqual([{ user_id: f.provider.userId, seq: 1 }]);
  });

  it("refuses bad frames with an error frame and keeps the socket open", async () => {
    const f = await chatBooking();
    const s = await openSocket(f.bookingId, f.customer);
    s.ws.send("not json");
    expect(await s.next((fr) => fr.type === "error")).toMatchObject({ code: "invalid_input" });
    s.send({ type: "send", client_id: "bad id with spaces", text: "x" });
    expect(await s.next((fr) => fr.type === "error", 2)).toMatchObject({ code: "invalid_input" });
    s.send({ type: "send", client_id: "c-long", text: "অ".repeat(2001) });
    expect(await s.next((fr) => fr.type === "error", 3)).toMatchObject({
      code: "payload_too_large",
      client_id: "c-long",
    });
    s.send({ type: "send", client_id: "c-ok", text: "still here" });
    expect(await s.next(isMessage)).toMatchObject({ seq: 1 });
  });
});

describe("chat over REST", () => {
  it("pages the conversation in ascending seq with a cursor", async () => {
    const f = await chatBooking();
    for (let i = 1; i <= 5; i++) await sendRest(f.bookingId, i % 2 ? f.customer : f.provider, `m${i}`, `k${i}`);
    const first = await call(`/chat/bookings/${f.bookingId}/messages?limit=2`, { token: f.provider.access });
    expect(first.status).toBe(200);
    expect((first.body.items as { seq: number }[]).map((m) => m.seq)).toEqual([1, 2]);
    expect(first.body.next_cursor).toBe(2);
    const rest = await call(`/chat/bookings/${f.bookingId}/messages?after_seq=2&limit=100`, {
      token: f.provider.access,
    });
    expect((rest.body.items as { text: string }[]).map((m) => m.text)).toEqual(["m3", "m4", "m5"]);
    expect(rest.body.next_cursor).toBeNull();
    expect(rest.body.open).toBe(true);
    const tooMany = await call(`/chat/bookings/${f.bookingId}/messages?limit=101`, { token: f.provider.access });
    expect(tooMany.status).toBe(400);
  });

  it("refuses a message over 2 000 characters with 413 and an empty or unclean one with 400, in the caller's language", async () => {
    const f = await chatBooking();
    const long = await sendRest(f.bookingId, f.customer, "a".repeat(2001), "c-long", "bn");
    expect(long.status).toBe(413);
    expect((long.body.error as { message: string }).message).toMatch(/অক্ষর/);
    expect((await sendRest(f.bookingId, f.customer, "a".repeat(2000), "c-max")).status).toBe(201);
    expect((await sendRest(f.bookingId, f.customer, "   ", "c-empty")).status).toBe(400);
    expect((await sendRest(f.bookingId, f.customer, "bell\u0007", "c-bell")).status).toBe(400);
    const badId = await call(`/chat/bookings/${f.bookingId}/messages`, {
      method: "POST",
      token: f.customer.access,
      body: { client_id: "", text: "hi" },
    });
    expect(badId.status).toBe(400);
  });

  it("allows a lively conversation and answers 429 past the per-minute limit", async () => {
    const f = await chatBooking();
    for (let i = 0; i < 60; i++) {
      const res = await sendRest(f.bookingId, f.customer, `message ${i}`, `c-${i}`);
      expect(res.status).toBe(201);
    }
    const over = await sendRest(f.bookingId, f.customer, "one too many", "c-over");
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    // The limit is the sender's: the other side still talks.
    expect((await sendRest(f.bookingId, f.provider, "ok", "p-ok")).status).toBe(201);
  });

  it("keeps strangers, other parties and admins without a case out of the conversation", async () => {
    const f = await chatBooking();
    await sendRest(f.bookingId, f.customer, "hello", "c-h");
    const outsiders = [await login(), (await makeProvider()).user, await loginAdmin()];
    for (const who of outsiders) {
      expect((await call(`/chat/bookings/${f.bookingId}/messages`, { token: who.access })).status).toBe(404);
      expect((await sendRest(f.bookingId, who, "let me in", "x-1")).status).toBe(404);
      for (const kind of ["report", "block"]) {
        expect(
          (await call(`/chat/bookings/${f.bookingId}/${kind}`, { method: "POST", token: who.access })).status,
        ).toBe(404);
      }
    }
    expect((await call(`/chat/bookings/${f.bookingId}/messages`)).status).toBe(401);
  });
});

describe("the conversation's window", () => {
  it("becomes read-only 7 days after the booking ends: reading still works, sending is 409", async () => {
    const f = await chatBooking();
    await sendRest(f.bookingId, f.customer, "see you then", "c-1");
    await sql(
      "UPDATE bookings SET start_date = now() - interval '8 days 2 hours', end_date = now() - interval '8 days' WHERE id = $1",
      [f.bookingId],
    );
    const late = await sendRest(f.bookingId, f.customer, "one more thing", "c-2");
    expect(late.status).toBe(409);
    expect((late.body.error as { message: string }).message).toMatch(/closed/);
    const page = await call(`/chat/bookings/${f.bookingId}/messages`, { token: f.provider.access });
    expect(page.status).toBe(200);
    expect(page.body.open).toBe(false);
    expect((page.body.items as unknown[]).length).toBe(1);
    const s = await openSocket(f.bookingId, f.provider);
    s.send({ type: "send", client_id: "p-late", text: "hello?" });
    expect(await s.next((fr) => fr.type === "error")).toMatchObject({
      code: "conversation_closed",
      client_id: "p-late",
    });
  });

  it("stays open for 7 days after a booking ends", async () => {
    const f = await chatBooking();
    await sql(
      "UPDATE bookings SET start_date = now() - interval '6 days 2 hours', end_date = now() - interval '6 days' WHERE id = $1",
      [f.bookingId],
    );
    expect((await sendRest(f.bookingId, f.customer, "thanks for the job", "c-1")).status).toBe(201);
  });
});
