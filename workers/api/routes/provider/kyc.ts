// KYC: a provider uploads NID front, NID back and a selfie straight to storage, submits them with the NID number,
// and an admin approves or rejects. Every admin action lands in the append-only admin_audit.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { toAsciiDigits } from "../../../../lib/digits";
import { ApiError } from "../../../../lib/errors";
import { DOCUMENTS, IMAGE_TYPES, kycStore, MAX_DOCUMENT_BYTES } from "../../../../platform/kyc-storage";
import { sqlState } from "../../../../platform/pg/errors";
import { withTransaction } from "../../../../platform/pg/transaction";
import { caller, requireAuth } from "../../auth/require-auth";
import type { AppEnv } from "../../context";
import { type App, errorResponses } from "../../openapi";
import { invalidateProvider, PROVIDER_SELECT, type ProviderRow } from "../../providers/repo";
import { myProvider } from "./profile";
import { ProviderPrivateSchema, privateView } from "./schemas";

const UPLOAD_TTL_S = 600;
const VIEW_TTL_S = 300;
const security = [{ bearerAuth: [] }];
const json = <S extends z.ZodTypeAny>(schema: S) => ({ "application/json": { schema } });

const Documents = z.object({ nid_front: z.string(), nid_back: z.string(), selfie: z.string() });

const uploads = createRoute({
  method: "post",
  path: "/kyc/uploads",
  tags: ["provider"],
  summary: "Get presigned upload URLs for NID front, NID back and a selfie",
  description: `PUT each file to its URL with the given Content-Type within ${UPLOAD_TTL_S} s (at most 10 MB each), then submit.`,
  security,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: false,
      content: json(z.object({ content_type: z.enum(IMAGE_TYPES).default("image/jpeg") }).openapi("KycUploadRequest")),
    },
  },
  responses: {
    200: {
      description: "One presigned PUT per document",
      content: json(
        z
          .object({
            expires_in: z.number().int(),
            uploads: z.record(
              z.enum(DOCUMENTS),
              z.object({
                method: z.literal("PUT"),
                url: z.string(),
                key: z.string(),
                headers: z.record(z.string(), z.string()),
              }),
            ),
          })
          .openapi("KycUploads"),
      ),
    },
    ...errorResponses(401, 404),
  },
});

const NidNumber = z
  .string()
  .transform((v) => toAsciiDigits(v).replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^(\d{10}|\d{13}|\d{17})$/, "NID numbers have 10, 13 or 17 digits"));

const submit = createRoute({
  method: "post",
  path: "/kyc/submit",
  tags: ["provider"],
  summary: "Submit my uploaded documents and NID number for review",
  security,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: true,
      content: json(z.object({ nid_number: NidNumber, documents: Documents }).openapi("KycSubmit")),
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

const Review = z
  .object({
    id: z.number().int(),
    provider_id: z.number().int(),
    display_name: z.string(),
    status: z.enum(["pending", "approved", "rejected"]),
    submitted_at: z.string().datetime(),
    reviewed_at: z.string().datetime().nullable(),
    reason: z.string().nullable(),
  })
  .openapi("KycReview");

const listReviews = createRoute({
  method: "get",
  path: "/kyc/reviews",
  tags: ["provider"],
  summary: "Admin: KYC submissions (pending first by default)",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: { query: z.object({ status: z.enum(["pending", "approved", "rejected"]).default("pending") }) },
  responses: {
    200: { description: "Submissions", content: json(z.object({ reviews: z.array(Review) })) },
    ...errorResponses(401, 403),
  },
});

const getReview = createRoute({
  method: "get",
  path: "/kyc/reviews/{id}",
  tags: ["provider"],
  summary: "Admin: one submission, with short-lived links to its documents",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: { params: z.object({ id: z.coerce.number().int().positive() }) },
  responses: {
    200: {
      description: "Submission",
      content: json(
        Review.extend({
          nid_number: z.string(),
          provider: ProviderPrivateSchema,
          documents: z.record(z.enum(DOCUMENTS), z.object({ url: z.string(), expires_in: z.number().int() })),
        }).openapi("KycReviewDetail"),
      ),
    },
    ...errorResponses(401, 403, 404),
  },
});

const decide = (action: "approve" | "reject") =>
  createRoute({
    method: "post",
    path: `/kyc/reviews/{id}/${action}`,
    tags: ["provider"],
    summary: `Admin: ${action} a submission`,
    description: "Idempotent: repeating the same decision answers the same result; the opposite decision is 409.",
    security,
    middleware: [requireAuth(["admin"])] as const,
    request: {
      params: z.object({ id: z.coerce.number().int().positive() }),
      body: {
        required: action === "reject",
        content: json(
          action === "reject"
            ? z.object({ reason: z.string().trim().min(3).max(500) })
            : z.object({ reason: z.string().max(500).optional() }),
        ),
      },
    },
    responses: {
      200: { description: "Decided", content: json(Review) },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  });

async function audit(c: Context<AppEnv>, action: string, targetId: number, meta: Record<string, unknown> = {}) {
  await c.var.services
    .pool()
    .query(
      "INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta) VALUES ($1, $2, 'kyc_submission', $3, $4)",
      [caller(c).userId, action, String(targetId), JSON.stringify(meta)],
    );
}

const REVIEW_SELECT = `
  SELECT k.id, k.provider_id, p.display_name, k.status, k.submitted_at, k.reviewed_at, k.reason, k.nid_number, k.documents
    FROM kyc_submissions k JOIN providers p ON p.id = k.provider_id`;

function reviewView(r: Record<string, unknown>) {
  return {
    id: Number(r.id),
    provider_id: Number(r.provider_id),
    display_name: String(r.display_name),
    status: r.status as "pending",
    submitted_at: new Date(r.submitted_at as string).toISOString(),
    reviewed_at: r.reviewed_at ? new Date(r.reviewed_at as string).toISOString() : null,
    reason: (r.reason as string | null) ?? null,
  };
}

export function registerKyc(app: App) {
  app.openapi(uploads, async (c) => {
    const provider = await myProvider(c);
    const contentType = c.req.header("content-type")?.includes("json")
      ? c.req.valid("json").content_type
      : "image/jpeg";
    const store = kycStore(c.var.config);
    const batch = crypto.randomUUID();
    const entries = await Promise.all(
      DOCUMENTS.map(async (doc) => {
        const key = `kyc/${provider.id}/${batch}/${doc}`;
        const url = await store.presignPut(key, contentType, UPLOAD_TTL_S);
        return [doc, { method: "PUT" as const, url, key, headers: { "Content-Type": contentType } }] as const;
      }),
    );
    return c.json(
      {
        expires_in: UPLOAD_TTL_S,
        uploads: Object.fromEntries(entries) as Record<(typeof DOCUMENTS)[number], (typeof entries)[number][1]>,
      },
      200,
    );
  });

  app.openapi(submit, async (c) => {
    const { nid_number, documents } = c.req.valid("json");
    const provider = await myProvider(c);
    if (provider.verification_status === "verified") {
      throw new ApiError("conflict", { message: { en: "You are already verified.", bn: "আপনি ইতিমধ্যে যাচাইকৃত।" } });
    }
    const store = kycStore(c.var.config);
    const problems: { path: string; message: string }[] = [];
    for (const doc of DOCUMENTS) {
      const key = documents[doc];
      // Only keys handed to this provider by /kyc/uploads: nobody submits someone else's documents.
      if (!key.startsWith(`kyc/${provider.id}/`) || !key.endsWith(`/${doc}`)) {
        problems.push({ path: `documents.${doc}`, message: "not an upload of yours" });
        continue;
      }
      const head = await store.head(key);
      if (!head) problems.push({ path: `documents.${doc}`, message: "not uploaded" });
      else if (head.size > MAX_DOCUMENT_BYTES)
        problems.push({ path: `documents.${doc}`, message: "larger than 10 MB" });
      else if (!(IMAGE_TYPES as readonly string[]).includes(head.contentType)) {
        problems.push({ path: `documents.${doc}`, message: "not a JPEG, PNG or WebP image" });
      }
    }
    if (problems.length) throw new ApiError("invalid_input", { details: problems });
    let id: number;
    try {
      id = await withTransaction(c.var.services.pool(), async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          "INSERT INTO kyc_submissions (provider_id, nid_number, documents) VALUES ($1, $2, $3) RETURNING id",
          [provider.id, nid_number, JSON.stringify(documents)],
        );
        await tx.query("UPDATE providers SET verification_status = 'pending' WHERE id = $1", [provider.id]);
        return Number(rows[0]?.id);
      });
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

  app.openapi(listReviews, async (c) => {
    const { status } = c.req.valid("query");
    const { rows } = await c.var.services
      .pool()
      .query(`${REVIEW_SELECT} WHERE k.status = $1 ORDER BY k.submitted_at LIMIT 200`, [status]);
    await audit(c, "kyc.list", 0, { status });
    return c.json({ reviews: rows.map(reviewView) }, 200);
  });

  app.openapi(getReview, async (c) => {
    const { id } = c.req.valid("param");
    const pool = c.var.services.pool();
    const { rows } = await pool.query(`${REVIEW_SELECT} WHERE k.id = $1`, [id]);
    const row = rows[0];
    if (!row) throw new ApiError("not_found");
    const provider = (await pool.query(`${PROVIDER_SELECT} WHERE p.id = $1`, [row.provider_id])).rows[0] as ProviderRow;
    const store = kycStore(c.var.config);
    const docs = row.documents as Record<(typeof DOCUMENTS)[number], string>;
    const documents = Object.fromEntries(
      await Promise.all(
        DOCUMENTS.map(
          async (d) => [d, { url: await store.presignGet(docs[d], VIEW_TTL_S), expires_in: VIEW_TTL_S }] as const,
        ),
      ),
    ) as Record<(typeof DOCUMENTS)[number], { url: string; expires_in: number }>;
    await audit(c, "kyc.view", id);
    return c.json(
      { ...reviewView(row), nid_number: String(row.nid_number), provider: privateView(provider), documents },
      200,
    );
  });

  for (const action of ["approve", "reject"] as const) {
    app.openapi(decide(action), async (c) => {
      const { id } = c.req.valid("param");
      const reason = c.req.valid("json").reason ?? null;
      const target = action === "approve" ? "approved" : "rejected";
      const pool = c.var.services.pool();
      const result = await withTransaction(pool, async (tx) => {
        const { rows } = await tx.query(`${REVIEW_SELECT} WHERE k.id = $1 FOR UPDATE OF k`, [id]);
        const row = rows[0];
        if (!row) throw new ApiError("not_found");
        if (row.status === target) return { row, changed: false };
        if (row.status !== "pending") {
          throw new ApiError("conflict", { message: "illegal_transition", details: { status: row.status } });
        }
        const updated = await tx.query(
          `UPDATE kyc_submissions SET status = $2, reviewed_by = $3, reviewed_at = now(), reason = $4 WHERE id = $1
           RETURNING id, provider_id, status, submitted_at, reviewed_at, reason`,
          [id, target, caller(c).userId, reason],
        );
        await tx.query("UPDATE providers SET verification_status = $2 WHERE id = $1", [
          row.provider_id,
          action === "approve" ? "verified" : "rejected",
        ]);
        await tx.query(
          "INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta) VALUES ($1, $2, 'kyc_submission', $3, $4)",
          [
            caller(c).userId,
            `kyc.${action}`,
            String(id),
            JSON.stringify({ provider_id: Number(row.provider_id), reason }),
          ],
        );
        return { row: { ...row, ...updated.rows[0] }, changed: true };
      });
      if (result.changed) {
        // Verified status decides who is searchable: drop every cached answer around this provider.
        const p = (await pool.query(`${PROVIDER_SELECT} WHERE p.id = $1`, [result.row.provider_id]))
          .rows[0] as ProviderRow;
        await invalidateProvider(c.var.services.redis(), [p], ["profile", "availability"]);
      }
      return c.json(reviewView(result.row), 200);
    });
  }
}
