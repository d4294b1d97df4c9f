/** A core over the fakes, with an in-memory state store. */
import { parseAwsConfig, type AwsConfig } from '../../src/aws/config.js';
import { createCore, type CoreDeps } from '../../src/daemon/core.js';
import { DEFAULT_REFRESH } from '../../src/engine/refresh-policy.js';
import type { PersistedState, StateStore } from '../../src/state/store.js';
import { fakeClock, fakeSts, memoryLog, scenarioConfig, SCENARIO_CREDENTIALS, type FakeClock, type FakeSts } from '../engine/fakes.js';

export function memoryStore(initial?: PersistedState) {
  let state: PersistedState | undefined = initial && structuredClone(initial);
  const store: StateStore & { state(): PersistedState | undefined; saves: number } = {
    saves: 0,
    load: () => structuredClone(state ?? { version: 1, sessions: [] }),
    save(s) {
      store.saves++;
      state = structuredClone(s);
    },
    erase() {
      state = undefined;
    },
    state: () => state,
  };
  return store;
}

export interface CoreOptions {
  clock?: FakeClock;
  sts?: FakeSts;
  store?: ReturnType<typeof memoryStore>;
  config?: () => AwsConfig;
  extra?: Partial<CoreDeps>;
}

export function coreHarness(opts: CoreOptions = {}) {
  const clock = opts.clock ?? fakeClock();
  const sts = opts.sts ?? fakeSts(clock);
  const store = opts.store ?? memoryStore();
  const logs = memoryLog();
  let loadConfig = opts.config ?? (() => scenarioConfig());
  const notes: Array<[string, string]> = [];
  let jumps = 0;
  let kicks = 0;
  const core = createCore({
    loadConfig: () => loadConfig(),
    sts,
    store,
    now: clock.now,
    monotonic: clock.monotonic,
    random: () => 0,
    endpoints: {},
    refresh: DEFAULT_REFRESH,
    sessionSeconds: 43200,
    log: logs.log,
    notify: (title, message) => notes.push([title, message]),
    onClockJump: () => void jumps++,
    requestTick: () => void kicks++,
    ...opts.extra,
  });
  return {
    core,
    clock,
    sts,
    store,
    logs,
    notes,
    jumps: () => jumps,
    kicks: () => kicks,
    setConfig(fn: () => AwsConfig) {
      loadConfig = fn;
    },
  };
}

export const brokenConfig = (): AwsConfig =>
  parseAwsConfig('[profile dev]\nduration_seconds = 5\n', SCENARIO_CREDENTIALS, { configFile: '/home/u/.aws/config', credentialsFile: 'c' });
