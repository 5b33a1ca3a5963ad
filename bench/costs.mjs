// `npm run bench costs`: what one operation costs the back ends, measured on the dev stack: Postgres transactions
// (pg_stat_database), statements over Neon's HTTP path (the bridge's counter), Redis commands (INFO stats), and
// queue messages (outbox rows). docs/capacity.md multiplies these by the traffic it models. Each operation runs
// `N` times one after another on a quiet stack; the numbers are per operation, averaged.
import { createConnection } from "node:net";
import pg from "pg";
import { login } from "./lib/auth.mjs";
import { bookableProviders, customerToken, quiet, slotMaker } from "./lib/booking.mjs";
import { DATABASE_URL } from "./lib/places.mjs";

const N = Number(process.env.BENCH_COSTS_N ?? 20);

async function redisCommands() {
  const url = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString();
      const m = /total_commands_processed:(\d+)/.exec(buf);
      if (m) {
        sock.end();
        resolve(Number(m[1]));
      }
    });
    sock.on("error", reject);
    sock.write("INFO stats\r\n");
  });
}

async function counters(db, sqlHttp) {
  const { rows } = await db.query(
    "SELECT xact_commit + xact_rollback AS x FROM pg_stat_database WHERE datname = current_database()",
  );
  const { rows: outbox } = await db.query("SELECT count(*)::int AS n FROM outbox");
  const http = await (await fetch(sqlHttp)).json();
  // pg_stat_database is updated when a backend reports its stats; give the reporters a moment.
  return { xacts: Number(rows[0].x), outbox: outbox[0].n, http: http.requests, redis: await redisCommands() };
}

/** Runs `op` N times and returns the per-operation deltas. */
export async function costOf(name, op, { db, sqlHttp }) {
  await db.query("SELECT pg_stat_clear_snapshot()");
  const before = await counters(db, sqlHttp);
  for (let i = 0; i < N; i++) await op(i);
  await new Promise((r) => setTimeout(r, 1200));
  await db.query("SELECT pg_stat_clear_snapshot()");
  const after = await counters(db, sqlHttp);
  // The meter's own traffic between the two readings: the first reading's xact count, outbox count and the
  // second pg_stat_clear_snapshot are transactions (3); the first INFO is a Redis command (1).
  const per = (k, own = 0) => Number(((after[k] - before[k] - own) / N).toFixed(2));
  return {
    name,
    pg_xacts: per("xacts", 3),
    http_statements: per("http"),
    redis_commands: per("redis", 1),
    queue_messages: per("outbox"),
  };
}

export async function runCosts({ base, sqlHttp = "http://127.0.0.1:5481/health" }) {
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const call = async (method, path, { token, body, headers = {} } = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json().catch(() => ({}));
    if (res.status >= 300 && res.status !== 303)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json;
  };
  try {
    // A stack that just started is still busy (its seed top-up, the first cron ticks): measure once it is idle.
    await quiet(base);
    const providers = (await bookableProviders(N * 3 + 40)).map((p) => p.id).slice(-N * 3);
    const customer = await customerToken(base, "+8801700000001");
    const provider2 = await login(base, "+8801700000002");
    const slot = slotMaker(1);
    const ctx = { db, sqlHttp };
    const rows = [];
    const lat = () => 23.7 + Math.random() * 0.15;
    const lng = () => 90.35 + Math.random() * 0.15;
    rows.push(
      await costOf(
        "search (cache miss)",
        () =>
          call("GET", `/search/providers?lat=${lat()}&lng=${lng()}&service_type=driver`, {
            headers: { "cache-control": "no-cache" },
          }),
        ctx,
      ),
    );
    const fixed = `/search/providers?lat=23.7925&lng=90.4152&service_type=driver`;
    await call("GET", fixed);
    rows.push(await costOf("search (cache hit)", () => call("GET", fixed), ctx));
    rows.push(await costOf("provider profile", (i) => call("GET", `/provider/providers/${providers[i]}`), ctx));
    const from = new Date(Date.UTC(2031, 0, 1)).toISOString();
    const to = new Date(Date.UTC(2031, 0, 8)).toISOString();
    rows.push(
      await costOf(
        "availability (7 days)",
        (i) => call("GET", `/provider/providers/${providers[i]}/availability?from=${from}&to=${to}`),
        ctx,
      ),
    );
    const created = [];
    rows.push(
      await costOf(
        "booking create",
        async (i) => {
          const id = providers[N + i];
          const b = await call("POST", "/booking/bookings", {
            token: customer,
            headers: { "idempotency-key": crypto.randomUUID() },
            body: { provider_id: id, service_type: "driver", ...slot(id) },
          });
          created.push(b.id);
        },
        ctx,
      ),
    );
    rows.push(
      await costOf("booking read", (i) => call("GET", `/booking/bookings/${created[i]}`, { token: customer }), ctx),
    );
    rows.push(
      await costOf(
        "booking cancel (customer)",
        (i) =>
          call("POST", `/booking/bookings/${created[i]}/cancel`, {
            token: customer,
            headers: { "idempotency-key": crypto.randomUUID() },
          }),
        ctx,
      ),
    );
    // Accept needs the provider's own user: provider 1 (test number 2) takes bookings one after another.
    const own = [];
    for (let i = 0; i < N; i++) {
      const b = await call("POST", "/booking/bookings", {
        token: customer,
        headers: { "idempotency-key": crypto.randomUUID() },
        body: { provider_id: 1, service_type: "driver", ...slot(1) },
      });
      own.push(b.id);
    }
    rows.push(
      await costOf(
        "booking accept (provider)",
        (i) =>
          call("POST", `/booking/bookings/${own[i]}/accept`, {
            token: provider2.access_token,
            headers: { "idempotency-key": crypto.randomUUID() },
          }),
        ctx,
      ),
    );
    rows.push(
      await costOf(
        "booking confirm (cash)",
        (i) =>
          call("POST", `/booking/bookings/${own[i]}/confirm`, {
            token: customer,
            headers: { "idempotency-key": crypto.randomUUID() },
          }),
        ctx,
      ),
    );
    rows.push(
      await costOf(
        "login (OTP request + verify)",
        () => login(base, "+8801700000003", `costs-${crypto.randomUUID()}`),
        ctx,
      ),
    );
    return rows;
  } finally {
    await db.end();
  }
}
