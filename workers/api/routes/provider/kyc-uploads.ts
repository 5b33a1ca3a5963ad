// POST /provider/kyc/uploads: presigned PUT URLs for NID front, NID back and a selfie, straight to storage.
import { createRoute, z } from "@hono/zod-openapi";
import { ImageType, KycDocument } from "../../../../lib/enums";
import { kycStore } from "../../../../platform/kyc-storage";
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, errorResponses, json } from "../../openapi";
import { myProvider } from "../../queries/provider";

const UPLOAD_TTL_S = 600;

const Upload = z.object({
  method: z.literal("PUT"),
  url: z.string(),
  key: z.string(),
  headers: z.record(z.string(), z.string()),
});
const Uploads = z
  .object({ expires_in: z.number().int(), uploads: z.record(KycDocument, Upload) })
  .openapi("KycUploads");

const route = createRoute({
  method: "post",
  path: "/kyc/uploads",
  tags: ["provider"],
  summary: "Get presigned upload URLs for NID front, NID back and a selfie",
  description: `PUT each file to its URL with the given Content-Type within ${UPLOAD_TTL_S} s (at most 10 MB each), then submit.`,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: false,
      content: json(z.object({ content_type: ImageType.default("image/jpeg") }).openapi("KycUploadRequest")),
    },
  },
  responses: {
    200: { description: "One presigned PUT per document", content: json(Uploads) },
    ...errorResponses(401, 404),
  },
});

export function registerKycUploads(app: App) {
  app.openapi(route, async (c) => {
    const provider = await myProvider(c);
    const contentType = c.req.header("content-type")?.includes("json")
      ? c.req.valid("json").content_type
      : "image/jpeg";
    const store = kycStore(c.var.config);
    const batch = crypto.randomUUID();
    const presigned = async (doc: KycDocument): Promise<z.infer<typeof Upload>> => {
      // The key names the provider and the document: /kyc/submit accepts only keys shaped like this for its caller.
      const key = `kyc/${provider.id}/${batch}/${doc}`;
      const url = await store.presignPut(key, contentType, UPLOAD_TTL_S);
      return { method: "PUT", url, key, headers: { "Content-Type": contentType } };
    };
    // Spelled out so the compiler checks the answer names every KycDocument, each once.
    const [nid_front, nid_back, selfie] = await Promise.all([
      presigned("nid_front"),
      presigned("nid_back"),
      presigned("selfie"),
    ]);
    return c.json({ expires_in: UPLOAD_TTL_S, uploads: { nid_front, nid_back, selfie } }, 200);
  });
}
