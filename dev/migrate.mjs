// `npm run db:migrate`: create the database if needed, ensure extensions, apply pending migrations.
import { DEFAULT_DATABASE_URL, ensureDatabase, migrate, SetupError } from "./db.mjs";

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const log = (m) => console.log(`[db] ${m}`);
try {
  await ensureDatabase(url, { log });
  const applied = await migrate(url, { log });
  log(applied.length ? `${applied.length} migration(s) applied` : "schema is up to date");
} catch (err) {
  if (err instanceof SetupError) {
    console.error(`✘ ${err.message}`);
    process.exit(1);
  }
  throw err;
}
