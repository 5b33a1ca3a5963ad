// Builds the gateway: cross-cutting middleware, then one sub-app per service at the seed's prefixes.
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { ApiError } from "../../lib/errors";
import { notFound, onError } from "./errors";
import { emptyJsonBody } from "./middleware/empty-json";
import { init } from "./middleware/init";
import { inputHygiene } from "./middleware/input-hygiene";
import { requestContext } from "./middleware/request";
import { createApp, DOCUMENT, registerContract } from "./openapi";
import { auth } from "./routes/auth";
import { booking } from "./routes/booking";
import { chat } from "./routes/chat";
import { notifications } from "./routes/notifications";
import { payments } from "./routes/payments";
import { provider } from "./routes/provider";
import { search } from "./routes/search";
import { registerDocs } from "./routes/system/docs";
import { registerHealth } from "./routes/system/health";
import { registerReady } from "./routes/system/ready";

export function buildApp() {
  const app = createApp();
  app.onError(onError);
  app.notFound(notFound(() => app.routes));

  app.use("*", requestContext());
  app.use("*", init());
  app.use("*", (c, next) =>
    cors({
      origin: c.var.config.corsOrigins,
      allowHeaders: [
        "Authorization",
        "Content-Type",
        "Idempotency-Key",
        "X-Request-Id",
        "DPoP",
        "X-Device-Id",
        "Accept-Language",
      ],
      exposeHeaders: ["X-Request-Id", "Retry-After", "X-Cache", "Idempotent-Replayed", "WWW-Authenticate"],
      maxAge: 600,
    })(c, next),
  );
  // overwrite: false lets a route state its own policy (the /docs page's Content-Security-Policy) over a default.
  app.use("*", secureHeaders({ crossOriginResourcePolicy: "cross-origin", overwrite: false }));
  // Nothing is cached by a browser, proxy or app HTTP cache unless its route says so (public catalog, public
  // profiles, the JWKS): tokens, sessions, bookings and private profiles must never be stored on the way.
  app.use("*", async (c, next) => {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  });
  app.use("*", (c, next) =>
    bodyLimit({
      maxSize: c.var.config.MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("payload_too_large");
      },
    })(c, next),
  );

  app.use("*", emptyJsonBody());
  app.use("*", inputHygiene());

  registerHealth(app, "system");
  registerReady(app);

  app.route("/auth", auth);
  app.route("/provider", provider);
  app.route("/search", search);
  app.route("/booking", booking);
  app.route("/payments", payments);
  app.route("/notifications", notifications);
  app.route("/chat", chat);

  registerContract(app);
  app.doc31("/openapi.json", DOCUMENT);
  registerDocs(app);
  return app;
}
