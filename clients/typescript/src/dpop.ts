// The device key a session is bound to, and DPoP proofs (RFC 9449) signed with it for the refresh call.
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { DevicePublicJwk } from "./types";

/** A P-256 key pair whose private half never leaves WebCrypto (non-extractable), with its public JWK. */
export interface DeviceKey {
  privateKey: CryptoKey;
  publicJwk: DevicePublicJwk;
}

/** Makes a fresh ES256 device key. Persist it with the session (IndexedDB can hold a CryptoKey). */
export async function createDeviceKey(): Promise<DeviceKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: false });
  const jwk = await exportJWK(publicKey);
  // The server takes exactly these members of a public key and refuses anything else (ext, key_ops, d).
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || !jwk.x || !jwk.y) throw new Error("unexpected device key shape");
  return { privateKey, publicJwk: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y } };
}

/**
 * A DPoP proof for one request: typ dpop+jwt with the public jwk in its header, and htm, htu (the URL without query
 * or fragment), iat and a fresh jti in its claims. Each proof is good for one request; the server refuses replays.
 */
export async function dpopProof(key: DeviceKey, method: string, url: string): Promise<string> {
  const target = new URL(url);
  return new SignJWT({ htm: method.toUpperCase(), htu: `${target.origin}${target.pathname}`, jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: key.publicJwk })
    .setIssuedAt()
    .sign(key.privateKey);
}
