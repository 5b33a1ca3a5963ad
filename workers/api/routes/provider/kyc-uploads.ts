// POST /provider/kyc/uploads: presigned PUT URLs for NID front, NID back and a selfie, straight to storage.
import { z } from "@hono/zod-openapi";
import { ImageType, KycDocument } from "../../../../lib/enums";
import { kycStore, MAX_DOCUMENT_BYTES, uploadKey } from "../../../../platform/kyc-storage";
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { myProvider } from "../../queries/provider";
import { withDefault } from "../shared/params";

const UPLOAD_TTL_S = 600;

const Upload = z.object({
  method: z.literal("PUT"),
  url: z.string(),
  key: z.string(),
  headers: z.record(z.string(), z.string()),
});
const Uploads = z
  .object({
    upload_id: z.string().uuid().openapi({ description: "Submit with this id: the server derives the keys from it" }),
    expires_in: z.number().int(),
    uploads: z.record(KycDocument, Upload),
  })
  .openapi("KycUploads");

const DocumentFile = z
  .object({
    size: z.number().int().min(1).max(MAX_DOCUMENT_BYTES).openapi({ description: "Exact size of the file in bytes" }),
    content_type: ImageType.optional().openapi({
      description: "This file's type; the request's content_type if not given",
    }),
  })
  .openapi("KycUploadFile");

const Body = z
  .object({
    content_type: withDefault(ImageType, "image/jpeg"),
    documents: z.object({ nid_front: DocumentFile, nid_back: DocumentFile, selfie: DocumentFile }),
  })
  .openapi("KycUploadRequest");

const route = defineRoute({
  operationId: "createKycUploads",
  errors: [404],

  method: "post",
  path: "/kyc/uploads",
  tags: ["provider"],
  summary: "Get presigned upload URLs for NID front, NID back and a selfie",
  description:
    `State each file's exact size (at most ${MAX_DOCUMENT_BYTES} bytes, 10 MB) and image type. PUT each file to its ` +
    `URL within ${UPLOAD_TTL_S} s with exactly the returned headers: the signature covers Content-Type and ` +
    "Content-Length, so the store refuses any other type or length. Then submit with the upload_id.",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: true,
      content: json(Body, {
        content_type: "image/jpeg",
        documents: {
          nid_front: { size: 182044 },
          nid_back: { size: 176310 },
          selfie: { size: 240512, content_type: "image/png" },
        },
      }),
    },
  },
  responses: {
    200: { description: "One presigned PUT per document", content: json(Uploads) },
  },
});

export function registerKycUploads(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const provider = await myProvider(c);
    const store = kycStore(c.var.config);
    const uploadId = crypto.randomUUID();
    const presigned = async (doc: KycDocument): Promise<z.infer<typeof Upload>> => {
      const file = body.documents[doc];
      const contentType = file.content_type ?? body.content_type;
      const key = uploadKey(provider.id, uploadId, doc);
      const url = await store.presignPut(key, contentType, file.size, UPLOAD_TTL_S);
      return { method: "PUT", url, key, headers: { "Content-Type": contentType, "Content-Length": String(file.size) } };
    };
    // Spelled out so the compiler checks the answer names every KycDocument, each once.
    const [nid_front, nid_back, selfie] = await Promise.all([
      presigned("nid_front"),
      presigned("nid_back"),
      presigned("selfie"),
    ]);
    return c.json({ upload_id: uploadId, expires_in: UPLOAD_TTL_S, uploads: { nid_front, nid_back, selfie } }, 200);
  });
}
