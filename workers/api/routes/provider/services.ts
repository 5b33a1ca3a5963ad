// GET /provider/services: the service catalog, in Bangla and English.
import { createRoute, z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import type { App } from "../../openapi";

const Service = z
  .object({ service_type: z.string(), name: z.object({ en: z.string(), bn: z.string() }) })
  .openapi("Service");

const route = createRoute({
  method: "get",
  path: "/services",
  tags: ["provider"],
  summary: "The service catalog",
  responses: {
    200: {
      description: "Services",
      content: { "application/json": { schema: z.object({ services: z.array(Service) }) } },
    },
  },
});

export function registerServices(app: App) {
  app.openapi(route, async (c) => {
    const rows = await pgReader(c.env, "catalog").read(
      "SELECT service_type, name_en, name_bn FROM services ORDER BY sort_order, service_type",
      [],
    );
    const services = rows.map((r) => ({
      service_type: String(r.service_type),
      name: { en: String(r.name_en), bn: String(r.name_bn) },
    }));
    return c.json({ services }, 200, { "Cache-Control": "public, max-age=300" });
  });
}
