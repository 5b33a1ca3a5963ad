import { env } from "cloudflare:workers";
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { MAX_DOCUMENT_BYTES } from "../../../platform/kyc-storage";
import { call, type Json, login, loginAdmin, makeProvider, sql } from "./helpers";

type Uploads = Record<string, { url: string; key: string; headers: Record<string, string> }>;

const DOCS = ["nid_front", "nid_back", "selfie"] as const;
/** Four bytes per document, the last one telling them apart. */
const bytesOf = (doc: string, tag = 0) => new Uint8Array([0xff, 0xd8, 0xff, doc.length + tag]);

async function requestUploads(token: string, contentType = "image/jpeg", size = 4) {
  const documents = Object.fromEntries(DOCS.map((d) => [d, { size }]));
  return call("/provider/kyc/uploads", { method: "POST", token, body: { content_type: contentType, documents } });
}

async function uploadAll(
  token: string,
  contentType = "image/jpeg",
): Promise<{ uploadId: string; keys: Record<string, string>; uploads: Uploads }> {
  const res = await requestUploads(token, contentType);
  expect(res.status).toBe(200);
  const uploads = res.body.uploads as Uploads;
  const keys: Record<string, string> = {};
  for (const [doc, u] of Object.entries(uploads)) {
    const put = await fetch(u.url, { method: "PUT", headers: u.headers, body: bytesOf(doc) });
    expect(put.status, doc).toBe(200);
    keys[doc] = u.key;
  }
  return { uploadId: res.body.upload_id as string, keys, uploads };
}

const submit = (token: string, body: Json) => call("/provider/kyc/submit", { method: "POST", token, body });

/** Writes straight to the store (as a compromised or buggy uploader could), bypassing the presigned URL's checks. */
async function storeDirectly(key: string, body: Uint8Array, contentType: string) {
  const client = new AwsClient({
    accessKeyId: env.KYC_S3_ACCESS_KEY_ID as string,
    secretAccessKey: env.KYC_S3_SECRET_ACCESS_KEY as string,
    service: "s3",
    region: "auto",
  });
  const res = await client.fetch(`${env.KYC_S3_ENDPOINT}/${env.KYC_S3_BUCKET}/${key}`, {
    method: "PUT",
    headers: { "content-type": contentType },
    body,
  });
  expect(res.status).toBe(200);
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
    const { keys: documents } = await uploadAll(p.user.access);
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

    const a = await loginAdmin();
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
    const { uploadId } = await uploadAll(p.user.access);
    const sub = await submit(p.user.access, { nid_number: "1234567890", upload_id: uploadId });
    const a = await loginAdmin();
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
    const stolen = await submit(p.user.access, { nid_number: "1234567890", documents: theirs.keys });
    expect(stolen.status).toBe(400);
    const stolenId = await submit(p.user.access, { nid_number: "1234567890", upload_id: theirs.uploadId });
    expect(stolenId.status).toBe(400);
    expect(JSON.stringify(stolenId.body)).toContain("not uploaded");
    const res = await requestUploads(p.user.access);
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

  it("refuses a key that climbs into another provider's uploads, in every spelling", async () => {
    const p = await makeProvider({ verified: false });
    const other = await makeProvider({ verified: false });
    const mine = await uploadAll(p.user.access);
    const theirs = await uploadAll(other.user.access);
    const me = p.providerId;
    const them = other.providerId;
    const batch = theirs.uploadId;
    const forged = [
      `kyc/${me}/../${them}/${batch}/nid_front`,
      `kyc/${me}/%2e%2e/${them}/${batch}/nid_front`,
      `kyc/${me}/%2E%2E%2F${them}/${batch}/nid_front`,
      `kyc/${me}/..%2f${them}/${batch}/nid_front`,
      `kyc/${me}/..\\${them}/${batch}/nid_front`,
      `kyc/${me}\\..\\${them}\\${batch}\\nid_front`,
      `kyc/${me}//${them}/${batch}/nid_front`,
      `kyc/${me}/./${mine.uploadId}/nid_front`,
      `kyc/${me}/${mine.uploadId}/./nid_front`,
      `kyc/${me}/${mine.uploadId}/selfie/../nid_front`,
      `kyc/${me}/${mine.uploadId.toUpperCase()}/nid_front`,
      `kyc/${me}/${mine.uploadId}/nid_back`,
      `/kyc/${me}/${mine.uploadId}/nid_front`,
      `kyc/0${me}/${mine.uploadId}/nid_front`,
    ];
    for (const key of forged) {
      const res = await submit(p.user.access, {
        nid_number: "1234567890",
        documents: { ...mine.keys, nid_front: key },
      });
      expect(res.status, key).toBe(400);
      expect(JSON.stringify(res.body), key).toContain("not an upload of yours");
    }
    // An upload id and keys that disagree are refused too.
    const mixed = await submit(p.user.access, {
      nid_number: "1234567890",
      upload_id: theirs.uploadId,
      documents: mine.keys,
    });
    expect(mixed.status).toBe(400);
    expect(await sql("SELECT id FROM kyc_submissions WHERE provider_id = $1", [me])).toEqual([]);
    // The exact keys as issued still work (older apps send keys, not the upload id).
    expect((await submit(p.user.access, { nid_number: "1234567890", documents: mine.keys })).status).toBe(201);
  });

  it("signs the content type and length: the store refuses any other, and the API refuses text/html or over 10 MB", async () => {
    const p = await makeProvider({ verified: false });
    const html = await requestUploads(p.user.access, "text/html");
    expect(html.status).toBe(400);
    const huge = await requestUploads(p.user.access, "image/png", MAX_DOCUMENT_BYTES + 1);
    expect(huge.status).toBe(400);
    expect((await requestUploads(p.user.access, "image/png", 0)).status).toBe(400);
    const missingSizes = await call("/provider/kyc/uploads", {
      method: "POST",
      token: p.user.access,
      body: { content_type: "image/png" },
    });
    expect(missingSizes.status).toBe(400);

    const res = await requestUploads(p.user.access, "image/png", 4);
    expect(res.status).toBe(200);
    const selfie = (res.body.uploads as Uploads).selfie;
    if (!selfie) throw new Error("no selfie upload");
    expect(selfie.headers).toEqual({ "Content-Type": "image/png", "Content-Length": "4" });
    expect(new URL(selfie.url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    const asHtml = await fetch(selfie.url, {
      method: "PUT",
      headers: { "Content-Type": "text/html" },
      body: "<b>x",
    });
    expect(asHtml.status).toBe(403);
    const longer = await fetch(selfie.url, {
      method: "PUT",
      headers: { "Content-Type": "image/png" },
      body: new Uint8Array(4096),
    });
    expect(longer.status).toBe(403);
    const right = await fetch(selfie.url, { method: "PUT", headers: selfie.headers, body: bytesOf("selfie") });
    expect(right.status).toBe(200);
  });

  it("refuses at submit a stored object that is not an image or is over 10 MB, however it got there", async () => {
    const p = await makeProvider({ verified: false });
    const html = await uploadAll(p.user.access);
    await storeDirectly(html.keys.selfie as string, new TextEncoder().encode("<script>alert(1)</script>"), "text/html");
    const refusedHtml = await submit(p.user.access, { nid_number: "1234567890", upload_id: html.uploadId });
    expect(refusedHtml.status).toBe(400);
    expect(JSON.stringify(refusedHtml.body)).toContain("not a JPEG, PNG or WebP image");

    const big = await uploadAll(p.user.access);
    await storeDirectly(big.keys.nid_back as string, new Uint8Array(MAX_DOCUMENT_BYTES + 1), "image/jpeg");
    const refusedBig = await submit(p.user.access, { nid_number: "1234567890", upload_id: big.uploadId });
    expect(refusedBig.status).toBe(400);
    expect(JSON.stringify(refusedBig.body)).toContain("larger than 10 MB");
    expect(await sql("SELECT id FROM kyc_submissions WHERE provider_id = $1", [p.providerId])).toEqual([]);
  });

  it("seals documents at submit: a PUT to the upload URL afterwards does not change what the admin sees", async () => {
    const p = await makeProvider({ verified: false });
    const { uploadId, uploads } = await uploadAll(p.user.access);
    const sub = await submit(p.user.access, { nid_number: "1234567890", upload_id: uploadId });
    expect(sub.status).toBe(201);
    // The presigned URL is still within its lifetime: the provider swaps the selfie (same type and length).
    const selfie = uploads.selfie;
    if (!selfie) throw new Error("no selfie upload");
    const swap = await fetch(selfie.url, { method: "PUT", headers: selfie.headers, body: bytesOf("selfie", 100) });
    expect(swap.status).toBe(200);

    const a = await loginAdmin();
    const detail = await call(`/provider/kyc/reviews/${sub.body.id}`, { token: a.access });
    expect(detail.status).toBe(200);
    const links = detail.body.documents as Record<string, { url: string }>;
    for (const doc of DOCS) {
      const url = links[doc]?.url as string;
      expect(new URL(url).pathname, doc).toContain(`/kyc-sealed/${p.providerId}/`);
      const got = await fetch(url);
      expect(got.status, doc).toBe(200);
      expect([...new Uint8Array(await got.arrayBuffer())], doc).toEqual([...bytesOf(doc)]);
    }
    const [row] = await sql<{ sealed: Record<string, { key: string; etag: string; size: number }> }>(
      "SELECT sealed FROM kyc_submissions WHERE id = $1",
      [sub.body.id],
    );
    expect(row?.sealed.selfie).toMatchObject({ size: 4, etag: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it("refuses to show a submission that was never sealed, so no unsealed upload reaches an admin", async () => {
    const p = await makeProvider({ verified: false });
    const { uploadId } = await uploadAll(p.user.access);
    const sub = await submit(p.user.access, { nid_number: "1234567890", upload_id: uploadId });
    await sql("UPDATE kyc_submissions SET sealed = NULL WHERE id = $1", [sub.body.id]);
    const a = await loginAdmin();
    expect((await call(`/provider/kyc/reviews/${sub.body.id}`, { token: a.access })).status).toBe(409);
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
