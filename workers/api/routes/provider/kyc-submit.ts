// POST /provider/kyc/submit: the caller's uploaded documents, sealed server-side, and NID number go to admins.
import { z } from "@hono/zod-openapi";
import { toAsciiDigits } from "../../../../lib/digits";
import { KycDocument } from "../../../../lib/enums";
import type { Issue } from "../../../../lib/error-details";
import { ApiError } from "../../../../lib/errors";
import { token } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { documentProblem, kycStore, sealedKey, uploadIdOf, uploadKey } from "../../../../platform/kyc-storage";
import { sqlState } from "../../../../platform/pg/errors";
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { KycDocuments, myProvider, SealedDocuments, submitKyc } from "../../queries/provider";

const NidNumber = z
  .string()
  .transform((v) => toAsciiDigits(v).replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^(\d{10}|\d{13}|\d{17})$/, "NID numbers have 10, 13 or 17 digits"));

const Key = token(200).openapi({ description: "kyc/<your provider id>/<upload id>/<document>, exactly as issued" });

const Body = z
  .object({
    nid_number: NidNumber,
    upload_id: z.string().uuid().optional().openapi({ description: "From POST /provider/kyc/uploads (preferred)" }),
    documents: z
      .object({ nid_front: Key, nid_back: Key, selfie: Key })
      .optional()
      .openapi({ description: "The issued keys, for older apps; each must be exactly an upload key of yours" }),
  })
  .refine((b) => b.upload_id !== undefined || b.documents !== undefined, {
    message: "upload_or_documents",
    path: ["upload_id"],
  })
  .openapi("KycSubmit");

const route = defineRoute({
  operationId: "submitKyc",
  errors: [404, 409],

  method: "post",
  path: "/kyc/submit",
  tags: ["provider"],
  summary: "Submit my uploaded documents and NID number for review",
  description:
    "The documents are named by upload_id (the server derives the keys) or by their issued keys, each of which must " +
    "be exactly `kyc/<your provider id>/<uuid>/<document>` (no other spelling is taken). Each upload is then copied " +
    "server-side to a sealed key that no upload URL is ever issued for, and the sealed copy is checked (an image, at " +
    "most 10 MB): admins review only sealed copies, so nothing uploaded after submit reaches them.",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: true,
      content: json(Body, { nid_number: "1990123456789", upload_id: "3f1c2b9e-8a51-4c1f-9d0e-1b2a3c4d5e6f" }),
    },
  },
  responses: {
    201: {
      description: "Waiting for review",
      content: json(z.object({ id: z.number().int(), status: z.literal("pending") })),
    },
  },
});

export function registerKycSubmit(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const provider = await myProvider(c);
    if (provider.verification_status === "verified") {
      throw new ApiError("conflict", { message: { en: "You are already verified.", bn: "আপনি ইতিমধ্যে যাচাইকৃত।" } });
    }
    // Keys come from the server's own shape: only this provider's uploads, whatever string the client sent.
    const problems: Issue[] = [];
    const keys: [KycDocument, string][] = [];
    for (const doc of KycDocument.options) {
      const given = body.documents?.[doc];
      const uploadId = given === undefined ? body.upload_id : uploadIdOf(given, provider.id, doc);
      if (!uploadId || (body.upload_id !== undefined && uploadId !== body.upload_id)) {
        problems.push(fieldIssue(`documents.${doc}`, "not_your_upload"));
      } else keys.push([doc, uploadKey(provider.id, uploadId, doc)]);
    }
    if (problems.length) throw new ApiError("invalid_input", { details: validationDetails(problems) });
    const sources = KycDocuments.parse(Object.fromEntries(keys));

    // Copy first, then check the copy: what is checked is exactly what admins will see, whatever is PUT meanwhile.
    const store = kycStore(c.var.config);
    const sealId = crypto.randomUUID();
    const copies = await Promise.all(
      KycDocument.options.map(async (doc) => {
        const key = sealedKey(provider.id, sealId, doc);
        const head = (await store.copy(sources[doc], key)) ? await store.head(key) : null;
        const problem = documentProblem(head);
        if (problem || !head) problems.push(fieldIssue(`documents.${doc}`, problem ?? "not_uploaded"));
        return [doc, head && { key, etag: head.etag, size: head.size, content_type: head.contentType }] as const;
      }),
    );
    const discard = () =>
      Promise.allSettled(KycDocument.options.map((doc) => store.remove(sealedKey(provider.id, sealId, doc))));
    if (problems.length) {
      await discard();
      throw new ApiError("invalid_input", { details: validationDetails(problems) });
    }
    const sealed = SealedDocuments.parse(Object.fromEntries(copies));
    let id: number;
    try {
      id = await submitKyc(c.var.services.pool(), provider.id, body.nid_number, sources, sealed);
    } catch (err) {
      await discard();
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
