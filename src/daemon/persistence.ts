import type { Plan } from '../aws/resolve-plan.js';
import type { TempCredentials } from '../aws/sts.js';
import { toServed, type Served } from '../engine/served.js';
import type { SourceSession } from '../engine/sessions.js';
import type { PersistedState, StoredCredentials, StoredKeys } from '../state/store.js';

const keysOf = (c: TempCredentials): StoredKeys => ({
  accessKeyId: c.accessKeyId,
  secretAccessKey: c.secretAccessKey,
  sessionToken: c.sessionToken,
  expiration: c.expiration.toISOString(),
});
const credsOf = (s: StoredKeys): TempCredentials => ({
  accessKeyId: s.accessKeyId,
  secretAccessKey: s.secretAccessKey,
  sessionToken: s.sessionToken,
  expiration: new Date(s.expiration),
});

/** What the daemon holds that is worth keeping across a restart. */
export interface SnapshotInput {
  active?: string;
  sessions: SourceSession[];
  served: Served[];
  /** Stored credentials not yet matched to the config (it did not load): kept until they expire. */
  unmatched: StoredCredentials[];
  lastUse: ReadonlyMap<string, number>;
  now: number;
}

/**
 * The state file's content. Only assumed-role credentials are stored besides the
 * sessions: credentials served straight from a session are rebuilt from it without STS.
 */
export function snapshot(input: SnapshotInput): PersistedState {
  const state: PersistedState = {
    version: 1,
    sessions: input.sessions.map((s) => ({ key: s.key, root: s.root, ...(s.mfaSerial ? { mfaSerial: s.mfaSerial } : {}), ...keysOf(s.credentials) })),
  };
  const roles = input.served
    .filter((s) => s.roleArn && s.expiresAt > input.now)
    .map(
      (s): StoredCredentials => ({
        profile: s.profile,
        ...(s.roleArn ? { roleArn: s.roleArn } : {}),
        ...(s.accountId ? { accountId: s.accountId } : {}),
        obtainedAt: s.obtainedAt,
        ...keysOf(s.credentials),
      }),
    );
  const held = new Set(roles.map((r) => r.profile));
  roles.push(...input.unmatched.filter((u) => !held.has(u.profile) && Date.parse(u.expiration) > input.now));
  if (roles.length) state.credentials = roles;
  if (input.lastUse.size) state.lastUse = Object.fromEntries(input.lastUse);
  if (input.active) state.activeProfile = input.active;
  return state;
}

/** The sessions of a state file. */
export function restoreSessions(state: PersistedState): SourceSession[] {
  return state.sessions.map((s) => {
    const session: SourceSession = { key: s.key, root: s.root, credentials: credsOf(s) };
    if (s.mfaSerial) session.mfaSerial = s.mfaSerial;
    return session;
  });
}

/**
 * Sorts stored credentials against the current config: `restored` are still valid and
 * still what the profile's last role step would assume; `unmatched` name a profile the
 * config does not resolve (yet); the rest are dropped.
 */
export function matchCredentials(
  stored: StoredCredentials[],
  plan: (name: string) => Plan | undefined,
  now: number,
): { restored: Served[]; unmatched: StoredCredentials[] } {
  const restored: Served[] = [];
  const unmatched: StoredCredentials[] = [];
  for (const s of stored) {
    if (Date.parse(s.expiration) <= now) continue;
    const p = plan(s.profile);
    if (!p) {
      unmatched.push(s);
      continue;
    }
    if (p.roles[p.roles.length - 1]?.roleArn !== s.roleArn) continue;
    restored.push(
      toServed(s.profile, credsOf(s), s.obtainedAt, { ...(s.roleArn ? { roleArn: s.roleArn } : {}), ...(s.accountId ? { accountId: s.accountId } : {}) }),
    );
  }
  return { restored, unmatched };
}
