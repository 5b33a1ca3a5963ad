// The conversation's object: nothing is lost across eviction and hibernation, nothing is acknowledged before it is
// stored, and a message to an absent participant becomes one collapsed push.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ChatEventMessage } from "../../lib/messages";
import { chatBooking, isMessage, openSocket, sendRest } from "../../workers/api/test/chat-helpers";
import { call, sql } from "../../workers/api/test/helpers";
import type { ChatRoom } from "./chat-room";
import { chatRoom } from "./client";

/** Swaps the object's queue for one that records (or refuses) what it is sent. */
async function recordPushes(bookingId: number, refuse = false): Promise<ChatEventMessage[]> {
  const sent: ChatEventMessage[] = [];
  await runInDurableObject(chatRoom(env, bookingId), (room: ChatRoom) => {
    room.events = {
      send: async (m: ChatEventMessage) => {
        if (refuse) throw new Error("queue unavailable");
        sent.push(m);
      },
    } as unknown as Queue;
  });
  return sent;
}

describe("ChatRoom object", () => {
  it("loses nothing when it is evicted between messages", async () => {
    const f = await chatBooking();
    await sendRest(f.bookingId, f.customer, "one", "c-1");
    await sendRest(f.bookingId, f.provider, "two", "p-2");
    await evictDurableObject(chatRoom(env, f.bookingId));
    const third = await sendRest(f.bookingId, f.customer, "three", "c-3");
    expect(third.body.seq).toBe(3);
    // A resend after the eviction is still the same message.
    expect((await sendRest(f.bookingId, f.customer, "one", "c-1")).body.seq).toBe(1);
    const page = await call(`/chat/bookings/${f.bookingId}/messages`, { token: f.provider.access });
    expect((page.body.items as { text: string }[]).map((m) => m.text)).toEqual(["one", "two", "three"]);
  });

  it("keeps hibernated sockets: after an eviction both sides still receive the next message", async () => {
    const f = await chatBooking();
    const c = await openSocket(f.bookingId, f.customer, "", "bn");
    const p = await openSocket(f.bookingId, f.provider);
    await evictDurableObject(chatRoom(env, f.bookingId), { webSockets: "hibernate" });
    // The socket's identity came back from its attachment: the sender still gets their hint in Bangla.
    c.send({ type: "send", client_id: "c-after", text: "কল দিন ০১৭১২৩৪৫৬৭৮" });
    const mine = await c.next(isMessage);
    expect(mine).toMatchObject({ seq: 1, sender_id: f.customer.userId, redacted: true });
    expect(mine.hint).toMatch(/লুকানো/);
    expect(await p.next(isMessage)).toMatchObject({ seq: 1, redacted: true });
    expect(await runInDurableObject(chatRoom(env, f.bookingId), (room: ChatRoom) => room.sockets())).toBe(2);
  });

  it("never acknowledges a message Postgres did not store; the resend stores it once", async () => {
    const f = await chatBooking();
    const stub = chatRoom(env, f.bookingId);
    await sendRest(f.bookingId, f.customer, "warm up", "c-0");
    const real = await runInDurableObject(stub, (room: ChatRoom) => {
      const pg = room.pg;
      Object.defineProperty(room, "pg", { value: { query: () => Promise.reject(new Error("fetch failed")) } });
      return pg !== undefined;
    });
    expect(real).toBe(true);
    const s = await openSocket(f.bookingId, f.customer);
    s.send({ type: "send", client_id: "c-1", text: "are you coming?" });
    expect(await s.next((fr) => fr.type === "error")).toMatchObject({
      code: "dependency_unavailable",
      client_id: "c-1",
    });
    expect(s.frames.filter(isMessage)).toEqual([]);
    const rest = await sendRest(f.bookingId, f.customer, "are you coming?", "c-1");
    expect(rest.status).toBe(503);
    expect(await sql("SELECT 1 FROM messages WHERE booking_id = $1 AND client_id = 'c-1'", [f.bookingId])).toHaveLength(
      0,
    );
    // Postgres is back (a fresh instance): the same client_id is stored once.
    await evictDurableObject(stub, { webSockets: "close" });
    expect((await sendRest(f.bookingId, f.customer, "are you coming?", "c-1")).body.seq).toBe(2);
    expect((await sendRest(f.bookingId, f.customer, "are you coming?", "c-1")).body.seq).toBe(2);
  });

  it("collapses messages to an absent participant into one push with the latest redacted preview", async () => {
    const f = await chatBooking();
    const pushes = await recordPushes(f.bookingId);
    await sendRest(f.bookingId, f.customer, "hello", "c-1");
    await sendRest(f.bookingId, f.customer, "are you there?", "c-2");
    await sendRest(f.bookingId, f.customer, "call me on 01712345678", "c-3");
    expect(pushes).toEqual([]);
    expect(await runDurableObjectAlarm(chatRoom(env, f.bookingId))).toBe(true);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({
      type: "chat.message",
      booking_id: f.bookingId,
      recipient_id: f.provider.userId,
      sender_role: "customer",
      count: 3,
      last_seq: 3,
    });
    const preview = (pushes[0] as { preview: string }).preview;
    expect(preview).toContain("[•••]");
    expect(preview).not.toContain("01712345678");
    // Nothing left to send.
    expect(await runDurableObjectAlarm(chatRoom(env, f.bookingId))).toBe(false);
  });

  it("sends no push to a participant whose socket is open", async () => {
    const f = await chatBooking();
    const pushes = await recordPushes(f.bookingId);
    const p = await openSocket(f.bookingId, f.provider);
    await sendRest(f.bookingId, f.customer, "hello", "c-1");
    await p.next(isMessage);
    await runDurableObjectAlarm(chatRoom(env, f.bookingId));
    expect(pushes).toEqual([]);
  });

  it("keeps a push the queue refused and sends it on the next alarm", async () => {
    const f = await chatBooking();
    await recordPushes(f.bookingId, true);
    await sendRest(f.bookingId, f.provider, "I am outside", "p-1");
    expect(await runDurableObjectAlarm(chatRoom(env, f.bookingId))).toBe(true);
    const pushes = await recordPushes(f.bookingId);
    expect(await runDurableObjectAlarm(chatRoom(env, f.bookingId))).toBe(true);
    expect(pushes.map((m) => [m.type, m.recipient_id])).toEqual([["chat.message", f.customer.userId]]);
  });
});
