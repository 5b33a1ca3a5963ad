// KYC documents live in R2 (S3 API; a local S3 simulator in dev). The phone uploads straight to storage with a
// short-lived SigV4-presigned PUT; admins read through presigned GETs. Documents never pass through the Worker.
import { AwsClient } from "aws4fetch";
import type { Config } from "./config";

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export function kycStore(cfg: Config) {
  const client = new AwsClient({
    accessKeyId: cfg.KYC_S3_ACCESS_KEY_ID,
    secretAccessKey: cfg.KYC_S3_SECRET_ACCESS_KEY,
    service: "s3",
    region: cfg.KYC_S3_REGION,
  });
  const objectUrl = (key: string) =>
    `${cfg.KYC_S3_ENDPOINT.replace(/\/$/, "")}/${cfg.KYC_S3_BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}`;

  async function presign(method: "PUT" | "GET", key: string, expiresS: number, headers: Record<string, string> = {}) {
    const url = new URL(objectUrl(key));
    url.searchParams.set("X-Amz-Expires", String(expiresS));
    const signed = await client.sign(url.toString(), { method, headers, aws: { signQuery: true } });
    return signed.url;
  }

  return {
    presignPut: (key: string, contentType: string, expiresS: number) =>
      presign("PUT", key, expiresS, { "content-type": contentType }),
    presignGet: (key: string, expiresS: number) => presign("GET", key, expiresS),
    /** Size and type of a stored object, or null when it is not there. */
    async head(key: string): Promise<{ size: number; contentType: string } | null> {
      const res = await client.fetch(objectUrl(key), { method: "HEAD" });
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`object store answered ${res.status}`);
      return {
        size: Number(res.headers.get("content-length") ?? 0),
        contentType: res.headers.get("content-type") ?? "",
      };
    },
  };
}
