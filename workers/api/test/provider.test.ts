import { describe, expect, it } from "vitest";
import { call, errorCode, type Json, login, makeProvider, sql } from "./helpers";

const profile = {
  display_name: "Karim Electric",
  bio: "Wiring, fans, IPS. ১০ বছরের অভিজ্ঞতা।",
  languages: ["bn", "en"],
  services: [{ service_type: "electrician", price_poisha: 60_000, unit: "visit" }],
  location: { lat: 23.7465, lng: 90.376 },
  service_radius_km: 8,
  area: { division: "Dhaka", district: "Dhaka", area: "Dhanmondi" },
};

describe("service catalog", () => {
  it("lists the services with Bangla and English names", async () => {
    const res = await call("/provider/services");
    expect(res.status).toBe(200);
    const services = res.body.services as { service_type: string; name: { en: string; bn: string } }[];
    for (const s of ["driver", "housekeeper", "cook", "nanny", "electrician", "plumber"]) {
      expect(services.map((x) => x.service_type)).toContain(s);
    }
    expect(services.find((s) => s.service_type === "driver")?.name).toEqual({ en: "Driver", bn: "ড্রাইভার" });
  });
});

describe("provider profile", () => {
  it("makes a customer a provider, unverified, and refuses a second profile with 409", async () => {
    const user = await login();
    const res = await call("/provider/providers", { method: "POST", token: user.access, body: profile });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      user_id: user.userId,
      verification_status: "unverified",
      services: profile.services,
      location: profile.location,
      area: { division: "Dhaka", district: "Dhaka", area: "Dhanmondi" },
    });
    const again = await call("/provider/providers", { method: "POST", token: user.access, body: profile });
    expect(again.status).toBe(409);
    expect((again.body.error as { details: Json }).details).toEqual({ kind: "existing", provider_id: res.body.id });
    const me = await call("/auth/me", { token: (await login(user.phone)).access });
    expect(me.body).toMatchObject({ user: { role: "provider" }, provider_id: res.body.id });
  });

  it("refuses unknown services and bad coordinates with 400", async () => {
    const user = await login();
    const unknown = await call("/provider/providers", {
      method: "POST",
      token: user.access,
      body: { ...profile, services: [{ service_type: "astronaut", price_poisha: 1, unit: "hour" }] },
    });
    expect(unknown.status).toBe(400);
    const far = await call("/provider/providers", {
      method: "POST",
      token: user.access,
      body: { ...profile, location: { lat: 123, lng: 90 } },
    });
    expect(far.status).toBe(400);
  });

  it("updates my profile and keeps fields I did not send", async () => {
    const p = await makeProvider();
    const res = await call("/provider/providers/me", {
      method: "PATCH",
      token: p.user.access,
      body: { bio: "New bio" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ bio: "New bio", display_name: "Fixture Provider", languages: ["bn"] });
    const svc = await call("/provider/providers/me", {
      method: "PATCH",
      token: p.user.access,
      body: { services: [{ service_type: "cook", price_poisha: 30_000, unit: "hour" }] },
    });
    expect(svc.body.services).toEqual([{ service_type: "cook", price_poisha: 30_000, unit: "hour" }]);
  });

  it("shows the public profile without phone, user id or location, and hides unverified providers", async () => {
    const p = await makeProvider();
    const pub = await call(`/provider/providers/${p.providerId}`);
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ id: p.providerId, verified: true });
    const text = JSON.stringify(pub.body);
    expect(text).not.toContain(p.user.phone.slice(4));
    expect(pub.body).not.toHaveProperty("user_id");
    expect(pub.body).not.toHaveProperty("location");
    expect(text).not.toContain("23.7925");
    const hidden = await makeProvider({ verified: false });
    expect((await call(`/provider/providers/${hidden.providerId}`)).status).toBe(404);
  });

  it("lets provider A change only A's own profile", async () => {
    const a = await makeProvider();
    const b = await makeProvider();
    await call("/provider/providers/me", {
      method: "PATCH",
      token: a.user.access,
      body: { display_name: "A renamed" },
    });
    const bNow = await call(`/provider/providers/${b.providerId}`);
    expect(bNow.body.display_name).toBe("Fixture Provider");
    // There is no way to name another provider in a write: every write is /me.
    const customer = await login();
    expect(
      (await call("/provider/providers/me", { method: "PATCH", token: customer.access, body: { bio: "x" } })).status,
    ).toBe(404);
  });
});

describe("availability", () => {
  it("stores a weekly plan with time off and answers free intervals minus bookings, across Dhaka midnight", async () => {
    const p = await makeProvider();
    const put = await call("/provider/providers/me/availability", {
      method: "PUT",
      token: p.user.access,
      body: {
        weekly: [
          { day: "fri", start: "20:00", end: "24:00" },
          { day: "sat", start: "00:00", end: "06:00" },
        ],
        time_off: [{ start: "2030-01-11T15:00:00Z", end: "2030-01-11T16:00:00Z", reason: "Jummah" }],
      },
    });
    expect(put.status).toBe(200);
    const customer = await login();
    await sql(
      `INSERT INTO bookings (customer_id, provider_id, service_type, start_date, end_date, status, price_poisha)
       VALUES ($1, $2, 'driver', '2030-01-11T19:00:00Z', '2030-01-11T20:00:00Z', 'ACCEPTED', 1),
              ($1, $2, 'driver', '2030-01-11T20:00:00Z', '2030-01-11T21:00:00Z', 'CANCELED', 1)`,
      [customer.userId, p.providerId],
    );
    const res = await call(
      `/provider/providers/${p.providerId}/availability?from=2030-01-11T00:00:00Z&to=2030-01-12T12:00:00Z`,
    );
    expect(res.status).toBe(200);
    // Fri 20:00 Dhaka (14:00Z) .. Sat 06:00 Dhaka (00:00Z), minus 15-16Z time off, minus the accepted 19-20Z booking.
    expect(res.body).toEqual({
      provider_id: p.providerId,
      intervals: [
        { start: "2030-01-11T14:00:00.000Z", end: "2030-01-11T15:00:00.000Z" },
        { start: "2030-01-11T16:00:00.000Z", end: "2030-01-11T19:00:00.000Z" },
        { start: "2030-01-11T20:00:00.000Z", end: "2030-01-12T00:00:00.000Z" },
      ],
    });
  });

  it("refuses a malformed plan and too long a range with 400", async () => {
    const p = await makeProvider();
    const bad = await call("/provider/providers/me/availability", {
      method: "PUT",
      token: p.user.access,
      body: { weekly: [{ day: "mon", start: "17:00", end: "09:00" }] },
    });
    expect(bad.status).toBe(400);
    expect(errorCode(bad.body)).toBe("invalid_input");
    const long = await call(
      `/provider/providers/${p.providerId}/availability?from=2030-01-01T00:00:00Z&to=2030-03-01T00:00:00Z`,
    );
    expect(long.status).toBe(400);
  });
});
