// Chat pushes through the real consumer and the FCM simulator: collapsed per conversation, notify-once, quiet
// hours respected for messages, never by SMS, and no message text in the delivery log.
import { describe, expect, it } from "vitest";
import { ChatEventMessage } from "../../../lib/messages";
import { deliveries, pushesTo, run, smsTo, token, user } from "./harness";

function chatEvent(recipient: number, extra: Partial<ChatEventMessage> = {}): ChatEventMessage {
  return ChatEventMessage.parse({
    type: "chat.message",
    event_id: crypto.randomUUID(),
    booking_id: 1 + Math.floor(Math.random() * 1e9),
    recipient_id: recipient,
    sender_role: "provider",
    count: 2,
    last_seq: 7,
    preview: "I am at the gate, number [•••]",
    at: new Date().toISOString(),
    ...extra,
  });
}

const dhakaMinuteNow = () => Math.floor(((Date.now() + 6 * 3_600_000) % 86_400_000) / 60_000);

describe("chat pushes", () => {
  it("pushes the redacted preview in the recipient's language, collapsed per conversation, once", async () => {
    const t = token();
    const customer = await user({ lang: "bn", devices: [t] });
    const e = chatEvent(customer.id);
    expect((await run("chat-events", [e])).explicitAcks).toEqual(["m0"]);
    await run("chat-events", [e]);
    const pushes = (await pushesTo(t)) as unknown as {
      notification: { title: string; body: string };
      data: Record<string, string>;
      android: { notification: { tag: string } };
      apns: { headers: Record<string, string> };
    }[];
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.notification).toEqual({
      title: "সেবাদাতা (২টি নতুন বার্তা)",
      body: e.type === "chat.message" ? e.preview : "",
    });
    expect(pushes[0]?.android.notification.tag).toBe(`chat-${e.booking_id}`);
    expect(pushes[0]?.apns.headers["apns-collapse-id"]).toBe(`chat-${e.booking_id}`);
    expect(pushes[0]?.data).toMatchObject({ type: "chat.message", booking_id: String(e.booking_id), seq: "7" });
    const log = await deliveries(e.event_id);
    expect(log.map((d) => [d.channel, d.status])).toEqual([["push", "sent"]]);
    expect(JSON.stringify(log)).not.toContain("gate");
    expect(await smsTo(customer.phone)).toEqual([]);
  });

  it("skips a message push in quiet hours and when pushes are off, but still sends a moderator's warning", async () => {
    const now = dhakaMinuteNow();
    const quiet: [number, number] = [(now + 1440 - 30) % 1440, (now + 30) % 1440];
    const [t1, t2] = [token(), token()];
    const sleeping = await user({ devices: [t1], quiet });
    const optedOut = await user({ devices: [t2], push: false });
    await run("chat-events", [chatEvent(sleeping.id), chatEvent(optedOut.id)]);
    expect(await pushesTo(t1)).toEqual([]);
    expect(await pushesTo(t2)).toEqual([]);
    const warning = ChatEventMessage.parse({
      type: "chat.warning",
      event_id: crypto.randomUUID(),
      booking_id: 5,
      recipient_id: sleeping.id,
      at: new Date().toISOString(),
    });
    await run("chat-events", [warning]);
    const [w] = await pushesTo(t1);
    expect(w?.notification.title).toBe("Kormo Mela: a warning");
  });

  it("drops a malformed chat event instead of retrying it forever", async () => {
    const result = await run("chat-events", [{ type: "chat.message", preview: "x" }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
  });
});
