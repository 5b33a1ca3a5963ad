// A point on the map as every endpoint takes and gives it: WGS 84 degrees.
import { z } from "@hono/zod-openapi";

export const LatLng = z
  .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
  .openapi("LatLng", { example: { lat: 23.7925, lng: 90.4152 } });
