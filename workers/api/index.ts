// Gateway worker entry: the Hono app for HTTP. Durable Object classes are exported here so wrangler can bind them.
import { buildApp } from "./app";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
