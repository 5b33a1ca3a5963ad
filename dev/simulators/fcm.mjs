// FCM HTTP v1 simulator with Google's OAuth2 token endpoint: checks service-account JWTs and bearer tokens, keeps an inbox.
import { randomBytes } from "node:crypto";
import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importSPKI,
} from "jose";
import { answerInbox, listen, readBody, sendJson } from "./http.mjs";

export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
export const FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
// cloud-platform covers FCM too, so an adapter asking for it works in production and must work here.
const ACCEPTED_SCOPES = [FCM_SCOPE, "https://www.googleapis.com/auth/cloud-platform"];
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const SKEW_S = 60;
const ACCESS_TOKEN_TTL_S = 3599;
const FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
const AUTH_HELP =
  "Expected OAuth 2 access token, login cookie or other valid authentication credential. " +
  "See https://developers.google.com/identity/sign-in/web/devconsole-project.";
// FCM's Message resource; like FCM, any other name is refused, so a misspelt field fails here and not silently.
const MESSAGE_FIELDS = [
  ...["name", "token", "topic", "condition", "notification", "data"],
  ...["android", "apns", "webpush", "fcm_options"],
];
const NOTIFICATION_FIELDS = ["title", "body", "image"];
const MAX_PAYLOAD_BYTES = 4096;

/**
 * A fresh RS256 service account for `projectId`: `serviceAccountJson` is what the adapter gets (private key as PKCS8 PEM),
 * `serviceAccount` is what `startFcmSimulator` needs (public half only).
 */
export async function generateServiceAccount({ projectId = "kormo-dev", tokenUri = GOOGLE_TOKEN_URL } = {}) {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const privateKeyId = randomBytes(20).toString("hex");
  const clientEmail = `firebase-adminsdk-${randomBytes(3).toString("hex")}@${projectId}.iam.gserviceaccount.com`;
  const publicKeyPem = await exportSPKI(publicKey);
  return {
    serviceAccountJson: {
      type: "service_account",
      project_id: projectId,
      private_key_id: privateKeyId,
      private_key: await exportPKCS8(privateKey),
      client_email: clientEmail,
      token_uri: tokenUri,
    },
    publicKeyPem,
    serviceAccount: { client_email: clientEmail, private_key_id: privateKeyId, public_key_pem: publicKeyPem },
  };
}

/** Google's `{error:{code,message,status,details}}`; `errorCode` adds the FcmError detail adapters branch on. */
function googleError(res, code, status, message, { errorCode, details = [], headers } = {}) {
  const all = errorCode ? [{ "@type": FCM_ERROR, errorCode }, ...details] : details;
  return sendJson(res, code, { error: { code, message, status, ...(all.length && { details: all }) } }, headers);
}

/** One google.rpc.BadRequest field violation, as Google's request validation names the offending field. */
function fieldViolation(field, description) {
  return { field, description };
}

/** Returns the first reason FCM would refuse this request body with 400, or null. */
function validateSend(body) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return fieldViolation("", "Invalid JSON payload received. Expected an object.");
  }
  for (const key of Object.keys(body)) {
    if (key !== "message" && key !== "validate_only") {
      return fieldViolation(key, `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
    }
  }
  if ("validate_only" in body && typeof body.validate_only !== "boolean") {
    return fieldViolation(
      "validate_only",
      `Invalid value at 'validate_only' (TYPE_BOOL), ${JSON.stringify(body.validate_only)}`,
    );
  }
  const { message } = body;
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return fieldViolation("message", "Request contains an invalid argument: message is required.");
  }
  for (const key of Object.keys(message)) {
    if (!MESSAGE_FIELDS.includes(key)) {
      return fieldViolation(
        key,
        `Invalid JSON payload received. Unknown name "${key}" at 'message': Cannot find field.`,
      );
    }
  }
  const targets = ["token", "topic", "condition"].filter((k) => k in message);
  if (targets.length === 0) return fieldViolation("message", "Recipient of the message is not set.");
  if (targets.length > 1) {
    return fieldViolation(
      "message",
      `Invalid value at 'message' (oneof), oneof field 'target' is already set. Cannot set '${targets[1]}'`,
    );
  }
  // Our adapters only address devices; topics and conditions would need a fan-out this simulator does not model.
  if (targets[0] !== "token") return fieldViolation(targets[0], "The simulator only delivers to registration tokens.");
  if (typeof message.token !== "string" || message.token === "") {
    return fieldViolation("message.token", "Invalid value at 'message.token' (TYPE_STRING)");
  }
  if ("notification" in message) {
    if (typeof message.notification !== "object" || message.notification === null) {
      return fieldViolation(
        "message.notification",
        "Invalid value at 'message.notification' (type.googleapis.com/Notification)",
      );
    }
    for (const [key, value] of Object.entries(message.notification)) {
      if (!NOTIFICATION_FIELDS.includes(key)) {
        return fieldViolation(
          key,
          `Invalid JSON payload received. Unknown name "${key}" at 'message.notification': Cannot find field.`,
        );
      }
      if (typeof value !== "string") {
        return fieldViolation(
          `message.notification.${key}`,
          `Invalid value at 'message.notification.${key}' (TYPE_STRING), ${JSON.stringify(value)}`,
        );
      }
    }
  }
  if ("data" in message) {
    if (typeof message.data !== "object" || message.data === null || Array.isArray(message.data)) {
      return fieldViolation("message.data", "Invalid value at 'message.data' (map)");
    }
    const values = Object.values(message.data);
    const bad = values.findIndex((v) => typeof v !== "string");
    if (bad >= 0) {
      return fieldViolation(
        `message.data[${bad}].value`,
        `Invalid value at 'message.data[${bad}].value' (TYPE_STRING), ${JSON.stringify(values[bad])}`,
      );
    }
  }
  for (const key of ["android", "apns", "webpush", "fcm_options"]) {
    if (key in message && (typeof message[key] !== "object" || message[key] === null)) {
      return fieldViolation(`message.${key}`, `Invalid value at 'message.${key}'`);
    }
  }
  const payload = Buffer.byteLength(JSON.stringify({ notification: message.notification, data: message.data }));
  if (payload > MAX_PAYLOAD_BYTES) return fieldViolation("message", "Message is too big");
  return null;
}

/**
 * Google's token endpoint and FCM's send endpoint for one project and one service account.
 * POST /token (form: grant_type, assertion) -> {access_token, expires_in, token_type}.
 * POST /v1/projects/{projectId}/messages:send (Bearer) -> {name}. Registration tokens starting with `unregistered-`,
 * `invalid-` or `mismatch-` draw FCM's UNREGISTERED, INVALID_ARGUMENT and SENDER_ID_MISMATCH answers.
 * Test hooks (not part of the real API): GET /__sim/messages?token=, DELETE /__sim/messages,
 * POST /__sim/fail {status: 429|500|503, count}, POST /__sim/reset.
 * Without `serviceAccount` one is generated and returned as `serviceAccountJson` (token_uri pointing here).
 */
export async function startFcmSimulator({ port = 0, projectId = "kormo-dev", serviceAccount } = {}) {
  const generated = serviceAccount ? null : await generateServiceAccount({ projectId });
  const account = serviceAccount ?? generated.serviceAccount;
  const publicKey = await importSPKI(account.public_key_pem, "RS256");
  const inbox = [];
  /** access token -> expiry (ms since epoch) */
  const tokens = new Map();
  let tokenRequests = 0;
  let failures = { status: 0, count: 0 };
  let base = "";

  const oauthError = (res, error, description) => sendJson(res, 400, { error, error_description: description });

  async function grant(req, res) {
    tokenRequests += 1;
    const form = new URLSearchParams(await readBody(req));
    const grantType = form.get("grant_type");
    if (grantType !== JWT_BEARER)
      return oauthError(res, "unsupported_grant_type", `Invalid grant_type: ${grantType ?? ""}`);
    const assertion = form.get("assertion");
    if (!assertion) return oauthError(res, "invalid_request", "Missing required parameter: assertion");
    let claims;
    let header;
    try {
      claims = decodeJwt(assertion);
      header = decodeProtectedHeader(assertion);
    } catch {
      return oauthError(res, "invalid_grant", "Invalid JWT: the assertion is not a well-formed JWT.");
    }
    // Google finds the account by iss, then the key by kid, then checks the signature and only then the claims.
    if (claims.iss !== account.client_email)
      return oauthError(res, "invalid_grant", "Invalid grant: account not found");
    if (header.kid !== account.private_key_id) return oauthError(res, "invalid_grant", "Invalid JWT Signature.");
    try {
      await compactVerify(assertion, publicKey, { algorithms: ["RS256"] });
    } catch {
      return oauthError(res, "invalid_grant", "Invalid JWT Signature.");
    }
    const audiences = [GOOGLE_TOKEN_URL, `${base}/token`, `http://${req.headers.host}/token`];
    if (!audiences.includes(claims.aud)) {
      return oauthError(
        res,
        "invalid_grant",
        `Invalid JWT: Failed audience check. The expected audience is ${GOOGLE_TOKEN_URL}.`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== "number" || typeof exp !== "number" || iat > now + SKEW_S || exp <= now || exp - iat > 3600) {
      return oauthError(
        res,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      );
    }
    const scopes = typeof claims.scope === "string" ? claims.scope.split(" ") : [];
    if (!scopes.some((s) => ACCEPTED_SCOPES.includes(s))) {
      return oauthError(res, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
    }
    const accessToken = `ya29.sim-${randomBytes(32).toString("base64url")}`;
    tokens.set(accessToken, Date.now() + ACCESS_TOKEN_TTL_S * 1000);
    return sendJson(res, 200, { access_token: accessToken, expires_in: ACCESS_TOKEN_TTL_S, token_type: "Bearer" });
  }

  async function send(req, res, project) {
    const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!bearer) {
      return googleError(
        res,
        401,
        "UNAUTHENTICATED",
        `Request is missing required authentication credential. ${AUTH_HELP}`,
      );
    }
    if (!((tokens.get(bearer) ?? 0) > Date.now())) {
      return googleError(res, 401, "UNAUTHENTICATED", `Request had invalid authentication credentials. ${AUTH_HELP}`);
    }
    // The service account only holds the send permission on its own project; IAM answers alike for foreign and unknown ones.
    if (project !== projectId) {
      const resource = `//cloudresourcemanager.googleapis.com/projects/${project}`;
      return googleError(
        res,
        403,
        "PERMISSION_DENIED",
        `Permission 'cloudmessaging.messages.create' denied on resource '${resource}' (or it may not exist).`,
      );
    }
    if (failures.count > 0) {
      failures.count -= 1;
      if (failures.status === 429) {
        return googleError(res, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for sending messages (injected).", {
          errorCode: "QUOTA_EXCEEDED",
          headers: { "retry-after": "1" },
        });
      }
      const status = failures.status === 503 ? "UNAVAILABLE" : "INTERNAL";
      return googleError(res, failures.status, status, "The service is currently unavailable (injected).", {
        errorCode: status,
      });
    }
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      return googleError(res, 400, "INVALID_ARGUMENT", `Invalid JSON payload received. ${err.message}`);
    }
    const violation = validateSend(body);
    if (violation) {
      return googleError(res, 400, "INVALID_ARGUMENT", violation.description, {
        details: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [violation] }],
      });
    }
    const { message } = body;
    if (message.token.startsWith("unregistered-")) {
      return googleError(res, 404, "NOT_FOUND", "Requested entity was not found.", { errorCode: "UNREGISTERED" });
    }
    if (message.token.startsWith("invalid-")) {
      return googleError(res, 400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", {
        errorCode: "INVALID_ARGUMENT",
      });
    }
    if (message.token.startsWith("mismatch-")) {
      return googleError(res, 403, "PERMISSION_DENIED", "SenderId mismatch", { errorCode: "SENDER_ID_MISMATCH" });
    }
    // A dry run answers FCM's fixed placeholder name and delivers nothing.
    if (body.validate_only) return sendJson(res, 200, { name: `projects/${projectId}/messages/fake_message_id` });
    const name = `projects/${projectId}/messages/0:${Date.now()}%${randomBytes(8).toString("hex")}`;
    const { token, notification, data, android, apns } = message;
    inbox.push({ name, token, notification, data, android, apns, received_at: Date.now() });
    return sendJson(res, 200, { name });
  }

  const server = await listen(
    async (req, res, url) => {
      if (url.pathname === "/__sim/messages") return answerInbox(req, res, url, inbox, "token");
      if (url.pathname === "/__sim/fail" && req.method === "POST") {
        const body = JSON.parse((await readBody(req)) || "{}");
        const status = Number(body.status ?? 500);
        if (![429, 500, 503].includes(status)) return sendJson(res, 400, { error: "status must be 429, 500 or 503" });
        failures = { status, count: Number(body.count ?? 1) };
        return sendJson(res, 200, failures);
      }
      if (url.pathname === "/__sim/reset" && req.method === "POST") {
        inbox.length = 0;
        tokens.clear();
        tokenRequests = 0;
        failures = { status: 0, count: 0 };
        return sendJson(res, 200, { reset: true });
      }
      if (url.pathname === "/token" && req.method === "POST") return grant(req, res);
      const sendPath = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(url.pathname);
      if (sendPath && req.method === "POST") return send(req, res, decodeURIComponent(sendPath[1]));
      return googleError(res, 404, "NOT_FOUND", `The requested URL ${url.pathname} was not found on this server.`);
    },
    { port },
  );
  base = server.url;
  return {
    ...server,
    projectId,
    inbox,
    tokenRequests: () => tokenRequests,
    /** Ends every access token issued so far, as if an hour had passed. */
    expireTokens: () => {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    ...(generated && { serviceAccountJson: { ...generated.serviceAccountJson, token_uri: `${server.url}/token` } }),
  };
}
