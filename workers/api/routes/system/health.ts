// GET /health: liveness. Registered on the gateway and on every service prefix (/auth/health, /booking/health, …).
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../openapi";

const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

export function registerHealth(app: App, tag: string) {
  const route = createRoute({
    method: "get",
    path: "/health",
    tags: [tag],
    summary: "Liveness probe",
    responses: { 200: { description: "Alive", content: { "application/json": { schema: HealthSchema } } } },
  });
  app.openapi(route, (c) => c.json({ status: "ok" as const }, 200));
}
