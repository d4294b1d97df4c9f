import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { parseAwsConfig } from '../../src/aws/config.js';
import { createSsoApi, type SsoApi } from '../../src/aws/sso/sso-api.js';
import { createSsoLogin } from '../../src/daemon/sso-login.js';
import { createSsoService } from '../../src/daemon/sso-service.js';
import { createSsoTokens } from '../../src/engine/sso-tokens.js';
import { fakeClock } from '../engine/fakes.js';
import { startSsoEmulator } from '../helpers/sso-emulator.js';
import { SSO_CONFIG } from '../helpers/sso-world.js';
import { coreHarness } from './core-harness.js';

/**
 * The daemon's SSO parts in process, on a fake clock shared with the emulator: the real SDK clients
 * (client-sso-oidc, client-sso) talk to the emulator over loopback, fake role credentials. Sleeps
 * (device-code polling) are recorded and skipped.
 */
export async function ssoHarness(t: Test, opts: { config?: string; api?: (real: SsoApi) => SsoApi } = {}) {
  const clock = fakeClock(Date.now());
  const emu = await startSsoEmulator({ accounts: { '222222222222': ['Developer', 'ReadOnly'], '555555555555': ['Developer'] }, now: clock.now });
  const dir = mkdtempSync(join(tmpdir(), 'credd-sso-'));
  t.teardown(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const real = createSsoApi({ oidc: emu.url, portal: emu.url }, clock.now);
  const api = opts.api ? opts.api(real) : real;
  const events: string[] = [];
  const notes: string[] = [];
  const tokens = createSsoTokens({ api, cacheDir: join(dir, 'cache'), now: clock.now, onEvent: (_s, _l, m) => events.push(m) });
  const h = coreHarness({
    clock,
    config: () => parseAwsConfig(opts.config ?? SSO_CONFIG, '', { configFile: 'c', credentialsFile: 'k' }),
    extra: { sso: tokens },
  });
  const sleeps: number[] = [];
  const login = createSsoLogin({
    api,
    tokens,
    now: clock.now,
    registrationsFile: join(dir, 'state', 'sso-clients.json'),
    oidcBase: () => emu.url,
    onSignedIn: (s) => h.core.ssoChanged(s.cacheId),
    sleep: async (ms) => void sleeps.push(ms),
  });
  const service = createSsoService({
    config: () => h.core.awsConfig(),
    plan: (n) => h.core.plan(n),
    active: () => h.core.activeProfile(),
    tokens,
    login,
    api,
    now: clock.now,
    warnMs: 1800_000,
    changed: (id) => h.core.ssoChanged(id),
    notify: (_t, m) => notes.push(m),
    log: (_l, m) => events.push(m),
  });
  /** Signs in with the device code (approved at once). */
  const signIn = async (session = 'corp') => {
    const s = await service.login(session, 'device');
    await service.wait(session, 5000);
    return s;
  };
  return { ...h, clock, emu, dir, api, tokens, login, service, events, notes, sleeps, signIn, cacheDir: join(dir, 'cache') };
}
