// Every request example in the OpenAPI document is sent to the gateway and must succeed: the docs' "Try it" and a
// generator's sample code start from a body the server takes. What only this test's world can know is filled in:
// ids (the provider, the booking, the upload), phone numbers and push tokens (fresh, so runs never collide), and
// the example's instants, all shifted by one amount so the earliest is two days ahead (the booking horizon and
// "not in the past" move with the calendar; durations and times of day stay the example's).
import { describe, expect, it } from "vitest";
import document from "../../../docs/openapi.json";
import {
  acceptedBooking,
  call,
  freshPhone,
  idemKey,
  type Json,
  login,
  loginAdmin,
  makeProvider,
  plantCode,
  sql,
  startNow,
  window,
} from "./helpers";
import { createRequest, offerFor, requestBody, spot, tutor, waveOut } from "./matching-helpers";
import { completedBooking, review } from "./review-fixtures";
import { deliverStripe, signStripe } from "./stripe";

type Operation = {
  operationId: string;
  requestBody?: { content: { "application/json"?: { example?: unknown } } };
};
const doc = document as unknown as { paths: Record<string, Record<string, Operation>> };

const examples = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).flatMap(([method, op]) => {
    const example = op.requestBody?.content["application/json"]?.example;
    return example === undefined ? [] : [{ path, method: method.toUpperCase(), id: op.operationId, example }];
  }),
);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Shifts every instant in `v` by whole days so that the earliest lies at least two days from now. */
function shiftInstants(v: unknown): unknown {
  const found: number[] = [];
  const collect = (x: unknown) => {
    if (typeof x === "string" && ISO.test(x)) found.push(Date.parse(x));
    else if (Array.isArray(x)) x.forEach(collect);
    else if (x && typeof x === "object") Object.values(x).forEach(collect);
  };
  collect(v);
  if (!found.length) return v;
  const days = Math.ceil((Date.now() + 2 * 86_400_000 - Math.min(...found)) / 86_400_000);
  const map = (x: unknown): unknown => {
    if (typeof x === "string" && ISO.test(x)) return new Date(Date.parse(x) + days * 86_400_000).toISOString();
    if (Array.isArray(x)) return x.map(map);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, map(y)]));
    return x;
  };
  return map(v);
}

/** A provider that is waiting for KYC review, with its documents uploaded; the upload id to submit. */
async function uploaded() {
  const p = await makeProvider({ verified: false });
  const documents = { nid_front: { size: 4 }, nid_back: { size: 4 }, selfie: { size: 4 } };
  const res = await call("/provider/kyc/uploads", { method: "POST", token: p.user.access, body: { documents } });
  expect(res.status).toBe(200);
  for (const u of Object.values(res.body.uploads as Record<string, { url: string; headers: Record<string, string> }>)) {
    const put = await fetch(u.url, { method: "PUT", headers: u.headers, body: new Uint8Array([0xff, 0xd8, 0xff, 1]) });
    expect(put.status).toBe(200);
  }
  return { p, uploadId: res.body.upload_id as string };
}

async function pendingReview() {
  const { p, uploadId } = await uploaded();
  const res = await call("/provider/kyc/submit", {
    method: "POST",
    token: p.user.access,
    body: { nid_number: "1990123456789", upload_id: uploadId },
  });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

async function pendingBooking() {
  const p = await makeProvider({ services: [{ service_type: "cook", price_poisha: 40_000, unit: "hour" }] });
  const customer = await login();
  const res = await call("/booking/bookings", {
    method: "POST",
    token: customer.access,
    headers: idemKey(),
    body: { provider_id: p.providerId, service_type: "cook", ...window(72) },
  });
  expect(res.status).toBe(201);
  return { p, customer, id: res.body.id as number };
}

/** A customer's review of a completed booking, published (both sides wrote). */
async function publishedReview() {
  const b = await completedBooking();
  const mine = await review(b.customer.access, b.id, { rating: 5 });
  expect(mine.status).toBe(201);
  expect((await review(b.p.user.access, b.id, { rating: 5 })).status).toBe(201);
  return { b, id: mine.body.id as number };
}

interface Ready {
  /** The concrete path (ids filled in). */
  path?: string;
  token?: string;
  headers?: Record<string, string>;
  /** Fields this world decides (ids, fresh phones and tokens). */
  body?: Json;
}

const uniqueToken = () => `fcm-${crypto.randomUUID()}:APA91bExample`;

/** How each operation with an example is made ready: who calls, on which resource. */
const WORLD: Record<string, () => Promise<Ready>> = {
  requestOtp: async () => ({ body: { phone: freshPhone() } }),
  verifyOtp: async () => {
    const phone = freshPhone();
    return { body: { phone, code: await plantCode(phone) } };
  },
  createProvider: async () => ({ token: (await login()).access }),
  updateMyProvider: async () => ({ token: (await makeProvider()).user.access }),
  setMyAvailability: async () => ({ token: (await makeProvider()).user.access }),
  registerDevice: async () => ({ token: (await login()).access, body: { push_token: uniqueToken() } }),
  registerDeviceLegacy: async () => ({ token: (await login()).access, body: { push_token: uniqueToken() } }),
  unregisterDevice: async () => {
    const s = await login();
    const push_token = uniqueToken();
    const reg = await call("/notifications/devices", {
      method: "POST",
      token: s.access,
      body: { push_token, platform: "android" },
    });
    expect(reg.status).toBe(200);
    return { token: s.access, body: { push_token } };
  },
  createKycUploads: async () => ({ token: (await makeProvider({ verified: false })).user.access }),
  submitKyc: async () => {
    const { p, uploadId } = await uploaded();
    return { token: p.user.access, body: { upload_id: uploadId } };
  },
  approveKycReview: async () => ({
    path: `/provider/kyc/reviews/${await pendingReview()}/approve`,
    token: (await loginAdmin()).access,
  }),
  rejectKycReview: async () => ({
    path: `/provider/kyc/reviews/${await pendingReview()}/reject`,
    token: (await loginAdmin()).access,
  }),
  createBooking: async () => {
    const p = await makeProvider({ services: [{ service_type: "cook", price_poisha: 40_000, unit: "hour" }] });
    return { token: (await login()).access, headers: idemKey(), body: { provider_id: p.providerId } };
  },
  acceptBooking: async () => {
    const b = await pendingBooking();
    return { path: `/booking/bookings/${b.id}/accept`, token: b.p.user.access, headers: idemKey() };
  },
  declineBooking: async () => {
    const b = await pendingBooking();
    return { path: `/booking/bookings/${b.id}/decline`, token: b.p.user.access, headers: idemKey() };
  },
  cancelBooking: async () => {
    const b = await pendingBooking();
    return { path: `/booking/bookings/${b.id}/cancel`, token: b.customer.access, headers: idemKey() };
  },
  confirmBooking: async () => {
    const b = await acceptedBooking("cash");
    return { path: `/booking/bookings/${b.id}/confirm`, token: b.customer.access, headers: idemKey() };
  },
  completeBooking: async () => {
    const b = await acceptedBooking("cash");
    const confirmed = await call(`/booking/bookings/${b.id}/confirm`, { method: "POST", token: b.customer.access });
    expect(confirmed.status).toBe(200);
    await startNow(b.id);
    return { path: `/booking/bookings/${b.id}/complete`, token: b.p.user.access, headers: idemKey() };
  },
  refundBooking: async () => {
    const b = await acceptedBooking("card");
    const confirmed = await call(`/booking/bookings/${b.id}/confirm`, { method: "POST", token: b.customer.access });
    expect(confirmed.status).toBe(200);
    await startNow(b.id);
    const done = await call(`/booking/bookings/${b.id}/complete`, { method: "POST", token: b.p.user.access });
    expect(done.status).toBe(200);
    return { path: `/payments/bookings/${b.id}/refund`, token: (await loginAdmin()).access, headers: idemKey() };
  },
  setNotificationPreferences: async () => ({ token: (await login()).access }),
  submitReview: async () => {
    const b = await completedBooking();
    return { path: `/booking/bookings/${b.id}/review`, token: b.customer.access, headers: idemKey() };
  },
  replyToReview: async () => {
    const r = await publishedReview();
    return { path: `/provider/reviews/${r.id}/reply`, token: r.b.p.user.access };
  },
  reportReview: async () => {
    const r = await publishedReview();
    return { path: `/provider/reviews/${r.id}/report`, token: r.b.p.user.access };
  },
  moderateReview: async () => {
    const r = await publishedReview();
    return { path: `/provider/reviews/${r.id}/moderate`, token: (await loginAdmin()).access };
  },
  setPayoutAccount: async () => ({ token: (await makeProvider()).user.access }),
  runPayouts: async () => ({
    token: (await loginAdmin()).access,
    body: { provider_id: (await makeProvider()).providerId },
  }),
  openDispute: async () => {
    const b = await acceptedBooking("cash");
    await call(`/booking/bookings/${b.id}/confirm`, { method: "POST", token: b.customer.access });
    await startNow(b.id);
    expect((await call(`/booking/bookings/${b.id}/complete`, { method: "POST", token: b.p.user.access })).status).toBe(
      200,
    );
    return { path: `/booking/bookings/${b.id}/dispute`, token: b.customer.access };
  },
  resolveDispute: async () => {
    const b = await acceptedBooking("card");
    await call(`/booking/bookings/${b.id}/confirm`, { method: "POST", token: b.customer.access });
    await startNow(b.id);
    expect((await call(`/booking/bookings/${b.id}/complete`, { method: "POST", token: b.p.user.access })).status).toBe(
      200,
    );
    const d = await call(`/booking/bookings/${b.id}/dispute`, {
      method: "POST",
      token: b.customer.access,
      body: { reason: "Left early." },
    });
    expect(d.status).toBe(201);
    return { path: `/payments/disputes/${d.body.id}/resolve`, token: (await loginAdmin()).access };
  },
  sendChatMessage: async () => {
    const b = await pendingBooking();
    return { path: `/chat/bookings/${b.id}/messages`, token: b.customer.access };
  },
  reportChat: async () => {
    const b = await pendingBooking();
    return { path: `/chat/bookings/${b.id}/report`, token: b.customer.access };
  },
  blockChat: async () => {
    const b = await pendingBooking();
    return { path: `/chat/bookings/${b.id}/block`, token: b.p.user.access };
  },
  resolveChatCase: async () => {
    const b = await pendingBooking();
    const reported = await call(`/chat/bookings/${b.id}/report`, { method: "POST", token: b.customer.access });
    expect(reported.status).toBe(200);
    const [found] = await sql<{ id: string }>("SELECT id FROM chat_cases WHERE booking_id = $1", [b.id]);
    return {
      path: `/chat/admin/cases/${found?.id}/resolve`,
      token: (await loginAdmin()).access,
      body: { user_id: b.p.user.userId },
    };
  },
  receiveStripeWebhook: async () => ({}),
  // A spot of its own: the example's Gulshan point would offer the job to every other test's drivers there.
  createJobRequest: async () => ({ token: (await login()).access, headers: idemKey(), body: { location: spot() } }),
  declineJobOffer: async () => {
    const at = spot();
    const p = await tutor(at, 300);
    const id = await createRequest(await login(), requestBody(at));
    await waveOut(id, 1);
    return { path: `/booking/offers/${await offerFor(id, p)}/decline`, token: p.user.access };
  },
};

describe("request examples in the OpenAPI document", () => {
  it("gives every operation with a request body an example, and this test a way to send each", () => {
    const withBody = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).filter((op) => op.requestBody !== undefined),
    );
    expect(withBody.filter((op) => op.requestBody?.content["application/json"]?.example === undefined)).toEqual([]);
    expect(examples.map((e) => e.id).sort()).toEqual(Object.keys(WORLD).sort());
  });

  for (const { path, method, id, example } of examples) {
    it(`${id}: the example succeeds`, async () => {
      const ready = await (WORLD[id] as () => Promise<Ready>)();
      const body = { ...(shiftInstants(example) as Json), ...ready.body };
      if (id === "receiveStripeWebhook") {
        const payload = JSON.stringify({ ...body, id: `evt_${crypto.randomUUID().replace(/-/g, "")}` });
        const res = await deliverStripe(payload, await signStripe(payload));
        expect(res.status).toBe(200);
        return;
      }
      const res = await call(ready.path ?? path, {
        method,
        token: ready.token,
        headers: ready.headers,
        body,
      });
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    });
  }
});
