// GET /auth/me: the signed-in user and their provider id, if they are a provider.
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, errorResponses } from "../../openapi";
import { bearerSecurity, UserSchema } from "./schemas";

const Me = z.object({ user: UserSchema, provider_id: z.number().int().nullable() }).openapi("Me");

const route = createRoute({
  method: "get",
  path: "/me",
  tags: ["auth"],
  summary: "The signed-in user",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: "The user", content: { "application/json": { schema: Me } } },
    ...errorResponses(401, 404),
  },
});

export function registerMe(app: App) {
  app.openapi(route, async (c) => {
    const { rows } = await c.var.services.pool().query<{
      id: string;
      phone: string;
      role: "customer" | "provider" | "admin";
      name: string | null;
      lang: "bn" | "en";
      provider_id: string | null;
    }>(
      `SELECT u.id, u.phone, u.role, u.name, u.lang, p.id AS provider_id
         FROM users u LEFT JOIN providers p ON p.user_id = u.id WHERE u.id = $1`,
      [caller(c).userId],
    );
    const row = rows[0];
    if (!row) throw new ApiError("not_found");
    const { provider_id, ...user } = row;
    return c.json(
      { user: { ...user, id: Number(user.id) }, provider_id: provider_id ? Number(provider_id) : null },
      200,
    );
  });
}
