import { resolveStsEndpoint, type EnvEndpoints } from '../aws/endpoints.js';
import { checkClusterName } from '../aws/eks-cluster.js';
import { presignEksToken } from '../aws/eks-token.js';
import { checkRegion } from '../aws/partition.js';
import type { Plan } from '../aws/resolve-plan.js';
import type { Served } from '../engine/served.js';
import { isoSeconds } from '../engine/served.js';
import type { EksTokenAnswer, EksTokenRequest } from '../control/contract.js';
import { NoActiveProfileError } from '../errors.js';

export interface EksTokensDeps {
  credentials(name: string): Promise<Served>;
  plan(name: string): Plan;
  activeProfile(): string | undefined;
  endpoints: EnvEndpoints;
  now(): number;
}

/** A cached token is handed out while at least this much of its life is left, so kubectl always gets a usable one. */
export const EKS_REUSE_MARGIN_MS = 60_000;
/** Tokens kept at most (one per profile, cluster and region in use). */
const MAX_ENTRIES = 256;

interface Entry {
  keyId: string;
  signedAt: number;
  expiresAt: number;
  token: string;
}

/**
 * Signs EKS tokens with the credentials the daemon holds, and reuses each one for about 13 min
 * per (profile, cluster, region): until a minute before its expirationTimestamp, or until the
 * profile's credentials change. A token never outlives the credentials that signed it.
 */
export function createEksTokens(deps: EksTokensDeps): (req: EksTokenRequest) => Promise<EksTokenAnswer> {
  const cache = new Map<string, Entry>();
  return async (req) => {
    const cluster = checkClusterName(req.cluster);
    const name = req.profile ?? deps.activeProfile();
    if (name === undefined) throw new NoActiveProfileError();
    const served = await deps.credentials(name);
    const region = req.region !== undefined ? checkRegion(req.region) : deps.plan(name).region;
    const key = `${name}\0${cluster}\0${region ?? ''}`;
    const now = deps.now();
    const hit = cache.get(key);
    if (hit && hit.keyId === served.credentials.accessKeyId && hit.signedAt <= now && now < hit.expiresAt - EKS_REUSE_MARGIN_MS) {
      return { profile: name, cluster, token: hit.token, expirationTimestamp: isoSeconds(hit.expiresAt) };
    }
    const endpoint = resolveStsEndpoint(deps.endpoints, deps.plan(name).endpointUrl);
    const signed = await presignEksToken({ credentials: served.credentials, cluster, region, endpoint, now });
    const entry: Entry = { keyId: served.credentials.accessKeyId, signedAt: now, token: signed.token, expiresAt: Math.min(signed.expiresAt, served.expiresAt) };
    cache.delete(key);
    cache.set(key, entry);
    for (const [k, e] of cache) if (cache.size > MAX_ENTRIES || e.expiresAt <= now) cache.delete(k);
    return { profile: name, cluster, token: entry.token, expirationTimestamp: isoSeconds(entry.expiresAt) };
  };
}
