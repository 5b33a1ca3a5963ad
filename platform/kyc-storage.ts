// KYC documents live in R2 (S3 API; a local S3 simulator in dev). The phone uploads straight to storage with a
// short-lived SigV4-presigned PUT that signs the object's content type and exact length; at submit the gateway
// copies each upload server-side to a sealed key no upload URL was ever issued for, and admins read only those
// sealed copies through presigned GETs. Documents never pass through the Worker.
import { AwsClient } from "aws4fetch";
import { ImageType, type KycDocument } from "../lib/enums";
import type { Config } from "./config";

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const UPLOAD_ID = new RegExp(`^${UUID}$`);

/** Where a provider's upload of one document goes: the only shape of key a provider ever gets a PUT URL for. */
export const uploadKey = (providerId: number, uploadId: string, doc: KycDocument) =>
  `kyc/${providerId}/${uploadId}/${doc}`;

/** Where the submitted copy lives: no upload URL is ever issued under kyc-sealed/, so nobody can overwrite it. */
export const sealedKey = (providerId: number, sealId: string, doc: KycDocument) =>
  `kyc-sealed/${providerId}/${sealId}/${doc}`;

/**
 * The upload id of `key` when it is exactly `kyc/<providerId>/<uuid>/<doc>` for this provider and document, else
 * null. Compared as the raw string: no decoding, so `..`, `%2e%2e`, `\`, `//` or any other variant cannot match.
 */
export function uploadIdOf(key: string, providerId: number, doc: KycDocument): string | null {
  const m = new RegExp(`^kyc/${providerId}/(${UUID})/${doc}$`).exec(key);
  return m?.[1] ?? null;
}

export const isUploadId = (v: string) => UPLOAD_ID.test(v);

/** What a stored document must be to be reviewed: an allowed image type, 1 byte to 10 MB. */
export function documentProblem(
  head: { size: number; contentType: string } | null,
): "not_uploaded" | "document_too_large" | "document_empty" | "document_not_image" | null {
  if (!head) return "not_uploaded";
  if (head.size > MAX_DOCUMENT_BYTES) return "document_too_large";
  if (head.size < 1) return "document_empty";
  if (!ImageType.safeParse(head.contentType).success) return "document_not_image";
  return null;
}

export interface StoredObject {
  size: number;
  contentType: string;
  etag: string;
}

export function kycStore(cfg: Config) {
  const client = new AwsClient({
    accessKeyId: cfg.KYC_S3_ACCESS_KEY_ID,
    secretAccessKey: cfg.KYC_S3_SECRET_ACCESS_KEY,
    service: "s3",
    region: cfg.KYC_S3_REGION,
  });
  const path = (key: string) => `/${cfg.KYC_S3_BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}`;
  const objectUrl = (key: string) => `${cfg.KYC_S3_ENDPOINT.replace(/\/$/, "")}${path(key)}`;

  async function presign(method: "PUT" | "GET", key: string, expiresS: number, headers: Record<string, string> = {}) {
    const url = new URL(objectUrl(key));
    url.searchParams.set("X-Amz-Expires", String(expiresS));
    // allHeaders: aws4fetch leaves content-type and content-length unsigned unless told; the store then takes a PUT
    // only with exactly the signed type and length.
    const signed = await client.sign(url.toString(), { method, headers, aws: { signQuery: true, allHeaders: true } });
    return signed.url;
  }

  return {
    /** A PUT URL that the store honours only with this Content-Type and exactly this Content-Length. */
    presignPut: (key: string, contentType: string, size: number, expiresS: number) =>
      presign("PUT", key, expiresS, { "content-type": contentType, "content-length": String(size) }),
    presignGet: (key: string, expiresS: number) => presign("GET", key, expiresS),
    /** Size, type and ETag of a stored object, or null when it is not there. */
    async head(key: string): Promise<StoredObject | null> {
      const res = await client.fetch(objectUrl(key), { method: "HEAD" });
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`object store answered ${res.status}`);
      return {
        size: Number(res.headers.get("content-length") ?? 0),
        contentType: res.headers.get("content-type") ?? "",
        etag: (res.headers.get("etag") ?? "").replace(/"/g, ""),
      };
    },
    /** Server-side copy (S3 CopyObject); false when the source is not there. */
    async copy(from: string, to: string): Promise<boolean> {
      const res = await client.fetch(objectUrl(to), { method: "PUT", headers: { "x-amz-copy-source": path(from) } });
      await res.body?.cancel();
      if (res.status === 404) return false;
      if (!res.ok) throw new Error(`object store answered ${res.status} to a copy`);
      return true;
    },
    async remove(key: string): Promise<void> {
      const res = await client.fetch(objectUrl(key), { method: "DELETE" });
      await res.body?.cancel();
      if (!res.ok && res.status !== 404) throw new Error(`object store answered ${res.status} to a delete`);
    },
  };
}
