// The FCM simulator is the spec for our push adapter: Google's token grant, FCM v1 sends and their refusals.
import { generateKeyPair, importPKCS8, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FCM_SCOPE, GOOGLE_TOKEN_URL, generateServiceAccount, startFcmSimulator } from "../../simulators/fcm.mjs";

const PROJECT = "kormo-test";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** @type {Awaited<ReturnType<typeof startFcmSimulator>>} */
let sim;
let account;
let privateKey;

beforeAll(async () => {
  const generated = await generateServiceAccount({ projectId: PROJECT });
  account = generated.serviceAccountJson;
  privateKey = await importPKCS8(account.private_key, "RS256");
  sim = await startFcmSimulator({ projectId: PROJECT, serviceAccount: generated.serviceAccount });
});
afterAll(() => sim?.close());
beforeEach(() => fetch(`${sim.url}/__sim/reset`, { method: "POST" }));

/** An assertion as our adapter builds it; `claims` override or (with undefined) drop claims. */
function assertion(claims = {}, { key = privateKey, kid = account.private_key_id } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: account.client_email,
    scope: FCM_SCOPE,
    aud: GOOGLE_TOKEN_URL,
    iat: now,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
    .sign(key);
}

function grant(jwt, grantType = JWT_BEARER) {
  return fetch(`${sim.url}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: grantType, assertion: jwt }),
  });
}

async function accessToken() {
  const res = await grant(await assertion());
  expect(res.status).toBe(200);
  return (await res.json()).access_token;
}

function send(bearer, body, project = PROJECT) {
  return fetch(`${sim.url}/v1/projects/${project}/messages:send`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(bearer && { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify(body),
  });
}

const message = (token = "device-a") => ({
  message: { token, notification: { title: "বুকিং নিশ্চিত", body: "Booking confirmed" }, data: { booking_id: "12" } },
});

async function inbox(token) {
  const res = await fetch(`${sim.url}/__sim/messages${token ? `?token=${token}` : ""}`);
  return (await res.json()).messages;
}

describe("FCM simulator: token endpoint", () => {
  it("exchanges a correctly signed assertion for a Bearer token valid for 3599 seconds and counts the request", async () => {
    const res = await grant(await assertion());
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, token_type: "Bearer" });
    expect(sim.tokenRequests()).toBe(1);
  });

  it("accepts its own token URL as the audience, as a service account whose token_uri points here produces", async () => {
    const res = await grant(await assertion({ aud: `${sim.url}/token` }));
    expect(res.status).toBe(200);
  });

  it("refuses an assertion signed by another key with invalid_grant", async () => {
    const { privateKey: stranger } = await generateKeyPair("RS256");
    const res = await grant(await assertion({}, { key: stranger }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_grant", error_description: "Invalid JWT Signature." });
  });

  it("refuses an assertion whose kid is not the service account's private_key_id", async () => {
    const res = await grant(await assertion({}, { kid: "0".repeat(40) }));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("invalid_grant");
  });

  it("refuses an assertion for another audience", async () => {
    const res = await grant(await assertion({ aud: "https://accounts.google.com/o/oauth2/token" }));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toMatch(/audience/);
  });

  it("refuses an assertion issued by an unknown account", async () => {
    const res = await grant(await assertion({ iss: `someone@${PROJECT}.iam.gserviceaccount.com` }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_grant", error_description: "Invalid grant: account not found" });
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ["has expired", () => ({ iat: now() - 4000, exp: now() - 400 })],
    ["is issued more than 60 s in the future", () => ({ iat: now() + 120, exp: now() + 1800 })],
    ["lives longer than an hour", () => ({ iat: now(), exp: now() + 3601 })],
    ["has no exp", () => ({ exp: undefined })],
  ])("refuses an assertion that %s", async (_case, times) => {
    const res = await grant(await assertion(times()));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toMatch(/short-lived token/);
  });

  it("tolerates an iat up to 60 seconds ahead, for clock skew", async () => {
    const res = await grant(await assertion({ iat: now() + 50, exp: now() + 3600 }));
    expect(res.status).toBe(200);
  });

  it("refuses an assertion without the firebase.messaging scope with invalid_scope", async () => {
    const res = await grant(await assertion({ scope: "https://www.googleapis.com/auth/userinfo.email" }));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("invalid_scope");
  });

  it("refuses other grant types", async () => {
    const res = await grant(await assertion(), "client_credentials");
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("unsupported_grant_type");
  });
});

describe("FCM simulator: messages:send", () => {
  it("delivers a message to the inbox with its receive time and answers its resource name", async () => {
    const before = Date.now();
    const res = await send(await accessToken(), message("device-a"));
    expect(res.status).toBe(200);
    const { name } = await res.json();
    expect(name).toMatch(new RegExp(`^projects/${PROJECT}/messages/.+`));
    const [delivered] = await inbox("device-a");
    expect(delivered).toMatchObject({ token: "device-a", ...message().message, name });
    expect(delivered.received_at).toBeGreaterThanOrEqual(before);
    expect(sim.inbox).toHaveLength(1);
  });

  it("filters the inbox by token and empties it on DELETE", async () => {
    const bearer = await accessToken();
    await send(bearer, message("device-a"));
    await send(bearer, message("device-b"));
    expect(await inbox("device-b")).toHaveLength(1);
    expect(await inbox()).toHaveLength(2);
    await fetch(`${sim.url}/__sim/messages`, { method: "DELETE" });
    expect(await inbox()).toEqual([]);
  });

  it("lets one access token serve many sends, so an adapter that caches it makes a single token request", async () => {
    const bearer = await accessToken();
    for (const token of ["d1", "d2", "d3"]) expect((await send(bearer, message(token))).status).toBe(200);
    expect(sim.tokenRequests()).toBe(1);
    expect(sim.inbox).toHaveLength(3);
  });

  it("validates a validate_only request without delivering it", async () => {
    const res = await send(await accessToken(), { ...message(), validate_only: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: `projects/${PROJECT}/messages/fake_message_id` });
    expect(sim.inbox).toEqual([]);
  });

  it.each([
    ["no Authorization header", undefined, /missing required authentication credential/],
    ["an access token it never issued", "ya29.forged", /invalid authentication credentials/],
  ])("answers 401 UNAUTHENTICATED to %s", async (_case, bearer, pattern) => {
    const res = await send(bearer, message());
    expect(res.status).toBe(401);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    expect(error.message).toMatch(pattern);
  });

  it("answers 401 once the access token has expired", async () => {
    const bearer = await accessToken();
    sim.expireTokens();
    const res = await send(bearer, message());
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/^Request had invalid authentication credentials\./);
    expect(sim.inbox).toEqual([]);
  });

  it("answers 403 PERMISSION_DENIED for a project the service account does not belong to", async () => {
    const res = await send(await accessToken(), message(), "someone-elses-project");
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({ code: 403, status: "PERMISSION_DENIED" });
  });

  it("answers 404 UNREGISTERED in FCM's shape for a dead registration token", async () => {
    const res = await send(await accessToken(), message("unregistered-old-phone"));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        code: 404,
        message: "Requested entity was not found.",
        status: "NOT_FOUND",
        details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "UNREGISTERED" }],
      },
    });
  });

  it("answers 400 INVALID_ARGUMENT naming the registration token for a malformed token", async () => {
    const res = await send(await accessToken(), message("invalid-garbage"));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 400,
        message: "The registration token is not a valid FCM registration token",
        status: "INVALID_ARGUMENT",
        details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "INVALID_ARGUMENT" }],
      },
    });
  });

  it("answers 403 SENDER_ID_MISMATCH for a token registered to another sender", async () => {
    const res = await send(await accessToken(), message("mismatch-other-app"));
    expect(res.status).toBe(403);
    expect((await res.json()).error.details[0].errorCode).toBe("SENDER_ID_MISMATCH");
  });

  it.each([
    [
      "a data value that is not a string",
      { message: { token: "d", data: { booking_id: 12 } } },
      "message.data[0].value",
    ],
    ["no message", {}, "message"],
    ["no target", { message: { notification: { title: "x" } } }, "message"],
    ["two targets", { message: { token: "d", topic: "news" } }, "message"],
    ["an unknown message field", { message: { token: "d", priority: "high" } }, "priority"],
    ["an unknown notification field", { message: { token: "d", notification: { text: "x" } } }, "text"],
    ["an oversized payload", { message: { token: "d", data: { blob: "x".repeat(5000) } } }, "message"],
  ])("refuses %s with 400 INVALID_ARGUMENT and delivers nothing", async (_case, body, field) => {
    const res = await send(await accessToken(), body);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect(error.details[0].fieldViolations[0].field).toBe(field);
    expect(sim.inbox).toEqual([]);
  });

  it("fails exactly the next `count` sends with 429 QUOTA_EXCEEDED and Retry-After: 1 when told to", async () => {
    const bearer = await accessToken();
    await fetch(`${sim.url}/__sim/fail`, { method: "POST", body: JSON.stringify({ status: 429, count: 2 }) });
    for (let i = 0; i < 2; i += 1) {
      const res = await send(bearer, message());
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("1");
      const { error } = await res.json();
      expect(error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
      expect(error.details[0].errorCode).toBe("QUOTA_EXCEEDED");
    }
    expect((await send(bearer, message())).status).toBe(200);
    expect(sim.inbox).toHaveLength(1);
  });

  it.each([
    [500, "INTERNAL"],
    [503, "UNAVAILABLE"],
  ])("fails a send with an injected %i %s", async (status, name) => {
    const bearer = await accessToken();
    await fetch(`${sim.url}/__sim/fail`, { method: "POST", body: JSON.stringify({ status, count: 1 }) });
    const res = await send(bearer, message());
    expect(res.status).toBe(status);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: status, status: name });
    expect(error.details[0].errorCode).toBe(name);
    expect(sim.inbox).toEqual([]);
  });

  it("forgets inbox, access tokens and the token count on reset", async () => {
    const bearer = await accessToken();
    await send(bearer, message());
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    expect(sim.inbox).toEqual([]);
    expect(sim.tokenRequests()).toBe(0);
    expect((await send(bearer, message())).status).toBe(401);
  });
});

describe("FCM simulator: self-made service account", () => {
  it("generates a service account whose JSON points token_uri at the simulator and works end to end", async () => {
    const own = await startFcmSimulator({ projectId: "kormo-solo" });
    try {
      const sa = own.serviceAccountJson;
      expect(sa).toMatchObject({ type: "service_account", project_id: "kormo-solo", token_uri: `${own.url}/token` });
      expect(sa.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({
        iss: sa.client_email,
        scope: FCM_SCOPE,
        aud: sa.token_uri,
        iat: now,
        exp: now + 3600,
      })
        .setProtectedHeader({ alg: "RS256", kid: sa.private_key_id })
        .sign(await importPKCS8(sa.private_key, "RS256"));
      const granted = await fetch(sa.token_uri, {
        method: "POST",
        body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: jwt }),
      });
      const { access_token } = await granted.json();
      const res = await fetch(`${own.url}/v1/projects/kormo-solo/messages:send`, {
        method: "POST",
        headers: { authorization: `Bearer ${access_token}` },
        body: JSON.stringify(message("solo-device")),
      });
      expect(res.status).toBe(200);
      expect(own.inbox.map((m) => m.token)).toEqual(["solo-device"]);
    } finally {
      await own.close();
    }
  });
});
