// POST /provider/providers, GET|PATCH /provider/providers/me, GET /provider/providers/{id}: provider profiles.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { ApiError } from "../../../../lib/errors";
import { sqlState } from "../../../../platform/pg/errors";
import { withTransaction } from "../../../../platform/pg/transaction";
import { caller, requireAuth } from "../../auth/require-auth";
import type { AppEnv } from "../../context";
import { type App, errorResponses } from "../../openapi";
import { invalidateProvider, PROVIDER_SELECT, type ProviderRow, replaceServices } from "../../providers/repo";
import {
  AreaSchema,
  LatLng,
  ProviderInputSchema,
  ProviderPrivateSchema,
  ProviderPublicSchema,
  privateView,
  publicView,
} from "./schemas";

const security = [{ bearerAuth: [] }];
const json = <S extends z.ZodTypeAny>(schema: S) => ({ "application/json": { schema } });

/** The caller's provider row, or 404 when they are not a provider. Reads go to the primary: right after a write. */
export async function myProvider(c: Context<AppEnv>): Promise<ProviderRow> {
  const { rows } = await c.var.services.pool().query(`${PROVIDER_SELECT} WHERE p.user_id = $1`, [caller(c).userId]);
  const row = rows[0] as ProviderRow | undefined;
  if (!row)
    throw new ApiError("not_found", { message: { en: "You are not a provider yet.", bn: "আপনি এখনো সেবাদাতা নন।" } });
  return row;
}

const create = createRoute({
  method: "post",
  path: "/providers",
  tags: ["provider"],
  summary: "Become a provider",
  description:
    "Creates the caller's provider profile (unverified until KYC is approved). One per user: a second call answers 409 with the id.",
  security,
  middleware: [requireAuth(["customer", "provider"])] as const,
  request: { body: { required: true, content: json(ProviderInputSchema) } },
  responses: {
    201: { description: "Created", content: json(ProviderPrivateSchema) },
    ...errorResponses(400, 401, 403, 409),
  },
});

// Spelled out rather than derived: a PATCH must not pick up the create schema's defaults for absent fields.
const PatchSchema = z
  .object({
    display_name: ProviderInputSchema.shape.display_name.optional(),
    bio: z.string().max(2000).optional(),
    languages: z
      .array(z.enum(["bn", "en", "hi", "ur", "ar"]))
      .min(1)
      .max(5)
      .optional(),
    services: ProviderInputSchema.shape.services.optional(),
    location: LatLng.optional(),
    service_radius_km: z.number().gt(0).max(50).optional(),
    area: AreaSchema.optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), "nothing to change")
  .openapi("ProviderPatch");

const patchMe = createRoute({
  method: "patch",
  path: "/providers/me",
  tags: ["provider"],
  summary: "Update my provider profile",
  description: "Any subset of the fields; `services`, when present, replaces the whole list.",
  security,
  middleware: [requireAuth()] as const,
  request: { body: { required: true, content: json(PatchSchema) } },
  responses: {
    200: { description: "Updated", content: json(ProviderPrivateSchema) },
    ...errorResponses(400, 401, 404),
  },
});

const getMe = createRoute({
  method: "get",
  path: "/providers/me",
  tags: ["provider"],
  summary: "My provider profile",
  security,
  middleware: [requireAuth()] as const,
  responses: { 200: { description: "Profile", content: json(ProviderPrivateSchema) }, ...errorResponses(401, 404) },
});

const getPublic = createRoute({
  method: "get",
  path: "/providers/{id}",
  tags: ["provider"],
  summary: "A verified provider's public profile",
  request: { params: z.object({ id: z.coerce.number().int().positive() }) },
  responses: { 200: { description: "Profile", content: json(ProviderPublicSchema) }, ...errorResponses(400, 404) },
});

export function registerProfile(app: App) {
  app.openapi(create, async (c) => {
    const input = c.req.valid("json");
    const me = caller(c);
    const pool = c.var.services.pool();
    let providerId: number;
    try {
      providerId = await withTransaction(pool, async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          `INSERT INTO providers (user_id, display_name, bio, languages, location, service_radius_km, division, district, area)
           VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($6, $5), 4326)::geography, $7, $8, $9, $10) RETURNING id`,
          [
            me.userId,
            input.display_name,
            input.bio ?? null,
            input.languages,
            input.location.lat,
            input.location.lng,
            input.service_radius_km,
            input.area.division ?? null,
            input.area.district ?? null,
            input.area.area ?? null,
          ],
        );
        const id = Number(rows[0]?.id);
        await replaceServices(tx, id, input.services);
        await tx.query("UPDATE users SET role = 'provider' WHERE id = $1 AND role = 'customer'", [me.userId]);
        return id;
      });
    } catch (err) {
      if (sqlState(err) === "23505") {
        const { rows } = await pool.query("SELECT id FROM providers WHERE user_id = $1", [me.userId]);
        throw new ApiError("conflict", {
          message: { en: "You are already a provider.", bn: "আপনি ইতিমধ্যে সেবাদাতা।" },
          details: { provider_id: Number(rows[0]?.id) },
        });
      }
      if (sqlState(err) === "23503") {
        throw new ApiError("invalid_input", { details: [{ path: "services", message: "unknown service_type" }] });
      }
      throw err;
    }
    const { rows } = await pool.query(`${PROVIDER_SELECT} WHERE p.id = $1`, [providerId]);
    return c.json(privateView(rows[0] as ProviderRow), 201);
  });

  app.openapi(getMe, async (c) => c.json(privateView(await myProvider(c)), 200));

  app.openapi(patchMe, async (c) => {
    const patch = c.req.valid("json");
    const before = await myProvider(c);
    const id = Number(before.id);
    const pool = c.var.services.pool();
    try {
      await withTransaction(pool, async (tx) => {
        await tx.query(
          `UPDATE providers SET
             display_name = COALESCE($2, display_name), bio = COALESCE($3, bio), languages = COALESCE($4, languages),
             location = CASE WHEN $5::float8 IS NULL THEN location
                             ELSE ST_SetSRID(ST_MakePoint($6::float8, $5::float8), 4326)::geography END,
             service_radius_km = COALESCE($7, service_radius_km),
             division = COALESCE($8, division), district = COALESCE($9, district), area = COALESCE($10, area)
           WHERE id = $1`,
          [
            id,
            patch.display_name ?? null,
            patch.bio ?? null,
            patch.languages ?? null,
            patch.location?.lat ?? null,
            patch.location?.lng ?? null,
            patch.service_radius_km ?? null,
            patch.area?.division ?? null,
            patch.area?.district ?? null,
            patch.area?.area ?? null,
          ],
        );
        if (patch.services) await replaceServices(tx, id, patch.services);
      });
    } catch (err) {
      if (sqlState(err) === "23503") {
        throw new ApiError("invalid_input", { details: [{ path: "services", message: "unknown service_type" }] });
      }
      throw err;
    }
    const after = await myProvider(c);
    await invalidateProvider(c.var.services.redis(), [before, after], ["profile"]);
    return c.json(privateView(after), 200);
  });

  app.openapi(getPublic, async (c) => {
    const { id } = c.req.valid("param");
    const rows = await pgReader(c.env, `provider:${id}`).read(`${PROVIDER_SELECT} WHERE p.id = $1`, [id]);
    const row = rows[0];
    // Only verified providers are public; the rest do not exist for others.
    if (row?.verification_status !== "verified") throw new ApiError("not_found");
    return c.json(publicView(row), 200, { "Cache-Control": "public, max-age=60" });
  });
}
