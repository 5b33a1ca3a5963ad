import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { OTP_RESEND_AFTER_S, OTP_TRIES_PER_CODE, RATE_LIMITS } from "../../../lib/policy";
import { buildApp } from "../app";
import { requesterPrefix } from "../auth/limits";
import { OTP_MAX_TRIES, phoneKey } from "../auth/otp";
import { call, errorCode, freshPhone, type Json, plantCode, redis } from "./helpers";

const verify = (phone: string, code: string, extra: Record<string, unknown> = {}, ip?: string) =>
  call("/auth/otp/verify", {
    method: "POST",
    body: { phone, code, device_id: "dev-otp-test", platform: "ios", ...extra },
    ...(ip ? { headers: { "cf-connecting-ip": ip } } : {}),
  });

/** A requester address of this test's own (10/8), so no two tests share one's limits. */
const randomIp = () => `10.${[...crypto.getRandomValues(new Uint8Array(3))].join(".")}`;

/** The SMS the gateway queued, as the SMS simulator would receive them. */
interface Sms {
  to: string;
  code: string;
  expires_in: number;
}

/** The real app with a recording SMS outbox: the test reads the codes sent, as a phone would. */
function smsGateway() {
  const inbox: Sms[] = [];
  const outbox = {
    send: async (m: Sms) => {
      inbox.push(m);
    },
    sendBatch: async () => undefined,
  } as unknown as Queue;
  const app = buildApp();
  async function request(phone: string, ip: string): Promise<{ status: number; body: Json; headers: Headers }> {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("http://api.test/auth/otp/request", {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": ip },
        body: JSON.stringify({ phone }),
      }),
      { ...env, SMS_OUTBOX: outbox },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
  }
  return { inbox, request };
}

/** Lets the resend interval pass for a number, as waiting OTP_RESEND_AFTER_S seconds would. */
async function waitOutResend(phone: string) {
  await redis().del(`otp:resend:v1:${await phoneKey(env.OTP_HMAC_SECRET as string, phone)}`);
}

describe("POST /auth/otp/request", () => {
  it("answers the same 202 body for a known test number and an unknown number", async () => {
    const known = await call("/auth/otp/request", { method: "POST", body: { phone: "+8801700000001" } });
    const unknown = await call("/auth/otp/request", { method: "POST", body: { phone: freshPhone() } });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    expect(known.body).toEqual({ status: "sent", expires_in: 300, resend_after: 60 });
  });

  it("refuses an invalid number with 400 in the caller's language", async () => {
    const en = await call("/auth/otp/request", { method: "POST", body: { phone: "01212345678" } });
    expect(en.status).toBe(400);
    expect(en.body.error).toMatchObject({ code: "invalid_input", message: expect.stringContaining("Bangladeshi") });
    const bn = await call("/auth/otp/request", {
      method: "POST",
      body: { phone: "12345" },
      headers: { "accept-language": "bn-BD,bn;q=0.9,en;q=0.5" },
    });
    expect(bn.status).toBe(400);
    expect((bn.body.error as { message: string }).message).toContain("মোবাইল নম্বর");
  });

  it("refuses malformed JSON, a missing body and a wrong type with 400", async () => {
    const malformed = await call("/auth/otp/request", { method: "POST", body: "{phone:" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({
      code: "invalid_input",
      message: "The request body is not valid JSON.",
    });
    const missing = await call("/auth/otp/request", {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    expect(missing.status).toBe(400);
    const wrongType = await call("/auth/otp/request", { method: "POST", body: { phone: 1712345678 } });
    expect(wrongType.status).toBe(400);
    expect(errorCode(wrongType.body)).toBe("invalid_input");
  });

  it("sends one SMS for five rapid requests, refuses the rest with 429 and Retry-After, and the code still verifies", async () => {
    const phone = freshPhone();
    const ip = randomIp();
    const gw = smsGateway();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await gw.request(phone, ip));
    expect(answers.map((a) => a.status)).toEqual([202, 429, 429, 429, 429]);
    expect(answers[0]?.body).toEqual({ status: "sent", expires_in: 300, resend_after: OTP_RESEND_AFTER_S });
    for (const refused of answers.slice(1)) {
      expect(errorCode(refused.body)).toBe("rate_limited");
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(OTP_RESEND_AFTER_S);
    }
    expect(gw.inbox.map((m) => m.to)).toEqual([phone]);
    const res = await verify(phone, gw.inbox[0]?.code as string, {}, ip);
    expect(res.status).toBe(200);
  });

  it("never replaces a live code: a request after the resend interval sends the same code again", async () => {
    const phone = freshPhone();
    const ip = randomIp();
    const gw = smsGateway();
    expect((await gw.request(phone, ip)).status).toBe(202);
    await waitOutResend(phone);
    const again = await gw.request(phone, ip);
    expect(again.status).toBe(202);
    expect(again.body.expires_in).toBeLessThanOrEqual(300);
    expect(gw.inbox).toHaveLength(2);
    expect(gw.inbox[1]?.code).toBe(gw.inbox[0]?.code);
    expect((await verify(phone, gw.inbox[0]?.code as string, {}, ip)).status).toBe(200);
    // Used up: the next request makes a new code.
    await waitOutResend(phone);
    expect((await gw.request(phone, ip)).status).toBe(202);
    expect(gw.inbox[2]?.code).not.toBe(gw.inbox[0]?.code);
  });

  it("does not let a stranger's requests and wrong guesses stop the owner from logging in", async () => {
    const phone = freshPhone();
    const stranger = randomIp();
    const owner = randomIp();
    const gw = smsGateway();
    const spam = [];
    for (let i = 0; i < RATE_LIMITS.otpRequestPerPhoneRequester.tokens; i++)
      spam.push(await gw.request(phone, stranger));
    expect(spam.map((r) => r.status)).toEqual([202, 429, 429, 429, 429]);
    // Inside the interval the owner waits at most OTP_RESEND_AFTER_S; the SMS the stranger caused carries the code.
    const early = await gw.request(phone, owner);
    expect(early.status).toBe(429);
    expect(Number(early.headers.get("retry-after"))).toBeLessThanOrEqual(OTP_RESEND_AFTER_S);
    await waitOutResend(phone);
    // The stranger's share for this number is used up; the owner's is not.
    expect((await gw.request(phone, stranger)).status).toBe(429);
    expect((await gw.request(phone, owner)).status).toBe(202);
    expect(gw.inbox).toHaveLength(2);
    const code = gw.inbox[1]?.code as string;
    expect(code).toBe(gw.inbox[0]?.code);
    // The stranger's wrong guesses lock only the stranger out of this code.
    const guesses = [];
    for (let i = 0; i < OTP_MAX_TRIES + 1; i++) {
      guesses.push((await verify(phone, code === "000000" ? "000001" : "000000", {}, stranger)).body);
    }
    expect(JSON.stringify(guesses.at(-1))).toContain("Too many wrong codes");
    const signedIn = await verify(phone, code, {}, owner);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ phone });
  });

  it("lets a test number ask for codes as often as it likes, sending no SMS", async () => {
    const gw = smsGateway();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await gw.request("+8801700000003", "192.0.2.7")).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202]);
    expect(gw.inbox).toEqual([]);
    expect((await verify("+8801700000003", "123456")).status).toBe(200);
  });

  it("limits requests for one number per requester, however long each waits between them", async () => {
    const phone = freshPhone();
    const ip = randomIp();
    const gw = smsGateway();
    const statuses = [];
    for (let i = 0; i < RATE_LIMITS.otpRequestPerPhoneRequester.tokens + 1; i++) {
      await waitOutResend(phone);
      statuses.push((await gw.request(phone, ip)).status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect(gw.inbox).toHaveLength(5);
    expect(new Set(gw.inbox.map((m) => m.code)).size).toBe(1);
  });

  it("limits requests per IP across many phones", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
    let limited = 0;
    for (let i = 0; i < 62; i++) {
      const res = await call("/auth/otp/request", {
        method: "POST",
        body: { phone: freshPhone() },
        headers: { "cf-connecting-ip": ip },
      });
      if (res.status === 429) limited++;
    }
    expect(limited).toBe(2);
  });
});

describe("POST /auth/otp/verify", () => {
  it("signs a new number in as a customer, and Bangla digits reach the same account", async () => {
    const phone = freshPhone();
    const local = `0${phone.slice(4)}`;
    const bangla = local.replace(/\d/g, (d) => String.fromCharCode(0x09e6 + Number(d)));
    await plantCode(phone, "135790");
    const first = await verify(phone, "১৩৫৭৯০");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: "Bearer", expires_in: 900, user: { phone, role: "customer" } });
    await plantCode(phone, "135791");
    const again = await verify(`${bangla.slice(0, 5)}-${bangla.slice(5)}`, "135791");
    expect(again.status).toBe(200);
    expect((again.body.user as { id: number }).id).toBe((first.body.user as { id: number }).id);
  });

  it("refuses a requester after five wrong tries at a code, even with the right one; others still sign in", async () => {
    const phone = freshPhone();
    const code = await plantCode(phone, "111111");
    const messages: string[] = [];
    for (let i = 0; i < OTP_MAX_TRIES; i++) {
      const res = await verify(phone, "999999");
      expect(res.status).toBe(400);
      messages.push((res.body.error as { message: string }).message);
    }
    expect(messages.slice(0, 4).every((m) => m === "The code is not correct.")).toBe(true);
    expect(messages[4]).toBe("Too many wrong codes. Ask for a new one.");
    const late = await verify(phone, code);
    expect(late.status).toBe(400);
    expect((late.body.error as { message: string }).message).toContain("Too many wrong codes");
    expect((await verify(phone, code, {}, randomIp())).status).toBe(200);
  });

  it(`kills a code after ${OTP_TRIES_PER_CODE} wrong tries from everyone together`, async () => {
    const phone = freshPhone();
    const code = await plantCode(phone, "121212");
    for (let i = 0; i < OTP_TRIES_PER_CODE; i++) {
      const ip = `2001:db8:${i.toString(16)}::${i}`;
      expect((await verify(phone, "999999", {}, ip)).status).toBe(400);
    }
    const late = await verify(phone, code, {}, "2001:db8:ffff::1");
    expect(late.status).toBe(400);
    expect((late.body.error as { message: string }).message).toContain("expired");
  });

  it("counts an IPv6 requester by its /64, where one subscriber's addresses rotate", () => {
    expect(requesterPrefix("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(requesterPrefix("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(requesterPrefix("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(requesterPrefix("203.0.113.9")).toBe("203.0.113.9");
  });

  it("refuses an expired code", async () => {
    const phone = freshPhone();
    const code = await plantCode(phone, "222222");
    const key = `otp:v1:${await phoneKey(env.OTP_HMAC_SECRET as string, phone)}`;
    expect(await redis().ttl(key)).toBeLessThanOrEqual(300);
    await redis().pexpire(key, 1);
    await new Promise((r) => setTimeout(r, 20));
    const res = await verify(phone, code);
    expect(res.status).toBe(400);
    expect((res.body.error as { message: string }).message).toContain("expired");
  });

  it("stores no phone number and no code in Redis", async () => {
    const phone = freshPhone();
    await plantCode(phone, "314159");
    const key = `otp:v1:${await phoneKey(env.OTP_HMAC_SECRET as string, phone)}`;
    expect((await redis().hkeys(key)).sort()).toEqual(["c", "h", "t"]);
    const mac = await redis().hget<string>(key, "h");
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mac).not.toContain("314159");
    // The sealed copy (for re-sending the same code) is AES-GCM ciphertext, not the code.
    const sealed = await redis().hget<string>(key, "c");
    expect(sealed).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(sealed).not.toContain("314159");
    expect(key).not.toContain(phone.slice(4));
  });

  it("lets only one of concurrent verifies from different devices with the right code through", async () => {
    const phone = freshPhone();
    const code = await plantCode(phone, "271828");
    const results = await Promise.all(
      ["dev-a", "dev-b", "dev-c"].map((device_id) => verify(phone, code, { device_id })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
  });

  it("lets the same device retry a login whose answer was lost, and nobody else, and never re-sends a used code", async () => {
    const phone = freshPhone();
    const code = await plantCode(phone, "314159");
    const ip = randomIp();
    expect((await verify(phone, code, { device_id: "phone-1" }, ip)).status).toBe(200);
    // The retry of the same request (its answer never arrived) is let in again.
    expect((await verify(phone, code, { device_id: "phone-1" }, ip)).status).toBe(200);
    // Another device with the same code is not.
    const other = await verify(phone, code, { device_id: "phone-2" }, ip);
    expect(other.status).toBe(400);
    expect((other.body.error as { message: string }).message).toContain("expired");
    // Asking for a code now issues a new one: the used code is never sent again.
    const sent = await call("/auth/otp/request", {
      method: "POST",
      body: { phone },
      headers: { "cf-connecting-ip": ip },
    });
    expect(sent.status).toBe(202);
    // …and the used one is dead even for the device it let in.
    expect((await verify(phone, code, { device_id: "phone-1" }, ip)).status).toBe(400);
  });

  it("signs a test number in with its fixed code after a real request", async () => {
    const req = await call("/auth/otp/request", { method: "POST", body: { phone: "01700-000003" } });
    expect(req.status).toBe(202);
    const res = await verify("+8801700000003", "123456");
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ phone: "+8801700000003" });
  });

  it("limits verify attempts per phone across fresh codes", async () => {
    const phone = freshPhone();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      if (i % 4 === 0) await plantCode(phone, "555555");
      statuses.push((await verify(phone, "000000")).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Another requester is not limited by this one's attempts.
    expect((await verify(phone, "555555", {}, randomIp())).status).toBe(200);
  });

  it("refuses a device key that carries a private part", async () => {
    const phone = freshPhone();
    const code = await plantCode(phone);
    const res = await verify(phone, code, {
      device_key: { kty: "OKP", crv: "Ed25519", x: "x".repeat(43), d: "d".repeat(43) },
    });
    expect(res.status).toBe(400);
  });
});
