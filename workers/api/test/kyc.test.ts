import { describe, expect, it } from "vitest";
import { call, type Json, login, makeProvider, type Session, sql } from "./helpers";

async function admin(): Promise<Session> {
  const s = await login();
  await sql("UPDATE users SET role = 'admin' WHERE id = $1", [s.userId]);
  return login(s.phone);
}

type Uploads = Record<string, { url: string; key: string; headers: Record<string, string> }>;

async function uploadAll(token: string, contentType = "image/jpeg"): Promise<Record<string, string>> {
  const res = await call("/provider/kyc/uploads", { method: "POST", token, body: { content_type: contentType } });
  expect(res.status).toBe(200);
  const uploads = res.body.uploads as Uploads;
  const keys: Record<string, string> = {};
  for (const [doc, u] of Object.entries(uploads)) {
    const put = await fetch(u.url, {
      method: "PUT",
      headers: u.headers,
      body: new Uint8Array([0xff, 0xd8, 0xff, doc.length]),
    });
    expect(put.status, doc).toBe(200);
    keys[doc] = u.key;
  }
  return keys;
}

const ids = async (lat: number, lng: number) =>
  (
    (await call(`/search/providers?lat=${lat}&lng=${lng}&service_type=driver`)).body.items as { provider_id: number }[]
  ).map((i) => i.provider_id);

describe("KYC", () => {
  it("takes a provider from unverified to verified through upload, submit and admin approval", async () => {
    const lat = -60 + Math.random();
    const lng = 10 + Math.random();
    const p = await makeProvider({ lat, lng, verified: false });
    expect(await ids(lat, lng)).toEqual([]); // cached now, as a MISS that found nobody
    const documents = await uploadAll(p.user.access);
    const submitted = await call("/provider/kyc/submit", {
      method: "POST",
      token: p.user.access,
      body: { nid_number: "১৯৯০ ২৬১২ ৩৪৫৬ ৭৮৯০১", documents },
    });
    expect(submitted.status).toBe(201);
    const again = await call("/provider/kyc/submit", {
      method: "POST",
      token: p.user.access,
      body: { nid_number: "1234567890", documents },
    });
    expect(again.status).toBe(409);

    const a = await admin();
    const list = await call("/provider/kyc/reviews", { token: a.access });
    const mine = (list.body.reviews as Json[]).find((r) => r.provider_id === p.providerId);
    expect(mine).toMatchObject({ status: "pending" });
    const detail = await call(`/provider/kyc/reviews/${mine?.id}`, { token: a.access });
    expect(detail.body).toMatchObject({ nid_number: "19902612345678901", provider: { id: p.providerId } });
    const docUrl = (detail.body.documents as Record<string, { url: string }>).selfie?.url as string;
    const doc = await fetch(docUrl);
    expect(doc.status).toBe(200);
    expect([...new Uint8Array(await doc.arrayBuffer())]).toEqual([0xff, 0xd8, 0xff, "selfie".length]);
    const forged = new URL(docUrl);
    forged.searchParams.set("X-Amz-Signature", "0".repeat(64));
    expect((await fetch(forged)).status).toBe(403);

    const approved = await call(`/provider/kyc/reviews/${mine?.id}/approve`, { method: "POST", token: a.access });
    expect(approved.body).toMatchObject({ status: "approved" });
    expect((await call(`/provider/kyc/reviews/${mine?.id}/approve`, { method: "POST", token: a.access })).status).toBe(
      200,
    );
    expect(
      (
        await call(`/provider/kyc/reviews/${mine?.id}/reject`, {
          method: "POST",
          token: a.access,
          body: { reason: "late change" },
        })
      ).status,
    ).toBe(409);
    expect(await ids(lat, lng)).toEqual([p.providerId]);
    const trail = await sql<{ action: string }>("SELECT action FROM admin_audit WHERE admin_id = $1 ORDER BY id", [
      a.userId,
    ]);
    expect(trail.map((t) => t.action)).toEqual(["kyc.list", "kyc.view", "kyc.approve"]);
    const tamper = await sql("UPDATE admin_audit SET action = 'x' WHERE admin_id = $1", [a.userId]).catch(
      (e: { code?: string }) => e.code,
    );
    expect(tamper).toBe("42501");
  });

  it("stops serving a provider from cache the moment they are no longer verified", async () => {
    const lat = -62 + Math.random();
    const lng = 12 + Math.random();
    const p = await makeProvider({ lat, lng, verified: false });
    const documents = await uploadAll(p.user.access);
    const sub = await call("/provider/kyc/submit", {
      method: "POST",
      token: p.user.access,
      body: { nid_number: "1234567890", documents },
    });
    const a = await admin();
    await call(`/provider/kyc/reviews/${sub.body.id}/approve`, { method: "POST", token: a.access });
    expect(await ids(lat, lng)).toEqual([p.providerId]);
    expect(await ids(lat, lng)).toEqual([p.providerId]); // a HIT now
    // Verification revoked: an admin rejects a fresh submission after a document problem is found.
    await sql("UPDATE kyc_submissions SET status = 'pending' WHERE id = $1", [sub.body.id]);
    const rejected = await call(`/provider/kyc/reviews/${sub.body.id}/reject`, {
      method: "POST",
      token: a.access,
      body: { reason: "NID photo unreadable" },
    });
    expect(rejected.body).toMatchObject({ status: "rejected", reason: "NID photo unreadable" });
    expect(await ids(lat, lng)).toEqual([]);
  });

  it("refuses documents that were not uploaded, belong to someone else, or come with a bad NID", async () => {
    const p = await makeProvider({ verified: false });
    const other = await makeProvider({ verified: false });
    const theirs = await uploadAll(other.user.access);
    const stolen = await call("/provider/kyc/submit", {
      method: "POST",
      token: p.user.access,
      body: { nid_number: "1234567890", documents: theirs },
    });
    expect(stolen.status).toBe(400);
    const res = await call("/provider/kyc/uploads", { method: "POST", token: p.user.access });
    const keys = Object.fromEntries(Object.entries(res.body.uploads as Uploads).map(([d, u]) => [d, u.key]));
    const missing = await call("/provider/kyc/submit", {
      method: "POST",
      token: p.user.access,
      body: { nid_number: "1234567890", documents: keys },
    });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain("not uploaded");
    const badNid = await call("/provider/kyc/submit", {
      method: "POST",
      token: p.user.access,
      body: { nid_number: "12345", documents: keys },
    });
    expect(badNid.status).toBe(400);
  });

  it("keeps reviews for admins only", async () => {
    const p = await makeProvider();
    const customer = await login();
    expect((await call("/provider/kyc/reviews", { token: customer.access })).status).toBe(403);
    expect((await call("/provider/kyc/reviews", { token: p.user.access })).status).toBe(403);
    expect((await call("/provider/kyc/reviews/1/approve", { method: "POST", token: p.user.access })).status).toBe(403);
    expect((await call("/provider/kyc/reviews")).status).toBe(401);
  });
});
