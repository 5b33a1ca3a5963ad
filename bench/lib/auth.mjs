// Logs the dev test numbers in through the real OTP endpoints, for scenarios that need a signed-in caller.
export const TEST_NUMBERS = ["+8801700000001", "+8801700000003", "+8801700000002", "+8801700000009"];
export const TEST_CODE = "123456";

async function post(base, path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${path} answered ${res.status} ${json?.error?.code ?? ""}`);
  return json;
}

export async function login(base, phone = TEST_NUMBERS[0], deviceId = `bench-${crypto.randomUUID()}`) {
  await post(base, "/auth/otp/request", { phone });
  return post(base, "/auth/otp/verify", { phone, code: TEST_CODE, device_id: deviceId, platform: "web" });
}

/** The usual pass/fail line: a ratio of the baseline at one percentile, and no errors or non-2xx answers. */
export function ratioCheck(percentile, limit) {
  return ({ target, ratio }) => ({
    ok: ratio[percentile] !== null && ratio[percentile] <= limit && target.errors === 0 && target.non2xx === 0,
    text: `${percentile} ${ratio[percentile]}x baseline (limit ${limit}x), ${target.errors} errors, ${target.non2xx} non-2xx`,
  });
}
