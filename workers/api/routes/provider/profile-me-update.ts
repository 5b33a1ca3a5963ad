// PATCH /provider/providers/me: changes any subset of the caller's profile; `services` replaces the whole list.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { text } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { sqlState } from "../../../../platform/pg/errors";
import { invalidateAround } from "../../../../platform/search-cache";
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { myProvider, patchProvider } from "../../queries/provider";
import { LatLng } from "../shared/geo";
import {
  AreaSchema,
  ProviderInputSchema,
  ProviderPrivateSchema,
  privateView,
  ServiceRadiusKm,
  SpokenLanguage,
} from "./schemas";

// Spelled out rather than derived: a PATCH must not pick up the create schema's defaults for absent fields.
const PatchSchema = z
  .object({
    display_name: ProviderInputSchema.shape.display_name.optional(),
    bio: text({ max: 2000, multiline: true }).optional(),
    languages: z.array(SpokenLanguage).min(1).max(5).optional(),
    services: ProviderInputSchema.shape.services.optional(),
    location: LatLng.optional(),
    service_radius_km: ServiceRadiusKm.optional(),
    area: AreaSchema.optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), "nothing to change")
  .openapi("ProviderPatch");

const route = defineRoute({
  operationId: "updateMyProvider",
  errors: [404],

  method: "patch",
  path: "/providers/me",
  tags: ["provider"],
  summary: "Update my provider profile",
  description: "Any subset of the fields; `services`, when present, replaces the whole list.",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    body: {
      required: true,
      content: json(PatchSchema, { bio: "Home cooking, Bangla and continental.", service_radius_km: 8 }),
    },
  },
  responses: {
    200: { description: "Updated", content: json(ProviderPrivateSchema) },
  },
});

export function registerProfileMeUpdate(app: App) {
  app.openapi(route, async (c) => {
    const patch = c.req.valid("json");
    const before = await myProvider(c);
    try {
      await patchProvider(c.var.services.pool(), before.id, patch);
    } catch (err) {
      if (sqlState(err) === "23503") {
        throw new ApiError("invalid_input", {
          details: validationDetails([fieldIssue("services", "unknown_service_type")]),
        });
      }
      throw err;
    }
    const after = await myProvider(c);
    // A move changes cells: both the old and the new one stop serving the old profile.
    await invalidateAround(c.var.services.redis(), [before, after], ["profile"]);
    return c.json(privateView(after), 200);
  });
}
