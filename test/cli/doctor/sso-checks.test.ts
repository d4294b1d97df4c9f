import { join } from 'node:path';
import t from 'tap';
import { parseAwsConfig } from '../../../src/aws/config.js';
import { writeCachedToken, tokenCacheFile } from '../../../src/aws/sso/token-cache.js';
import { gatherSsoFacts, ssoChecks } from '../../../src/cli/doctor/sso-checks.js';
import { SSO_CONFIG } from '../../helpers/sso-world.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const findings = (f: Parameters<typeof ssoChecks>[0]) => {
  const out: Array<{ code: string; severity: string; message: string; fix: string }> = [];
  ssoChecks(f, (x) => out.push(x));
  return out;
};

t.test('doctor explains a legacy profile, a missing session, an expired registration, a signed-out session', async (t) => {
  const dir = t.testdir({});
  const cfg = parseAwsConfig(
    `${SSO_CONFIG}[profile old]\nsso_start_url = https://old/start\nsso_region = us-east-2\nsso_account_id = 1\nsso_role_name = R\n[profile lost]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = R\n`,
    '',
    { configFile: 'c', credentialsFile: 'k' },
  );
  const f = gatherSsoFacts(cfg, dir, NOW, 'corp-audit');
  t.same(f, { legacy: ['old'], missingSession: [{ profile: 'lost', session: 'gone' }], registrationExpired: [], signedOut: 'corp' });
  const all = findings(f);
  t.same(
    all.map((x) => `${x.severity} ${x.code}`),
    ['error LoginRequired', 'error SsoSessionMissing', 'warning SsoLegacyProfile'],
  );
  t.equal(all[0]!.fix, 'credd login corp');
  t.match(all[2]!.message, 'no refresh token');
  writeCachedToken(tokenCacheFile(dir, 'corp'), {
    startUrl: 's',
    region: 'r',
    accessToken: 'A',
    expiresAt: NOW + 3600_000,
    refreshToken: 'R',
    clientId: 'C',
    clientSecret: 'S',
    registrationExpiresAt: NOW - 1,
  });
  const g = gatherSsoFacts(cfg, dir, NOW, 'corp-dev');
  t.same(g.registrationExpired, ['corp']);
  t.equal(g.signedOut, undefined, 'signed in');
  t.match(
    findings(g).find((x) => x.code === 'SsoRegistrationExpired'),
    { severity: 'warning', fix: 'credd login corp (it registers again)' },
  );
  t.equal(gatherSsoFacts(cfg, join(dir, 'x'), NOW, 'lost').signedOut, undefined, 'a broken profile is left to other checks');
  t.same(findings(undefined), []);
});
