// The typed way to reach a provider's booking object: one object per provider id.
export function providerBookings(env: Env, providerId: number) {
  const ns = env.PROVIDER_BOOKINGS;
  return ns.get(ns.idFromName(`provider:${providerId}`));
}
