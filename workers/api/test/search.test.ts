import { describe, expect, it } from "vitest";
import { vincentyMeters } from "./geodesic";
import { call, type Json, login, makeProvider } from "./helpers";

interface Item {
  provider_id: number;
  distance_m: number;
  price_poisha: number;
  rating: number;
  verified: boolean;
}

/** A random spot far from every other test's providers, so each test owns its neighbourhood. */
function isolatedCenter() {
  return { lat: -35 + Math.random() * 20, lng: 100 + Math.random() * 40 };
}

function search(q: Record<string, string | number>) {
  const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]));
  return call(`/search/providers?${qs}`);
}

describe("GET /search/providers", () => {
  it("returns the nearest verified providers in order, with distances matching an independent geodesic computation", async () => {
    const c = isolatedCenter();
    const offsets = [0.003, 0.011, 0.007, 0.02, 0.015, 0.0005];
    const made = [];
    for (const [i, d] of offsets.entries()) {
      const lat = c.lat + (i % 2 ? d : -d * 0.7);
      const lng = c.lng + d * 0.5;
      made.push({ ...(await makeProvider({ lat, lng })), lat, lng });
    }
    const res = await search({ lat: c.lat, lng: c.lng, radius_km: 10, service_type: "driver", limit: 4 });
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    const expected = made
      .map((m) => ({ id: m.providerId, d: vincentyMeters(c.lat, c.lng, m.lat, m.lng) }))
      .sort((x, y) => x.d - y.d)
      .slice(0, 4);
    expect(items.map((i) => i.provider_id)).toEqual(expected.map((e) => e.id));
    for (const [i, e] of expected.entries()) expect(items[i]?.distance_m).toBeCloseTo(e.d, 0);
    expect(items.every((i) => i.verified)).toBe(true);
  });

  it("pages nearest-first through many providers in exactly the geodesic order", async () => {
    const c = isolatedCenter();
    const made = [];
    for (let i = 0; i < 14; i++) {
      // A spiral: directions vary, so sphere and spheroid orders could disagree if the engine trusted the sphere.
      const angle = i * 2.4;
      const r = 0.002 + i * 0.0011;
      const lat = c.lat + r * Math.cos(angle);
      const lng = c.lng + r * Math.sin(angle);
      made.push({ id: (await makeProvider({ lat, lng })).providerId, d: vincentyMeters(c.lat, c.lng, lat, lng) });
    }
    const expected = made.sort((a, b) => a.d - b.d).map((m) => m.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await search({
        ...c,
        service_type: "driver",
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...(page.body.items as Item[]).map((i) => i.provider_id));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it("honours the radius at its edge", async () => {
    const c = isolatedCenter();
    const inside = await makeProvider({ lat: c.lat + 0.045, lng: c.lng });
    const outside = await makeProvider({ lat: c.lat + 0.0452, lng: c.lng });
    const dIn = vincentyMeters(c.lat, c.lng, c.lat + 0.045, c.lng);
    const dOut = vincentyMeters(c.lat, c.lng, c.lat + 0.0452, c.lng);
    const radiusKm = (dIn + dOut) / 2 / 1000;
    const res = await search({ lat: c.lat, lng: c.lng, radius_km: radiusKm, service_type: "driver" });
    const ids = (res.body.items as Item[]).map((i) => i.provider_id);
    expect(ids).toContain(inside.providerId);
    expect(ids).not.toContain(outside.providerId);
  });

  it("never returns unverified providers or providers of another service", async () => {
    const c = isolatedCenter();
    const hidden = await makeProvider({ ...c, verified: false });
    const cook = await makeProvider({ ...c, services: [{ service_type: "cook", price_poisha: 20_000, unit: "hour" }] });
    const shown = await makeProvider(c);
    const ids = ((await search({ ...c, service_type: "driver" })).body.items as Item[]).map((i) => i.provider_id);
    expect(ids).toEqual([shown.providerId]);
    expect(ids).not.toContain(hidden.providerId);
    expect(ids).not.toContain(cook.providerId);
  });

  it("filters a window by the weekly plan across Dhaka midnight, by time off and by active bookings", async () => {
    const c = isolatedCenter();
    const night = await makeProvider({
      ...c,
      weekly: [
        { day: "fri", start: "20:00", end: "24:00" },
        { day: "sat", start: "00:00", end: "06:00" },
      ],
    });
    // Fri 2031-01-10 22:00 Dhaka (16:00Z) to Sat 02:00 Dhaka (20:00Z).
    const across = { start: "2031-01-10T16:00:00Z", end: "2031-01-10T20:00:00Z" };
    const ids = async (w: { start: string; end: string }) =>
      ((await search({ ...c, service_type: "driver", ...w })).body.items as Item[]).map((i) => i.provider_id);
    expect(await ids(across)).toEqual([night.providerId]);
    expect(await ids({ start: "2031-01-10T23:00:00Z", end: "2031-01-11T01:00:00Z" })).toEqual([]);

    const customer = await login();
    const booked = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      headers: { "idempotency-key": crypto.randomUUID() },
      body: {
        provider_id: night.providerId,
        service_type: "driver",
        start_date: "2031-01-10T17:00:00Z",
        end_date: "2031-01-10T18:00:00Z",
      },
    });
    expect(booked.status).toBe(201);
    expect(await ids(across)).toEqual([]);
    expect(await ids({ start: "2031-01-10T18:00:00Z", end: "2031-01-10T19:00:00Z" })).toEqual([night.providerId]);

    const put = await call("/provider/providers/me/availability", {
      method: "PUT",
      token: night.user.access,
      body: {
        weekly: [
          { day: "fri", start: "20:00", end: "24:00" },
          { day: "sat", start: "00:00", end: "06:00" },
        ],
        time_off: [{ start: "2031-01-10T18:30:00Z", end: "2031-01-10T18:45:00Z" }],
      },
    });
    expect(put.status).toBe(200);
    expect(await ids({ start: "2031-01-10T18:00:00Z", end: "2031-01-10T19:00:00Z" })).toEqual([]);
  });

  it("sorts by price and rating, filters by min rating and max price, and pages with a cursor", async () => {
    const c = isolatedCenter();
    const cheap = await makeProvider({
      ...c,
      rating: 3.1,
      services: [{ service_type: "driver", price_poisha: 10_000, unit: "hour" }],
    });
    const mid = await makeProvider({
      ...c,
      rating: 4.9,
      services: [{ service_type: "driver", price_poisha: 20_000, unit: "hour" }],
    });
    const dear = await makeProvider({
      ...c,
      rating: 4.2,
      services: [{ service_type: "driver", price_poisha: 30_000, unit: "hour" }],
    });
    const q = { ...c, service_type: "driver" };
    const ids = (r: { body: Json }) => (r.body.items as Item[]).map((i) => i.provider_id);
    expect(ids(await search({ ...q, sort: "price" }))).toEqual([cheap.providerId, mid.providerId, dear.providerId]);
    expect(ids(await search({ ...q, sort: "rating" }))).toEqual([mid.providerId, dear.providerId, cheap.providerId]);
    expect(ids(await search({ ...q, min_rating: 4, max_price_poisha: 25_000 }))).toEqual([mid.providerId]);
    const first = await search({ ...q, sort: "price", limit: 2 });
    expect(ids(first)).toEqual([cheap.providerId, mid.providerId]);
    const second = await search({ ...q, sort: "price", limit: 2, cursor: first.body.next_cursor as string });
    expect(ids(second)).toEqual([dear.providerId]);
    expect(second.body.next_cursor).toBeNull();
    const foreign = await search({ ...q, sort: "rating", limit: 2, cursor: first.body.next_cursor as string });
    expect(foreign.status).toBe(400);
  });

  it("caches: MISS then HIT, and a profile change stops the stale answer", async () => {
    const c = isolatedCenter();
    const p = await makeProvider(c);
    const q = { ...c, service_type: "driver" };
    const first = await search(q);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const second = await search(q);
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(second.body).toEqual(first.body);
    await call("/provider/providers/me", {
      method: "PATCH",
      token: p.user.access,
      body: { services: [{ service_type: "driver", price_poisha: 99_900, unit: "hour" }] },
    });
    const third = await search(q);
    expect(third.headers.get("x-cache")).toBe("MISS");
    expect((third.body.items as Item[])[0]?.price_poisha).toBe(99_900);
    const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]));
    const fresh = await call(`/search/providers?${qs}`, { headers: { "cache-control": "no-cache" } });
    expect(fresh.headers.get("x-cache")).toBe("BYPASS");
    expect(fresh.body).toEqual(third.body);
  });

  it("runs the query once for concurrent misses on one key", async () => {
    const c = isolatedCenter();
    await makeProvider(c);
    const results = await Promise.all(Array.from({ length: 6 }, () => search({ ...c, service_type: "driver" })));
    expect(results.map((r) => r.headers.get("x-cache")).filter((x) => x === "MISS")).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
  });

  it("gives anonymous and signed-in callers the same answer", async () => {
    const c = isolatedCenter();
    await makeProvider(c);
    const customer = await login();
    const anon = await search({ ...c, service_type: "driver" });
    const signed = await call(`/search/providers?lat=${c.lat}&lng=${c.lng}&service_type=driver`, {
      token: customer.access,
    });
    expect(signed.body).toEqual(anon.body);
  });

  it("refuses bad parameters with 400", async () => {
    const base = { lat: 23.79, lng: 90.41, service_type: "driver" };
    for (const bad of [
      { ...base, lat: 91 },
      { ...base, lng: -181 },
      { ...base, radius_km: 51 },
      { ...base, radius_km: 0 },
      { ...base, lat: "abc" },
      { ...base, limit: 51 },
      { ...base, start: "2031-01-10T18:00:00Z", end: "2031-01-10T17:00:00Z" },
      { ...base, start: "2031-01-10T18:00:00Z" },
      { ...base, sort: "nearest" },
      { ...base, service_type: "DROP TABLE" },
      { lat: 23.79, lng: 90.41 },
    ]) {
      const res = await search(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((res.body.error as { code: string }).code).toBe("invalid_input");
    }
  });
});
