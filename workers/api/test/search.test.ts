import { describe, expect, it } from "vitest";
import { vincentyMeters } from "./geodesic";
import { call, type Json, login, makeProvider, sql } from "./helpers";

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

/** Where search places a provider: its public point (see migrations/0011_search_privacy.sql), never its location. */
async function publicPoint(providerId: number): Promise<{ lat: number; lng: number }> {
  const [row] = await sql<{ lat: number; lng: number }>(
    "SELECT ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lng FROM search_listings WHERE provider_id = $1 LIMIT 1",
    [providerId],
  );
  if (!row) throw new Error(`no listing for provider ${providerId}`);
  return row;
}

/** Shown distances are rounded to 10 m; add the sphere-vs-spheroid slack of an exact comparison. */
const DISTANCE_TOLERANCE_M = 5.5;

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
    const placed = await Promise.all(
      made.map(async (m) => ({ id: m.providerId, at: await publicPoint(m.providerId) })),
    );
    const expected = placed
      .map((m) => ({ id: m.id, d: vincentyMeters(c.lat, c.lng, m.at.lat, m.at.lng) }))
      .sort((x, y) => x.d - y.d)
      .slice(0, 4);
    expect(items.map((i) => i.provider_id)).toEqual(expected.map((e) => e.id));
    for (const [i, e] of expected.entries()) {
      expect(Math.abs((items[i]?.distance_m ?? Number.NaN) - e.d)).toBeLessThanOrEqual(DISTANCE_TOLERANCE_M);
      expect((items[i]?.distance_m ?? 0) % 10).toBe(0);
    }
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
      const id = (await makeProvider({ lat, lng })).providerId;
      const at = await publicPoint(id);
      made.push({ id, d: vincentyMeters(c.lat, c.lng, at.lat, at.lng) });
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

  it("never places a provider within 100 m of their real location, however many points one searches from", async () => {
    const home = isolatedCenter();
    const p = await makeProvider(home);
    const M_PER_DEG_LAT = 110_574;
    const mPerDegLng = 111_320 * Math.cos((home.lat * Math.PI) / 180);
    // Eight vantage points 1-2 km around, as an attacker would pick them.
    const seen: { x: number; y: number; d: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const angle = (i * Math.PI) / 4;
      const r = 1000 + 125 * i;
      const x = r * Math.cos(angle);
      const y = r * Math.sin(angle);
      const res = await search({
        lat: home.lat + y / M_PER_DEG_LAT,
        lng: home.lng + x / mPerDegLng,
        radius_km: 5,
        service_type: "driver",
      });
      const item = (res.body.items as Item[]).find((it) => it.provider_id === p.providerId);
      if (!item) throw new Error("the provider should be found from every vantage point");
      seen.push({ x, y, d: item.distance_m });
    }
    // Trilaterate (Gauss-Newton on the flat local plane, exact enough at 2 km) from the answers alone.
    let ex = 0;
    let ey = 0;
    for (let iter = 0; iter < 50; iter++) {
      let a11 = 0,
        a12 = 0,
        a22 = 0,
        b1 = 0,
        b2 = 0;
      for (const s of seen) {
        const dx = ex - s.x;
        const dy = ey - s.y;
        const r = Math.hypot(dx, dy) || 1;
        const jx = dx / r;
        const jy = dy / r;
        const res = r - s.d;
        a11 += jx * jx;
        a12 += jx * jy;
        a22 += jy * jy;
        b1 += jx * res;
        b2 += jy * res;
      }
      const det = a11 * a22 - a12 * a12;
      ex -= (a22 * b1 - a12 * b2) / det;
      ey -= (a11 * b2 - a12 * b1) / det;
    }
    const pub = await publicPoint(p.providerId);
    const pubX = (pub.lng - home.lng) * mPerDegLng;
    const pubY = (pub.lat - home.lat) * M_PER_DEG_LAT;
    // The attack works (it finds the public point to within the rounding)…
    expect(Math.hypot(ex - pubX, ey - pubY)).toBeLessThan(25);
    // …and the public point is never the home: 100 to 300 m away.
    const error = Math.hypot(ex, ey);
    expect(error).toBeGreaterThanOrEqual(100 - 25);
    expect(vincentyMeters(home.lat, home.lng, pub.lat, pub.lng)).toBeGreaterThanOrEqual(100);
    expect(vincentyMeters(home.lat, home.lng, pub.lat, pub.lng)).toBeLessThanOrEqual(300.5);
  });

  it("moves the public point when the provider moves, and keeps it while they stay", async () => {
    const home = isolatedCenter();
    const p = await makeProvider(home);
    const before = await publicPoint(p.providerId);
    await call("/provider/providers/me", { method: "PATCH", token: p.user.access, body: { display_name: "Renamed" } });
    expect(await publicPoint(p.providerId)).toEqual(before);
    const moved = { lat: home.lat + 0.01, lng: home.lng };
    const patch = await call("/provider/providers/me", {
      method: "PATCH",
      token: p.user.access,
      body: { location: moved },
    });
    expect(patch.status).toBe(200);
    const after = await publicPoint(p.providerId);
    const d = vincentyMeters(moved.lat, moved.lng, after.lat, after.lng);
    expect(d).toBeGreaterThanOrEqual(100);
    expect(d).toBeLessThanOrEqual(300.5);
  });

  it("honours the radius at its edge", async () => {
    const c = isolatedCenter();
    // The edge is drawn between the two public points, whichever of them lies nearer.
    const a = await makeProvider({ lat: c.lat + 0.045, lng: c.lng });
    const b = await makeProvider({ lat: c.lat + 0.0452, lng: c.lng });
    const dA = await publicPoint(a.providerId).then((p) => vincentyMeters(c.lat, c.lng, p.lat, p.lng));
    const dB = await publicPoint(b.providerId).then((p) => vincentyMeters(c.lat, c.lng, p.lat, p.lng));
    const [inside, outside] = dA < dB ? [a, b] : [b, a];
    const radiusKm = ((dA + dB) / 2 / 1000).toFixed(6);
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
    // A Friday a few weeks ahead (bookings must start within the booking horizon), 22:00 Dhaka (16:00Z) to
    // Saturday 02:00 Dhaka (20:00Z).
    const day = new Date(Date.now() + 14 * 86_400_000);
    day.setUTCDate(day.getUTCDate() + ((5 - day.getUTCDay() + 7) % 7));
    const fri = day.toISOString().slice(0, 10);
    const sat = new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10);
    const across = { start: `${fri}T16:00:00Z`, end: `${fri}T20:00:00Z` };
    const ids = async (w: { start: string; end: string }) =>
      ((await search({ ...c, service_type: "driver", ...w })).body.items as Item[]).map((i) => i.provider_id);
    expect(await ids(across)).toEqual([night.providerId]);
    expect(await ids({ start: `${fri}T23:00:00Z`, end: `${sat}T01:00:00Z` })).toEqual([]);

    const customer = await login();
    const booked = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      headers: { "idempotency-key": crypto.randomUUID() },
      body: {
        provider_id: night.providerId,
        service_type: "driver",
        start_date: `${fri}T17:00:00Z`,
        end_date: `${fri}T18:00:00Z`,
      },
    });
    expect(booked.status).toBe(201);
    expect(await ids(across)).toEqual([]);
    expect(await ids({ start: `${fri}T18:00:00Z`, end: `${fri}T19:00:00Z` })).toEqual([night.providerId]);

    const put = await call("/provider/providers/me/availability", {
      method: "PUT",
      token: night.user.access,
      body: {
        weekly: [
          { day: "fri", start: "20:00", end: "24:00" },
          { day: "sat", start: "00:00", end: "06:00" },
        ],
        time_off: [{ start: `${fri}T18:30:00Z`, end: `${fri}T18:45:00Z` }],
      },
    });
    expect(put.status).toBe(200);
    expect(await ids({ start: `${fri}T18:00:00Z`, end: `${fri}T19:00:00Z` })).toEqual([]);
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
      { ...base, lat: "" },
      { ...base, lat: "0x17" },
      { ...base, lng: "9e1" },
      { ...base, limit: "1.5" },
      { ...base, start: "0000-01-01T00:00:00Z", end: "0000-01-01T02:00:00Z" },
      { ...base, cursor: btoa(JSON.stringify({ q: "x", a: [0.5, "1; DROP", 1.5e300] })) },
      { lat: 23.79, lng: 90.41 },
    ]) {
      const res = await search(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((res.body.error as { code: string }).code).toBe("invalid_input");
    }
  });
});

describe("cache invalidation follows the public point", () => {
  it("stops a cached window answer when a booking fills a provider whose public point lies in another map cell", async () => {
    // Cells are 0.5° squares. A provider 5 m south of a cell edge has its public point (100-300 m away, in a keyed
    // direction) across it about four times in ten: keep making providers there until one's public point sits
    // at least 50 m inside the northern cell (40 tries: a miss is about 0.6^40, never in practice).
    const lng = 150 + Math.random() * 20;
    let found: { providerId: number; at: { lat: number; lng: number } } | undefined;
    for (let i = 0; i < 40 && !found; i++) {
      const p = await makeProvider({ lat: -30.00005, lng: lng + i * 0.01 });
      const at = await publicPoint(p.providerId);
      if (at.lat > -29.99955) found = { providerId: p.providerId, at };
    }
    if (!found) throw new Error("no provider's public point crossed the cell edge in 40 tries");
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCHours(4, 0, 0, 0);
    const window = { start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString() };
    // A radius small enough that the search covers only the public point's cell, never the location's.
    const q = { lat: found.at.lat, lng: found.at.lng, radius_km: 0.1, service_type: "driver", ...window };
    const ids = (r: { body: Json }) => (r.body.items as Item[]).map((i) => i.provider_id);
    expect(ids(await search(q))).toContain(found.providerId);
    const cachedAnswer = await search(q);
    expect(cachedAnswer.headers.get("x-cache")).toBe("HIT");
    const customer = await login();
    const booked = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      headers: { "idempotency-key": crypto.randomUUID() },
      body: { provider_id: found.providerId, service_type: "driver", start_date: window.start, end_date: window.end },
    });
    expect(booked.status).toBe(201);
    // The object invalidates asynchronously (best effort, after the commit): give it a moment.
    let after = await search(q);
    for (let i = 0; i < 20 && after.headers.get("x-cache") === "HIT"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await search(q);
    }
    expect(after.headers.get("x-cache")).toBe("MISS");
    expect(ids(after)).not.toContain(found.providerId);
  });
});
