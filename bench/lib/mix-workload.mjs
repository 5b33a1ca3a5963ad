// What `npm run bench mix` sends: the kinds of the blend, the state they share (tokens, bookings), and their setup.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { login, TEST_NUMBERS } from "./auth.mjs";
import { bookableProviders, slotMaker } from "./booking.mjs";
import { DATABASE_URL, ensureProviders, randomQuery } from "./places.mjs";
import { mintAccessToken } from "./tokens.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** The kinds, in report order, with the default blend (percent of all requests). */
export const DEFAULT_WEIGHTS = {
  search: 70,
  profile: 8,
  availability: 7,
  "booking-read": 8,
  write: 5,
  login: 2,
};
export const KINDS = Object.keys(DEFAULT_WEIGHTS);

/** Share of searches taken from the hot set (cache hits once warm); the rest are cold points, some with a window. */
const HOT_SHARE = 0.8;
const HOT_QUERIES = 50;
const WRITE_PROVIDERS = 48;
const PREFILL_BOOKINGS = 16;
/** Refresh-token chains: each is checked out by one refresh at a time (a token is good for one rotation). */
const REFRESH_CHAINS = 16;
/** Share of logins that are a full OTP login (request + verify) rather than a token refresh. */
const OTP_SHARE = 0.1;
const CUSTOMERS = ["+8801700000001", "+8801700000003"];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const bearer = (token) => ({ authorization: `Bearer ${token}` });
const parse = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/** The same fixed hot set as search-cached (Park-Miller from seed 7). */
function hotSearchPaths() {
  let seed = 7;
  const rand = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  return Array.from({ length: HOT_QUERIES }, () => `/search/providers?${new URLSearchParams(randomQuery(rand))}`);
}

async function sampleProviderIds(n) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT provider_id::int AS id FROM search_listings WHERE verified ORDER BY random() LIMIT $1",
      [n],
    );
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

/**
 * Builds the workload: seeds what it needs (100k providers, as the search scenarios), logs the test customers in,
 * mints provider tokens, warms the hot searches and books a few bookings to read. Returns `{ ops, refreshTokens,
 * stats }`: `ops[kind](send, rand)` performs one request of that kind and resolves with `{ status, label,
 * expected }`; `refreshTokens()` mints fresh access tokens (call it before each step: they live 15 minutes).
 */
export async function mixWorkload({ base, send, log }) {
  await ensureProviders();
  const sessions = [];
  for (const phone of CUSTOMERS) sessions.push(await login(base, phone));
  const customers = sessions.map((s) => ({ userId: s.user.id, token: s.access_token }));
  const providers = (await bookableProviders(WRITE_PROVIDERS)).map((p) => ({ ...p, token: "" }));
  const profileIds = await sampleProviderIds(2000);
  const hot = hotSearchPaths();
  const slot = slotMaker(1);

  async function refreshTokens() {
    for (const c of customers) c.token = await mintAccessToken(root, { userId: c.userId, role: "customer" });
    for (const p of providers) p.token = await mintAccessToken(root, { userId: p.user_id, role: "provider" });
  }
  await refreshTokens();

  // Booking state shared by the reads and the writes: every booking is read by its customer.
  const bookings = [];
  const pending = [];
  const accepted = [];
  let nextProvider = 0;
  let nextCustomer = 0;
  const createBody = () => {
    const provider = providers[nextProvider++ % providers.length];
    return { provider, body: { provider_id: provider.id, service_type: "driver", ...slot(provider.id) } };
  };
  async function create(sendFn) {
    const customer = customers[nextCustomer++ % customers.length];
    const { provider, body } = createBody();
    const res = await sendFn({
      method: "POST",
      path: "/booking/bookings",
      headers: { ...bearer(customer.token), "idempotency-key": crypto.randomUUID() },
      body,
    });
    if (res.status === 201) {
      const id = parse(res.text)?.id;
      if (id) {
        const b = { id, customer, provider };
        bookings.push(b);
        pending.push(b);
      }
    }
    return { status: res.status, label: "create", expected: res.status === 409 };
  }

  log(`setup: warming ${hot.length} hot searches, booking ${PREFILL_BOOKINGS} to read`);
  for (const path of hot) await send({ path });
  for (let i = 0; i < PREFILL_BOOKINGS; i++) {
    const r = await create(send);
    if (r.status !== 201) throw new Error(`setup: POST /booking/bookings answered ${r.status}`);
  }

  const chains = [];
  for (let i = 0; i < REFRESH_CHAINS; i++) {
    chains.push((await login(base, TEST_NUMBERS[i % TEST_NUMBERS.length])).refresh_token);
  }
  // A test number's code is single-use and re-set by each request: one OTP login per number at a time.
  const freeNumbers = [...TEST_NUMBERS];
  const stats = { loginFallbacks: 0, writeFallbacks: 0 };

  const ops = {
    async search(sendFn, rand) {
      if (rand() < HOT_SHARE) {
        const res = await sendFn({ path: hot[Math.floor(rand() * hot.length)] });
        return { status: res.status, label: "search-hot" };
      }
      const q = new URLSearchParams(randomQuery(rand));
      // Half the cold searches ask for a free window (2-8 h, some day in the next month): the availability path.
      if (rand() < 0.5) {
        const start = Math.ceil((Date.now() + rand() * 30 * DAY) / HOUR) * HOUR;
        q.set("start", new Date(start).toISOString());
        q.set("end", new Date(start + (2 + Math.floor(rand() * 7)) * HOUR).toISOString());
      }
      const res = await sendFn({ path: `/search/providers?${q}` });
      return { status: res.status, label: "search-cold" };
    },
    async profile(sendFn, rand) {
      const id = profileIds[Math.floor(rand() * profileIds.length)];
      const res = await sendFn({ path: `/provider/providers/${id}` });
      return { status: res.status, label: "profile" };
    },
    async availability(sendFn, rand) {
      const id = profileIds[Math.floor(rand() * profileIds.length)];
      const from = Math.floor((Date.now() + rand() * 14 * DAY) / HOUR) * HOUR;
      const to = from + (1 + Math.floor(rand() * 7)) * DAY;
      const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
      const res = await sendFn({ path: `/provider/providers/${id}/availability?${q}` });
      return { status: res.status, label: "availability" };
    },
    async "booking-read"(sendFn, rand) {
      if (rand() < 0.5) {
        const b = bookings[Math.floor(rand() * bookings.length)];
        const res = await sendFn({ path: `/booking/bookings/${b.id}`, headers: bearer(b.customer.token) });
        return { status: res.status, label: "booking-get" };
      }
      const customer = customers[Math.floor(rand() * customers.length)];
      const res = await sendFn({ path: "/booking/bookings?limit=20", headers: bearer(customer.token) });
      return { status: res.status, label: "booking-list" };
    },
    // Half creates, 30% accepts (by the provider, oldest pending first), 20% cancels (by the customer); a step
    // with nothing to act on creates instead. 409 (slot taken, or a state another step already changed) is expected.
    async write(sendFn, rand) {
      const u = rand();
      const target = u < 0.5 ? null : u < 0.8 ? pending.shift() : (accepted.shift() ?? pending.shift());
      if (!target) {
        if (u >= 0.5) stats.writeFallbacks++;
        return create(sendFn);
      }
      const action = u < 0.8 ? "accept" : "cancel";
      const token = action === "accept" ? target.provider.token : target.customer.token;
      const res = await sendFn({
        method: "POST",
        path: `/booking/bookings/${target.id}/${action}`,
        headers: bearer(token),
      });
      if (res.status === 200 && action === "accept") accepted.push(target);
      return { status: res.status, label: action, expected: res.status === 409 };
    },
    // Mostly refresh-token rotation; one in ten a full OTP login on a fixed-code test number (request + verify,
    // measured together). Real numbers could not do this: one SMS per number per 60 s and per-phone hourly caps.
    async login(sendFn, rand) {
      const phone = rand() < OTP_SHARE || chains.length === 0 ? freeNumbers.shift() : undefined;
      if (phone) {
        try {
          const r1 = await sendFn({ method: "POST", path: "/auth/otp/request", body: { phone } });
          if (r1.status !== 202) return { status: r1.status, label: "otp-request" };
          const r2 = await sendFn({
            method: "POST",
            path: "/auth/otp/verify",
            body: { phone, code: "123456", device_id: `bench-mix-${crypto.randomUUID()}`, platform: "web" },
          });
          const session = r2.status === 200 ? parse(r2.text) : null;
          // A new chain for the pool: OTP logins top up refreshes lost to timeouts.
          if (session?.refresh_token && chains.length < REFRESH_CHAINS) chains.push(session.refresh_token);
          return { status: r2.status, label: "otp-login" };
        } finally {
          freeNumbers.push(phone);
        }
      }
      const token = chains.shift();
      if (!token) {
        stats.loginFallbacks++;
        return { status: 0, label: "refresh", skipped: true };
      }
      const res = await sendFn({ method: "POST", path: "/auth/token/refresh", headers: bearer(token) });
      const next = res.status === 200 ? parse(res.text)?.refresh_token : null;
      if (next) chains.push(next);
      return { status: res.status, label: "refresh" };
    },
  };
  return { ops, refreshTokens, stats };
}
