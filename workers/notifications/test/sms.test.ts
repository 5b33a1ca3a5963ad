import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Lang } from "../../../lib/enums";
import type { NotificationsEnv } from "../env";
import worker, { backoffSeconds } from "../index";

const nenv = env as unknown as NotificationsEnv;

function otpMessage(to: string, lang: Lang, code: string, id = crypto.randomUUID()) {
  return {
    id,
    timestamp: new Date(),
    attempts: 1,
    body: { type: "sms.otp", message_id: crypto.randomUUID(), to, lang, code, expires_in: 300 },
  };
}

async function run(
  messages: ReturnType<typeof otpMessage>[] | { id: string; timestamp: Date; attempts: number; body: unknown }[],
) {
  const batch = createMessageBatch("sms-outbox", messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, nenv, ctx);
  return getQueueResult(batch, ctx);
}

async function inbox(msisdn: string): Promise<{ sms: string; sms_type: string }[]> {
  const res = await fetch(`${nenv.SMS_API_URL}/__sim/messages?msisdn=${msisdn}`);
  return ((await res.json()) as { messages: { sms: string; sms_type: string }[] }).messages;
}

const freshMsisdn = () => `88017${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

describe("OTP SMS", () => {
  it("sends the code through the SSL Wireless adapter in Bangla or English and acks", async () => {
    const bn = freshMsisdn();
    const en = freshMsisdn();
    const result = await run([otpMessage(`+${bn}`, "bn", "482913", "a"), otpMessage(`+${en}`, "en", "105729", "b")]);
    expect(result.explicitAcks.sort()).toEqual(["a", "b"]);
    const [bnSms] = await inbox(bn);
    expect(bnSms?.sms).toContain("482913");
    expect(bnSms?.sms).toContain("কোড");
    expect(bnSms?.sms_type).toBe("UNICODE");
    const [enSms] = await inbox(en);
    expect(enSms?.sms).toBe(
      "Kormo Mela: your login code is 105729. It expires in 5 minutes. Never share it with anyone.",
    );
  });

  it("retries only the failed message, with backoff, when the gateway answers 5xx", async () => {
    const ok = freshMsisdn();
    const failing = freshMsisdn();
    await fetch(`${nenv.SMS_API_URL}/__sim/fail`, {
      method: "POST",
      body: JSON.stringify({ status: 503, count: 1, msisdn: failing }),
    });
    const result = await run([
      otpMessage(`+${failing}`, "en", "111222", "first"),
      otpMessage(`+${ok}`, "en", "333444", "second"),
    ]);
    // getQueueResult records which messages were retried, not their delay; backoffSeconds is checked below.
    expect(result.retryMessages).toEqual([{ msgId: "first" }]);
    expect(result.explicitAcks).toEqual(["second"]);
    expect(await inbox(failing)).toEqual([]);
    expect(await inbox(ok)).toHaveLength(1);
  });

  it("sends once when the same message is delivered twice (csms_id idempotency)", async () => {
    const to = freshMsisdn();
    const msg = otpMessage(`+${to}`, "en", "999000", "dup");
    await run([msg]);
    const again = await run([{ ...msg, attempts: 2 }]);
    expect(again.explicitAcks).toEqual(["dup"]);
    expect(await inbox(to)).toHaveLength(1);
  });

  it("drops a malformed message instead of retrying it forever", async () => {
    const result = await run([
      { id: "bad", timestamp: new Date(), attempts: 1, body: { type: "sms.otp", to: "nope" } },
    ]);
    expect(result.explicitAcks).toEqual(["bad"]);
    expect(result.retryMessages).toEqual([]);
  });
});

describe("backoffSeconds", () => {
  it("doubles per attempt from 2 s, scales with the base, and caps at 5 minutes", () => {
    expect([1, 2, 3, 4, 8, 9, 20].map((a) => backoffSeconds(a))).toEqual([2, 4, 8, 16, 256, 300, 300]);
    expect(backoffSeconds(3, 2)).toBe(16);
    expect(backoffSeconds(5, 0)).toBe(0);
  });
});
