// S3-compatible object store for local KYC uploads (R2's S3 API in production): path-style PUT/GET/HEAD/DELETE and
// CopyObject, every request checked for a valid SigV4 signature (presigned query or Authorization header) and
// expiry. As S3 does, every header named in SignedHeaders must arrive with the signed value (so a URL presigned
// for one content type and length takes no other), and a body must be exactly its Content-Length.
import { createHash } from "node:crypto";
import { AwsV4Signer } from "aws4fetch";
import { listen, sendJson } from "./http.mjs";

const MAX_OBJECT_BYTES = 20 * 1024 * 1024;

function s3Error(res, status, code, message) {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** "20300101T000000Z" -> ms since epoch. */
function amzDateMs(v) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v ?? "");
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : Number.NaN;
}

/** Recomputes the request's signature with the shared secret; true when it matches and has not expired. */
async function verify(req, url, { accessKeyId, secretAccessKey, region }) {
  const query = url.searchParams;
  const presigned = query.has("X-Amz-Signature");
  let given;
  let datetime;
  let signedHeaders;
  if (presigned) {
    given = query.get("X-Amz-Signature");
    datetime = query.get("X-Amz-Date");
    signedHeaders = (query.get("X-Amz-SignedHeaders") ?? "").split(";");
    const expires = Number(query.get("X-Amz-Expires") ?? 0);
    if (!(amzDateMs(datetime) + expires * 1000 > Date.now())) return "expired";
  } else {
    const auth = req.headers.authorization ?? "";
    const m = /^AWS4-HMAC-SHA256 Credential=[^,]+, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(auth);
    if (!m) return "missing";
    signedHeaders = m[1].split(";");
    given = m[2];
    datetime = req.headers["x-amz-date"];
    if (Math.abs(amzDateMs(datetime) - Date.now()) > 15 * 60_000) return "expired";
  }
  const headers = {};
  for (const h of signedHeaders) {
    if (h === "host") continue;
    // A signed header the request does not carry cannot match its signature.
    if (req.headers[h] === undefined) return "mismatch";
    headers[h] = req.headers[h];
  }
  const unsigned = new URL(url);
  unsigned.searchParams.delete("X-Amz-Signature");
  const signer = new AwsV4Signer({
    method: req.method,
    url: unsigned.toString(),
    headers,
    accessKeyId,
    secretAccessKey,
    service: "s3",
    region,
    datetime,
    signQuery: presigned,
    // Whatever the client listed is signed, content-type and content-length included (aws4fetch skips those unless asked).
    allHeaders: true,
  });
  const { url: signedUrl, headers: signedHeadersOut } = await signer.sign();
  const expected = presigned
    ? signedUrl.searchParams.get("X-Amz-Signature")
    : /Signature=([0-9a-f]+)/.exec(signedHeadersOut.get("authorization") ?? "")?.[1];
  return expected === given ? "ok" : "mismatch";
}

/**
 * startS3Simulator({ accessKeyId, secretAccessKey, bucket, region = "auto" }) -> { port, url, close(), objects }.
 * The object map is exposed for tests; a missing bucket is NoSuchBucket, a missing key NoSuchKey, as in S3.
 */
export async function startS3Simulator({ port = 0, accessKeyId, secretAccessKey, bucket, region = "auto" }) {
  const objects = new Map();
  const server = await listen(
    async (req, res, url) => {
      if (url.pathname === "/__sim/health") return sendJson(res, 200, { ok: true });
      const [, b, ...rest] = url.pathname.split("/");
      const key = decodeURIComponent(rest.join("/"));
      if (b !== bucket) return s3Error(res, 404, "NoSuchBucket", "The specified bucket does not exist");
      // Behind our own fetch the Host is 127.0.0.1:port, exactly what the presigner saw.
      const full = new URL(`http://${req.headers.host}${req.url}`);
      const check = await verify(req, full, { accessKeyId, secretAccessKey, region });
      if (check === "expired") return s3Error(res, 403, "AccessDenied", "Request has expired");
      if (check !== "ok")
        return s3Error(res, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match");
      if (!key) return s3Error(res, 400, "InvalidRequest", "Missing key");

      const copySource = req.headers["x-amz-copy-source"];
      if (req.method === "PUT" && copySource) {
        // CopyObject: "/bucket/key" (URL-encoded) of this store; the copy keeps the source's bytes and type.
        const [, srcBucket, ...srcRest] = decodeURIComponent(String(copySource)).replace(/^\/?/, "/").split("/");
        const source = srcBucket === bucket ? objects.get(srcRest.join("/")) : undefined;
        if (!source) return s3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
        objects.set(key, { ...source });
        res.writeHead(200, { "content-type": "application/xml" });
        return res.end(
          `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>"${source.etag}"</ETag></CopyObjectResult>`,
        );
      }

      if (req.method === "PUT") {
        const declared = req.headers["content-length"];
        if (declared === undefined)
          return s3Error(res, 411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
        const chunks = [];
        let size = 0;
        for await (const chunk of req) {
          size += chunk.length;
          if (size > MAX_OBJECT_BYTES)
            return s3Error(res, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
          chunks.push(chunk);
        }
        if (size !== Number(declared)) {
          return s3Error(
            res,
            400,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
          );
        }
        const body = Buffer.concat(chunks);
        const etag = createHash("md5").update(body).digest("hex");
        objects.set(key, { body, etag, contentType: req.headers["content-type"] ?? "application/octet-stream" });
        res.writeHead(200, { etag: `"${etag}"` });
        return res.end();
      }
      const obj = objects.get(key);
      if (req.method === "DELETE") {
        objects.delete(key);
        res.writeHead(204);
        return res.end();
      }
      if (!obj) {
        if (req.method === "HEAD") {
          res.writeHead(404);
          return res.end();
        }
        return s3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
      }
      if (req.method === "HEAD" || req.method === "GET") {
        res.writeHead(200, {
          "content-type": obj.contentType,
          "content-length": obj.body.length,
          etag: `"${obj.etag}"`,
        });
        return res.end(req.method === "GET" ? obj.body : undefined);
      }
      return s3Error(res, 405, "MethodNotAllowed", "The specified method is not allowed");
    },
    { port },
  );
  return { ...server, objects };
}
