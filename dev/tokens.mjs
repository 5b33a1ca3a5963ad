// Writes .dev/tokens.env: fresh refresh tokens for the dev test numbers, logged in through the real OTP endpoints.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const TOKENS_FILE = join(root, ".dev/tokens.env");

const LOGINS = [
  ["REFRESH", "+8801700000001", "demo customer"],
  ["PROVIDER_REFRESH", "+8801700000002", "provider 1's user"],
  ["CUSTOMER2_REFRESH", "+8801700000003", "second customer"],
  ["ADMIN_REFRESH", "+8801700000009", "admin"],
];
const TEST_CODE = "123456";

async function post(base, path, body) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${json?.error?.code ?? "?"}`);
  return json;
}

export async function writeDevTokens(base) {
  const lines = [
    "# Written by `npm run dev` / `npm run dev:tokens`. Refresh tokens rotate: each is good for one refresh.",
    "# After using one, run `npm run dev:tokens` and `source .dev/tokens.env` again.",
  ];
  for (const [name, phone, who] of LOGINS) {
    await post(base, "/auth/otp/request", { phone });
    const session = await post(base, "/auth/otp/verify", {
      phone,
      code: TEST_CODE,
      device_id: `dev-cli-${name.toLowerCase()}`,
      platform: "web",
      device_name: "dev shell",
    });
    lines.push(`# ${who} (${phone}), user ${session.user.id}`, `${name}=${session.refresh_token}`);
  }
  mkdirSync(dirname(TOKENS_FILE), { recursive: true });
  writeFileSync(TOKENS_FILE, `${lines.join("\n")}\n`, { mode: 0o600 });
  return TOKENS_FILE;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const base = `http://localhost:${process.env.PORT ?? 8080}`;
  try {
    console.log(`wrote ${await writeDevTokens(base)}`);
  } catch (err) {
    console.error(`✘ could not log the test numbers in at ${base} (${err.message}). Is \`npm run dev\` running?`);
    process.exit(1);
  }
}
