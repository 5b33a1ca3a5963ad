// GET /auth/me: the signed-in user and their provider id, if they are a provider.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute } from "../../openapi";
import { userWithProvider } from "../../queries/auth";
import { UserSchema } from "./schemas";

const Me = z.object({ user: UserSchema, provider_id: z.number().int().nullable() }).openapi("Me");

const route = defineRoute({
  operationId: "getMe",
  errors: [404],

  method: "get",
  path: "/me",
  tags: ["auth"],
  summary: "The signed-in user",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: "The user", content: { "application/json": { schema: Me } } },
  },
});

export function registerMe(app: App) {
  app.openapi(route, async (c) => {
    const found = await userWithProvider(c.var.services.db(), caller(c).userId);
    if (!found) throw new ApiError("not_found");
    const { providerId, ...user } = found;
    return c.json({ user, provider_id: providerId }, 200);
  });
}
