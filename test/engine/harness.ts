/** An engine (sessions + credentials + keep-warm) over the fakes, as the core wires it. */
import { resolvePlan } from '../../src/aws/resolve-plan.js';
import type { CreddError } from '../../src/errors.js';
import { createCredentialEngine } from '../../src/engine/credential-engine.js';
import { createKeepWarm } from '../../src/engine/keep-warm.js';
import { DEFAULT_REFRESH, withDefaults, type RefreshSettings } from '../../src/engine/refresh-policy.js';
import { createSessionManager } from '../../src/engine/sessions.js';
import { fakeClock, fakeSts, scenarioConfig } from './fakes.js';

export interface HarnessOptions {
  extraProfiles?: number;
  duration?: number;
  settings?: Partial<RefreshSettings>;
  /** Jitter source; default 0 so times are exact. */
  random?: () => number;
  sessionSeconds?: number;
}

export function harness(opts: HarnessOptions = {}) {
  const clock = fakeClock();
  const sts = fakeSts(clock);
  const config = scenarioConfig(opts.extraProfiles ?? 0, opts.duration);
  const settings = withDefaults({ ...DEFAULT_REFRESH, ...opts.settings });
  const backgroundErrors: Array<{ profile: string; err: CreddError }> = [];
  const failures: Array<{ profile: string; code: string; reason: string }> = [];
  let active: string | undefined;
  const sessions = createSessionManager({
    sts,
    now: clock.now,
    endpoints: {},
    sessionSeconds: opts.sessionSeconds ?? 43200,
    minServeSeconds: settings.minServeSeconds,
    renewPlainSeconds: settings.marginSeconds + settings.jitterSeconds,
    onChange: () => undefined,
  });
  const plan = (name: string) => resolvePlan(config, name);
  const engine = createCredentialEngine({
    plan,
    sessions,
    sts,
    now: clock.now,
    endpoints: {},
    refresh: settings,
    random: opts.random ?? (() => 0),
    onBackgroundError: (profile, err) => backgroundErrors.push({ profile, err }),
  });
  const keepWarm = createKeepWarm({
    engine,
    sessions,
    plan: (name) => {
      try {
        return plan(name);
      } catch {
        return undefined;
      }
    },
    active: () => active,
    now: clock.now,
    settings,
    onFailure: (profile, err, reason) => failures.push({ profile, code: err.code, reason }),
  });
  return {
    clock,
    sts,
    config,
    settings,
    sessions,
    engine,
    keepWarm,
    plan,
    backgroundErrors,
    failures,
    setActive: (name: string | undefined) => void (active = name),
    /** Starts the MFA session of the scenario (one GetSessionToken with the good code). */
    mfa: () => sessions.start(plan('dev'), '123456'),
  };
}
