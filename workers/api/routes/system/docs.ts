// GET /docs: the API reference page, rendered by Scalar's standalone bundle served from this worker (no CDN, no fonts).

import scalarBundle from "@scalar/api-reference/dist/browser/standalone.js";
import type { Context } from "hono";
import type { App } from "../../openapi";

/** The pinned @scalar/api-reference (package.json); the script URL carries it, so a new version is a new URL. */
export const SCALAR_VERSION = "1.76.0";
export const SCALAR_SCRIPT = `/docs/scalar-${SCALAR_VERSION}.js`;

/**
 * Scalar's options for a page that reaches nothing but this origin: no web fonts (fonts.scalar.com), no request
 * proxy (proxy.scalar.com), no telemetry, no AI agent and no developer toolbar (both talk to Scalar's servers), no
 * "Open API Client" button (it offers client.scalar.com). Try-it requests go to the origin that served the page (the
 * document lists production, staging and the dev stack, and the page's CSP allows only its own origin).
 */
const CONFIGURATION = {
  url: "/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  showDeveloperTools: "never",
  hideClientButton: true,
  documentDownloadType: "json",
  persistAuth: false,
};

/**
 * Scalar (Vue) injects its stylesheet and inline style attributes at run time, so styles need 'unsafe-inline';
 * scripts do not: the page has no inline script (the configuration travels in a data attribute).
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const escapeAttribute = (s: string) => s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");

const page = (origin: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Kormo Mela API</title>
    <link rel="icon" href="data:," />
  </head>
  <body>
    <script id="api-reference" data-url="/openapi.json" data-configuration="${escapeAttribute(JSON.stringify({ ...CONFIGURATION, servers: [{ url: origin, description: "This gateway" }] }))}"></script>
    <script src="${SCALAR_SCRIPT}"></script>
  </body>
</html>
`;

export function registerDocs(app: App) {
  const answer = (c: Context) =>
    new Response(page(new URL(c.req.url).origin), {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": CSP,
        // Revalidated each time, so a deploy with a new Scalar version is picked up at once.
        "Cache-Control": "no-cache",
      },
    });
  app.get("/docs", answer);
  app.get("/docs/", answer);
  app.get(
    SCALAR_SCRIPT,
    () =>
      new Response(scalarBundle, {
        headers: {
          "Content-Type": "text/javascript; charset=utf-8",
          "Cache-Control": "public, max-age=31536000, immutable",
        },
      }),
  );
}
