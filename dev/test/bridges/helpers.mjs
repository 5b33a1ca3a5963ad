// Shared helpers for the bridge tests.

/**
 * Poll until `check` returns a truthy value, or fail after `timeoutMs`.
 * @template T
 * @param {() => T | Promise<T>} check
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
export async function waitFor(check, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A key/name prefix unique to this test run, so parallel runs never collide. */
export function uniquePrefix(kind) {
  return `test:bridge:${kind}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
}
