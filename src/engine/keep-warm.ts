import type { Plan } from '../aws/resolve-plan.js';
import type { CreddError } from '../errors.js';
import type { CredentialEngine } from './credential-engine.js';
import { profilesInUse, refreshDue, withDefaults, type DueReason, type RefreshSettings } from './refresh-policy.js';
import type { SessionManager } from './sessions.js';

export interface KeepWarmDeps {
  engine: CredentialEngine;
  sessions: SessionManager;
  /** The plan of a profile, or undefined when it no longer resolves. */
  plan(name: string): Plan | undefined;
  active(): string | undefined;
  now(): number;
  settings: RefreshSettings;
  /** Told about each refresh that failed (already recorded as the profile's last error). */
  onFailure(profile: string, err: CreddError, reason: DueReason): void;
  /** STS calls at once (default 4), so a busy config does not burst. */
  concurrency?: number;
}

/** What one tick did. */
export interface TickReport {
  /** Profiles refreshed, with why. */
  refreshed: Array<{ profile: string; reason: DueReason }>;
  failed: string[];
  /** Cached credentials dropped because they expired and nobody uses the profile any more. */
  pruned: string[];
}

/** Keeps the profiles in use fresh; everything else is left alone. */
export interface KeepWarm {
  tick(): Promise<TickReport>;
  /** Why `name` is or is not due now (for `credd status`). */
  due(name: string): { due: boolean; reason: DueReason } | undefined;
}

/** Creates the keep-warm job that the scheduler ticks. */
export function createKeepWarm(deps: KeepWarmDeps): KeepWarm {
  const settings = withDefaults(deps.settings);
  const limit = Math.max(1, deps.concurrency ?? 4);

  const due = (name: string) => {
    const plan = deps.plan(name);
    if (!plan) return undefined;
    const entry = deps.engine.peek(name);
    const mfa = plan.mfaSerial !== undefined && plan.sessionKey !== undefined;
    const session = mfa ? deps.sessions.get(plan.sessionKey!) : undefined;
    return refreshDue(
      {
        now: deps.now(),
        entry,
        mfaSession: mfa ? { expiresAt: session?.credentials.expiration.getTime() } : undefined,
        sessionBound: mfa && plan.roles.length === 0,
        retryAt: deps.engine.retries.retryAt(name),
      },
      settings,
    );
  };

  return {
    due,
    async tick() {
      const now = deps.now();
      const lastUse = deps.engine.lastUse();
      const inUse = profilesInUse(deps.active(), lastUse, now, settings);
      const work = inUse.flatMap((profile) => {
        const d = due(profile);
        return d?.due ? [{ profile, reason: d.reason }] : [];
      });
      const report: TickReport = { refreshed: [], failed: [], pruned: [] };
      const queue = [...work];
      const worker = async () => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          try {
            await deps.engine.refresh(job.profile);
            report.refreshed.push(job);
          } catch (err) {
            report.failed.push(job.profile);
            deps.onFailure(job.profile, err as CreddError, job.reason);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(limit, work.length) }, worker));
      // Nobody asked for these for a while: let them go once they have expired.
      const keep = new Set(inUse);
      for (const served of deps.engine.cached()) {
        if (!keep.has(served.profile) && served.expiresAt <= deps.now()) {
          deps.engine.forget(served.profile);
          report.pruned.push(served.profile);
        }
      }
      deps.engine.pruneUse(now - settings.keepWarmSeconds * 1000);
      return report;
    },
  };
}
