import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Simulator } from "../../simulators/s3.mjs";

const creds = { accessKeyId: "test-key", secretAccessKey: "test-secret" };
let sim;
let client;
const url = (key) => `${sim.url}/kyc/${key}`;

async function presignPut(key, headers) {
  const u = new URL(url(key));
  u.searchParams.set("X-Amz-Expires", "60");
  const signed = await client.sign(u.toString(), {
    method: "PUT",
    headers,
    aws: { signQuery: true, allHeaders: true },
  });
  return signed.url;
}

beforeAll(async () => {
  sim = await startS3Simulator({ ...creds, bucket: "kyc" });
  client = new AwsClient({ ...creds, service: "s3", region: "auto" });
});
afterAll(() => sim.close());

describe("S3 simulator", () => {
  it("stores a presigned PUT whose content type and length are the signed ones", async () => {
    const target = await presignPut("a/doc", { "content-type": "image/png", "content-length": "4" });
    const res = await fetch(target, { method: "PUT", headers: { "content-type": "image/png" }, body: "abcd" });
    expect(res.status).toBe(200);
    expect(sim.objects.get("a/doc").contentType).toBe("image/png");
  });

  it("refuses a presigned PUT carrying another content type than the one signed", async () => {
    const target = await presignPut("a/html", { "content-type": "image/png", "content-length": "4" });
    const res = await fetch(target, { method: "PUT", headers: { "content-type": "text/html" }, body: "abcd" });
    expect(res.status).toBe(403);
    expect(sim.objects.has("a/html")).toBe(false);
  });

  it("refuses a presigned PUT of another length than the one signed", async () => {
    const target = await presignPut("a/big", { "content-type": "image/png", "content-length": "4" });
    const res = await fetch(target, { method: "PUT", headers: { "content-type": "image/png" }, body: "abcdefgh" });
    expect(res.status).toBe(403);
    expect(sim.objects.has("a/big")).toBe(false);
  });

  it("copies an object server-side, and later writes to the source leave the copy alone", async () => {
    const put = await presignPut("src/doc", { "content-type": "image/jpeg", "content-length": "3" });
    expect((await fetch(put, { method: "PUT", headers: { "content-type": "image/jpeg" }, body: "one" })).status).toBe(
      200,
    );
    const copy = await client.fetch(url("sealed/doc"), {
      method: "PUT",
      headers: { "x-amz-copy-source": "/kyc/src/doc" },
    });
    expect(copy.status).toBe(200);
    expect(await copy.text()).toContain("<ETag>");
    const again = await presignPut("src/doc", { "content-type": "image/jpeg", "content-length": "3" });
    await fetch(again, { method: "PUT", headers: { "content-type": "image/jpeg" }, body: "two" });
    expect(sim.objects.get("sealed/doc").body.toString()).toBe("one");
    const head = await client.fetch(url("sealed/doc"), { method: "HEAD" });
    expect(head.headers.get("etag")).toBe(`"${sim.objects.get("sealed/doc").etag}"`);
  });

  it("answers NoSuchKey for a copy of a missing object and refuses an unsigned request", async () => {
    const copy = await client.fetch(url("x"), { method: "PUT", headers: { "x-amz-copy-source": "/kyc/missing" } });
    expect(copy.status).toBe(404);
    expect((await fetch(url("a/doc"))).status).toBe(403);
  });
});
