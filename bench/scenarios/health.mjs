// Scenario: GET /health itself, i.e. the baseline against itself; checks that the harness works end to end.
export default {
  name: "health",
  description: "GET /health (no database, no Redis): gateway + workerd overhead only",
  connections: 32,
  duration_s: 10,
  target: "p95 <= 2x baseline, no errors",
  async setup() {
    return {
      method: "GET",
      path: "/health",
      check: ({ target, ratio }) => ({
        ok: ratio.p95 !== null && ratio.p95 <= 2 && target.errors === 0 && target.non2xx === 0,
        text: `p95 ${ratio.p95}x baseline (limit 2x), ${target.errors} errors, ${target.non2xx} non-2xx`,
      }),
    };
  },
};
