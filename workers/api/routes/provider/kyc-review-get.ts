// GET /provider/kyc/reviews/{id}: an admin opens one submission, with short-lived links to its sealed documents
// (audited). Links name only the copies sealed at submit, never the provider's upload keys.
import { z } from "@hono/zod-openapi";
import { KycDocument } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { kycStore } from "../../../../platform/kyc-storage";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { auditKyc, providerById, reviewById } from "../../queries/provider";
import { ProviderPrivateSchema, privateView, ReviewIdParam, ReviewSchema, reviewView } from "./schemas";

const VIEW_TTL_S = 300;

const DocumentLink = z.object({ url: z.string(), expires_in: z.number().int() });

const route = defineRoute({
  operationId: "getKycReview",
  errors: [403, 404, 409],

  method: "get",
  path: "/kyc/reviews/{id}",
  tags: ["provider"],
  summary: "Admin: one submission, with short-lived links to its documents",
  description:
    "The links open the copies sealed at submit, which no upload URL can write. A submission from before sealing " +
    "answers 409: reject it so the provider submits again.",
  security: bearerSecurity,
  middleware: [requireAuth(["admin"])] as const,
  request: { params: ReviewIdParam },
  responses: {
    200: {
      description: "Submission",
      content: json(
        ReviewSchema.extend({
          nid_number: z.string(),
          provider: ProviderPrivateSchema,
          documents: z.record(KycDocument, DocumentLink),
        }).openapi("KycReviewDetail"),
      ),
    },
  },
});

export function registerKycReviewGet(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const pool = c.var.services.pool();
    const review = await first(pool, reviewById, { id });
    if (!review) throw new ApiError("not_found");
    const provider = await first(pool, providerById, { id: review.provider_id });
    if (!provider) throw new ApiError("not_found");
    const { sealed } = review;
    if (!sealed) {
      throw new ApiError("conflict", {
        message: {
          en: "This submission's documents were never sealed; reject it so the provider submits again.",
          bn: "এই আবেদনের নথিগুলো কখনো সিল করা হয়নি; প্রত্যাখ্যান করুন যাতে সেবাদাতা আবার জমা দেন।",
        },
      });
    }
    const store = kycStore(c.var.config);
    const link = async (doc: KycDocument): Promise<z.infer<typeof DocumentLink>> => ({
      url: await store.presignGet(sealed[doc].key, VIEW_TTL_S),
      expires_in: VIEW_TTL_S,
    });
    const [nid_front, nid_back, selfie] = await Promise.all([link("nid_front"), link("nid_back"), link("selfie")]);
    await auditKyc(pool, { adminId: caller(c).userId, action: "kyc.view", submissionId: id });
    return c.json(
      {
        ...reviewView(review),
        nid_number: review.nid_number,
        provider: privateView(provider),
        documents: { nid_front, nid_back, selfie },
      },
      200,
    );
  });
}
