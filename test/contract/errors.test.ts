// The error cases through Prism: no token (401), a bad body (400), an unknown id (404), a wrong method on a known
// path (405), a body over MAX_BODY_BYTES (413) and a text/plain body on a JSON endpoint (415).
//
// How they are judged. With --errors Prism validates the request first and answers a request the document forbids
// itself, without forwarding it: 401 for a missing bearer token, 405 for a method the path does not have, 422 (its
// UNPROCESSABLE_ENTITY, a code the gateway never uses for bad input) for a body or content type the document
// refuses. So for each case we check three answers:
// - the gateway's own (`gateway`): the status the issue promises;
// - the strict Prism's (`prism`): either it forwarded (no request violation) and passed that very status through
//   with no `sl-violations`, or it refused the request itself for the same reason the gateway gives (the same
//   status, or a 422 whose violation points at the same field or the content type): the document refuses what the
//   server refuses;
// - the observing Prism's (`observer`, the same proxy without --errors, which forwards everything and only reports):
//   the gateway's status unchanged, and no violation of the response, so the error answer the server gives to a
//   request the document forbids is itself what the document says (its `request.*` violations are expected).
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  contractClient,
  freshPhone,
  type Init,
  printPrismOnFailure,
  requestViolations,
  responseViolations,
  send,
  smsCode,
} from "./lib/exchange";

const MAX_BODY_BYTES = 262_144;
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** The same request three ways; asserts what every case shares and hands the answers back. */
async function threeWays(path: string, init: Init, status: number) {
  const gateway = await send("gateway", path, init);
  const prism = await send("prism", path, init);
  const observer = await send("observer", path, init);
  expect(gateway.status).toBe(status);
  expect((gateway.json as { error?: { code?: string } } | undefined)?.error?.code).toEqual(expect.any(String));
  expect(observer.status).toBe(status);
  expect(responseViolations(observer)).toEqual([]);
  return { gateway, prism, observer };
}

/** Prism forwarded: the gateway's status, nothing flagged. */
function expectForwarded(prism: Answer, status: number) {
  expect(prism.violations).toEqual([]);
  expect(prism.status).toBe(status);
  expect(prism.headers.get("content-type")).toContain("application/json");
}

/** Prism refused the request itself with a problem+json whose violations are about `location` (and says so). */
function expectRefused(prism: Answer, status: number, location: string[]) {
  expect(prism.status).toBe(status);
  expect(prism.headers.get("content-type")).toContain("application/problem+json");
  const listed = (prism.json as { validation?: { location: string[] }[] }).validation ?? [];
  expect(listed.map((v) => v.location.slice(0, location.length))).toContainEqual(location);
}

describe("error answers through Prism", () => {
  printPrismOnFailure();
  let token = "";

  beforeAll(async () => {
    const { kormo } = contractClient();
    const phone = freshPhone();
    await kormo.requestOtp(phone);
    const verified = await kormo.verifyOtp(phone, await smsCode(phone));
    token = verified.data?.access_token ?? "";
    expect(token).not.toBe("");
  });

  it("no token: 401 from the gateway, and Prism's security check refuses it too", async () => {
    const { prism, observer } = await threeWays("/auth/whoami", {}, 401);
    // Prism answers a missing bearer token itself, with the scheme it wants.
    expect(prism.status).toBe(401);
    expect(prism.headers.get("www-authenticate")).toMatch(/^Bearer/i);
    expect(requestViolations(observer).map((v) => v.code)).toContain(401);
  });

  it("bad body: 400 from the gateway, and the document refuses the same field", async () => {
    const body = { provider_id: "not-a-number", service_type: "driver", payment_method: "cash" };
    const { prism, observer } = await threeWays(
      "/booking/bookings",
      { method: "POST", token, ...json(body, { "idempotency-key": crypto.randomUUID() }) },
      400,
    );
    expectRefused(prism, 422, ["body", "provider_id"]);
    expect(requestViolations(observer).length).toBeGreaterThan(0);
  });

  it("unknown id: 404, forwarded and validated by Prism", async () => {
    const { prism, gateway } = await threeWays("/booking/bookings/2000000000", { token }, 404);
    expectForwarded(prism, gateway.status);
    expect((prism.json as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("wrong method on a known path: 405 with Allow, and the document has no such operation either", async () => {
    const { prism, gateway } = await threeWays("/auth/whoami", { method: "DELETE", token }, 405);
    expect(gateway.headers.get("allow")).toContain("GET");
    // Prism's router knows the path but not the method, and answers 405 itself.
    expect(prism.status).toBe(405);
  });

  it("too large: 413 for a body over MAX_BODY_BYTES, forwarded and validated by Prism", async () => {
    // A valid request (OtpRequest allows more properties), only too big: Prism forwards it and checks the 413.
    const body = { phone: freshPhone(), padding: "x".repeat(MAX_BODY_BYTES) };
    const { prism, gateway } = await threeWays("/auth/otp/request", { method: "POST", ...json(body) }, 413);
    expectForwarded(prism, gateway.status);
    expect((prism.json as { error: { code: string } }).error.code).toBe("payload_too_large");
  });

  it("wrong content type: 415 for text/plain on a JSON endpoint, and the document refuses it too", async () => {
    const init = {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ phone: freshPhone() }),
    };
    const { prism, observer } = await threeWays("/auth/otp/request", init, 415);
    // Prism's request validation names the media type (its violation code 415) inside its own 422.
    expect(prism.status).toBe(422);
    const listed = (prism.json as { validation?: { code: unknown }[] }).validation ?? [];
    expect(listed.map((v) => v.code)).toContain(415);
    expect(requestViolations(observer).map((v) => v.code)).toContain(415);
  });
});
