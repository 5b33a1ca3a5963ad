import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { OTP_MAX_TRIES, phoneKey } from "../auth/otp";
import { call, errorCode, freshPhone, plantCode, redis } from "./helpers";

const verify = (phone: string, code: string, extra: Record<string, unknown> = {}) =>
  call("/auth/otp/verify", {
    method: "POST",
    body: { phone, code, device_id: "dev-otp-test", platform: "ios", ...extra },
  });

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

  it("limits requests per phone with 429 and Retry-After", async () => {
    const phone = freshPhone();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await call("/auth/otp/request", { method: "POST", body: { phone } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
    expect(errorCode(last?.body ?? {})).toBe("rate_limited");
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
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

  it("kills a code after five wrong tries, even if the right one comes next", async () => {
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
    expect((late.body.error as { message: string }).message).toContain("expired");
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
    expect((await redis().hkeys(key)).sort()).toEqual(["h", "t"]);
    const mac = await redis().hget<string>(key, "h");
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mac).not.toContain("314159");
    expect(key).not.toContain(phone.slice(4));
  });

  it("lets only one of two concurrent verifies with the right code through", async () => {
    const phone = freshPhone();
    const code = await plantCode(phone, "271828");
    const results = await Promise.all([verify(phone, code), verify(phone, code), verify(phone, code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
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
