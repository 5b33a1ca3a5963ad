// Local Postgres preparation: create the database, make sure PostGIS is there, apply migrations in order.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const migrationsDir = join(root, "migrations");
export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kormo";

/** A clear, single-sentence failure that the CLI entry points print without a stack. */
export class SetupError extends Error {
  name = "SetupError";
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function connect(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    const u = new URL(url);
    throw new SetupError(
      `Cannot reach PostgreSQL at ${u.hostname}:${u.port || 5432} (${err.code ?? err.message}). ` +
        "Start it (e.g. `pg_ctlcluster 15 main start`) or set DATABASE_URL.",
    );
  }
  return client;
}

/** Installs Debian's PostGIS package for the running server's major version when we are allowed to. */
function installPostgis(major, log) {
  const pkg = `postgresql-${major}-postgis-3`;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !existsSync("/etc/debian_version")) {
    throw new SetupError(
      `PostGIS is not installed for PostgreSQL ${major}. Install the package ${pkg} (e.g. \`sudo apt-get install ${pkg}\`) and run again.`,
    );
  }
  log(`PostGIS missing: installing ${pkg} with apt-get (one time)…`);
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore", env });
    execFileSync("apt-get", ["install", "-y", "-qq", pkg], { stdio: "ignore", env });
  } catch {
    throw new SetupError(`Installing ${pkg} with apt-get failed. Install it by hand and run again.`);
  }
}

/** Creates the database if missing and ensures the postgis and btree_gist extensions. Safe to run every time. */
export async function ensureDatabase(url = DEFAULT_DATABASE_URL, { log = () => {}, fresh = false } = {}) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new SetupError(`Unsupported database name "${name}" in DATABASE_URL.`);
  const admin = await connect(withDatabase(url, "postgres"));
  try {
    if (fresh) {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    }
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}"`);
      log(`created database ${name}`);
    }
    const available = await admin.query("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'");
    if (available.rowCount === 0) {
      const { rows } = await admin.query("SELECT current_setting('server_version_num')::int / 10000 AS major");
      installPostgis(rows[0].major, log);
    }
  } finally {
    await admin.end();
  }
  const db = await connect(url);
  try {
    await db.query("CREATE EXTENSION IF NOT EXISTS postgis");
    await db.query("CREATE EXTENSION IF NOT EXISTS btree_gist");
  } finally {
    await db.end();
  }
}

export function listMigrations() {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/**
 * Applies pending migrations, each in its own transaction, under an advisory lock so concurrent runners queue up.
 * Refuses to continue when an applied migration's file changed since: history must not be rewritten.
 * Returns the names applied by this call (empty when up to date).
 */
export async function migrate(url = DEFAULT_DATABASE_URL, { log = () => {} } = {}) {
  const client = await connect(url);
  const applied = [];
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('kormo:migrate'))");
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query("SELECT name, checksum FROM schema_migrations");
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const m of listMigrations()) {
      const prior = done.get(m.name);
      if (prior !== undefined) {
        if (prior !== m.checksum) {
          throw new SetupError(`Migration ${m.name} was changed after it was applied. Add a new migration instead.`);
        }
        continue;
      }
      try {
        await client.query("BEGIN");
        await client.query(m.sql);
        await client.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [m.name, m.checksum]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new SetupError(`Migration ${m.name} failed: ${err.message}`);
      }
      applied.push(m.name);
      log(`applied ${m.name}`);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('kormo:migrate'))").catch(() => {});
    await client.end();
  }
  return applied;
}
