// POST /provider/kyc/submit: the caller's uploaded documents and NID number go to admins for review.
import { createRoute, z } from "@hono/zod-openapi";
import { toAsciiDigits } from "../../../../lib/digits";
import { ImageType, KycDocument } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { kycStore, MAX_DOCUMENT_BYTES } from "../../../../platform/kyc-storage";
import { sqlState } from "../../../../platform/pg/errors";
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, errorResponses, json } from "../../openapi";
import { KycDocuments, myProvider, submitKyc } from "../../queries/provider";

const NidNumber = z
  .string()
  .transform((v) => toAsciiDigits(v).replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^(\d{10}|\d{13}|\d{17})$/, "NID numbers have 10, 13 or 17 digits"));

const route = createRoute({
  method: "post",
  path: "/kyc/submit",
  tags: ["provider"],
  summary: "Submit my uploaded documents and NID number for review",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: true,
      content: json(z.object({ nid_number: NidNumber, documents: KycDocuments }).openapi("KycSubmit")),
    },
  },
  responses: {
    201: {
      description: "Waiting for review",
      content: json(z.object({ id: z.number().int(), status: z.literal("pending") })),
    },
    ...errorResponses(400, 401, 404, 409),
  },
});

export function registerKycSubmit(app: App) {
  app.openapi(route, async (c) => {
    const { nid_number, documents } = c.req.valid("json");
    const provider = await myProvider(c);
    if (provider.verification_status === "verified") {
      throw new ApiError("conflict", { message: { en: "You are already verified.", bn: "আপনি ইতিমধ্যে যাচাইকৃত।" } });
    }
    const store = kycStore(c.var.config);
    const problems: { path: string; message: string }[] = [];
    for (const doc of KycDocument.options) {
      const key = documents[doc];
      // Only keys handed to this provider by /kyc/uploads: nobody submits someone else's documents.
      if (!key.startsWith(`kyc/${provider.id}/`) || !key.endsWith(`/${doc}`)) {
        problems.push({ path: `documents.${doc}`, message: "not an upload of yours" });
        continue;
      }
      const head = await store.head(key);
      if (!head) problems.push({ path: `documents.${doc}`, message: "not uploaded" });
      else if (head.size > MAX_DOCUMENT_BYTES) {
        problems.push({ path: `documents.${doc}`, message: "larger than 10 MB" });
      } else if (!ImageType.safeParse(head.contentType).success) {
        problems.push({ path: `documents.${doc}`, message: "not a JPEG, PNG or WebP image" });
      }
    }
    if (problems.length) throw new ApiError("invalid_input", { details: problems });
    let id: number;
    try {
      id = await submitKyc(c.var.services.pool(), provider.id, nid_number, documents);
    } catch (err) {
      if (sqlState(err) === "23505") {
        throw new ApiError("conflict", {
          message: { en: "A submission is already waiting for review.", bn: "একটি আবেদন ইতিমধ্যে পর্যালোচনার অপেক্ষায়।" },
        });
      }
      throw err;
    }
    return c.json({ id, status: "pending" as const }, 201);
  });
}
