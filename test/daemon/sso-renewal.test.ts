/**
 * Renewal with short lifetimes across several expiries: 15-minute access tokens, 10-minute role
 * credentials, a 2-hour run of scheduler ticks on a fake clock shared with the emulator. The access
 * token is refreshed with the refresh token (and written back) before each expiry, the role
 * credentials are fetched again before theirs, and no request ever gets credentials past expiry.
 */
import t from 'tap';
import { readCachedToken, tokenCacheFile } from '../../src/aws/sso/token-cache.js';
import { ssoHarness } from './sso-harness.js';

t.test('access tokens and role credentials renewed in the background across many expiries; never expired', async (t) => {
  const h = await ssoHarness(t);
  h.emu.knobs.accessTokenSeconds = 900;
  h.emu.knobs.roleSeconds = 600;
  await h.signIn();
  h.core.switchTo('corp-dev');
  const file = tokenCacheFile(h.cacheDir, 'corp');
  const tokensSeen = new Set<string>();
  const credsSeen = new Set<string>();
  let worst = Infinity;
  for (let step = 0; step < 240; step++) {
    h.clock.advance(30_000);
    await h.service.tick();
    await h.core.tick();
    for (const name of ['corp-dev', 'corp-prod', 'corp-audit']) {
      const s = await h.core.credentials(name);
      worst = Math.min(worst, s.expiresAt - h.clock.now());
      if (name === 'corp-dev') credsSeen.add(s.credentials.accessKeyId);
    }
    tokensSeen.add(readCachedToken(file)!.accessToken);
  }
  t.ok(worst > 60_000, `every answer had more than a minute left (worst ${Math.round(worst / 1000)} s)`);
  t.ok(tokensSeen.size >= 8, `the access token was renewed across its expiries (${tokensSeen.size} tokens in 2 h of 15-min tokens)`);
  t.ok((h.emu.counts.token.refresh_token ?? 0) >= 8, 'with the refresh token');
  t.ok(credsSeen.size >= 12, `corp-dev's role credentials were renewed across their expiries (${credsSeen.size})`);
  t.equal(h.emu.counts.deviceAuthorization, 1, 'one sign-in for the whole run');
  t.same(
    h.events.filter((e) => /ended|could not/.test(e)),
    [],
    'no failure on the way',
  );
});
