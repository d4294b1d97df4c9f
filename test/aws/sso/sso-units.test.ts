import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAwsConfig } from '../../../src/aws/config.js';
import { resolvePlan } from '../../../src/aws/resolve-plan.js';
import { listenForCallback } from '../../../src/aws/sso/loopback-callback.js';
import { authorizeUrl, createPkce } from '../../../src/aws/sso/pkce.js';
import { mapSsoError } from '../../../src/aws/sso/sso-errors.js';
import { readCachedToken, removeCachedToken, tokenCacheFile, writeCachedToken } from '../../../src/aws/sso/token-cache.js';
import { ssoPhase, ssoTokenDue } from '../../../src/engine/sso-policy.js';
import { CreddError } from '../../../src/errors.js';
import { SSO_CONFIG } from '../../helpers/sso-world.js';

const paths = { configFile: 'c', credentialsFile: 'k' };

t.test('the cache file: sha1 name, the shared format, 0600, atomic; odd files are no token', async (t) => {
  const dir = t.testdir({});
  const file = tokenCacheFile(join(dir, 'cache'), 'corp');
  t.equal(file, join(dir, 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`));
  t.equal(readCachedToken(file), undefined, 'missing');
  const token = {
    startUrl: 'https://x/start',
    region: 'us-east-1',
    accessToken: 'AT',
    expiresAt: Date.UTC(2030, 0, 1),
    refreshToken: 'RT',
    clientId: 'C',
    clientSecret: 'S',
    registrationExpiresAt: Date.UTC(2030, 3, 1),
  };
  writeCachedToken(file, token);
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(statSync(join(dir, 'cache')).mode & 0o777, 0o700);
  t.same(JSON.parse(readFileSync(file, 'utf8')), {
    startUrl: 'https://x/start',
    region: 'us-east-1',
    accessToken: 'AT',
    expiresAt: '2030-01-01T00:00:00Z',
    clientId: 'C',
    clientSecret: 'S',
    registrationExpiresAt: '2030-04-01T00:00:00Z',
    refreshToken: 'RT',
  });
  t.same(readCachedToken(file), token);
  writeFileSync(file, '{"accessToken":"A","expiresAt":"2030-01-01T00:00:00UTC"}');
  t.same(readCachedToken(file), { startUrl: '', region: '', accessToken: 'A', expiresAt: Date.UTC(2030, 0, 1) }, 'the legacy UTC suffix, minimal keys');
  writeFileSync(file, '{"accessToken":"A","expiresAt":"soon"}');
  t.equal(readCachedToken(file), undefined);
  writeFileSync(file, 'not json');
  t.equal(readCachedToken(file), undefined);
  removeCachedToken(file);
  removeCachedToken(file);
  t.throws(() => statSync(file));
});

t.test('token policy: due 10 min before expiry; phases', async (t) => {
  t.equal(ssoTokenDue({ expiresAt: 1_000_000 }, 1_000_000 - 600_001), false);
  t.equal(ssoTokenDue({ expiresAt: 1_000_000 }, 1_000_000 - 600_000), true);
  t.equal(ssoPhase(undefined, 0, 1000), 'ended');
  t.equal(ssoPhase({ expiresAt: 10_000_000, refreshToken: 'r' }, 0, 1000), 'ok');
  t.equal(ssoPhase({ expiresAt: 10_000_000, refreshToken: 'r' }, 0, 1000, 'has ended'), 'ended');
  t.equal(ssoPhase({ expiresAt: 10_000_000 }, 0, 1000), 'ok');
  t.equal(ssoPhase({ expiresAt: 10_000_000 }, 10_000_000 - 500_000, 1_000_000), 'warning');
  t.equal(ssoPhase({ expiresAt: 10_000_000 }, 10_000_000 - 30_000, 1_000_000), 'ended');
});

t.test('PKCE: S256 of the verifier; the authorize URL carries what AWS needs', async (t) => {
  const p = createPkce();
  t.match(p.verifier, /^[\w-]{43}$/);
  t.equal(p.challenge, createHash('sha256').update(p.verifier).digest('base64url'));
  t.not(createPkce().verifier, p.verifier);
  const u = new URL(
    authorizeUrl('http://127.0.0.1:9/', { clientId: 'cid', redirectUri: 'http://127.0.0.1:5/oauth/callback', scopes: ['sso:account:access', 'x'], pkce: p }),
  );
  t.equal(u.pathname, '/authorize');
  t.same(Object.fromEntries(u.searchParams), {
    response_type: 'code',
    client_id: 'cid',
    redirect_uri: 'http://127.0.0.1:5/oauth/callback',
    state: p.state,
    code_challenge_method: 'S256',
    scopes: 'sso:account:access x',
    code_challenge: p.challenge,
  });
});

t.test('the loopback callback times out with a clear error', async (t) => {
  const cb = await listenForCallback('s', 20);
  t.match(cb.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
  await t.rejects(cb.code, { code: 'OidcError', message: /Nobody signed in/ });
  cb.close();
});

t.test('SDK errors map to OAuth errors, LoginRequired material, AccessDenied or a transient error', async (t) => {
  const m = (e: object) => mapSsoError(Object.assign(new Error('boom'), e), 'X');
  t.match(m({ name: 'AuthorizationPendingException', $metadata: { httpStatusCode: 400 } }), { code: 'OidcError', error: 'authorization_pending' });
  t.match(m({ name: 'Weird', error: 'slow_down', $metadata: { httpStatusCode: 400 } }), { error: 'slow_down' });
  t.match(m({ name: 'UnauthorizedException', $metadata: { httpStatusCode: 401 } }), { code: 'OidcError', error: 'unauthorized' });
  t.match(m({ name: 'ForbiddenException', $metadata: { httpStatusCode: 403 } }), { code: 'AccessDenied' });
  t.match(m({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } }), { code: 'StsUnavailable', status: 503 });
  t.match(m({ name: 'ECONNREFUSED' }), { code: 'StsUnavailable' });
  t.match(m({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } }), { code: 'AccessDenied' });
  const own = new CreddError('X', 'y');
  t.equal(mapSsoError(own, 'X'), own);
});

t.test('plans: SSO roots, chained roles capped at 1 h, and the config errors', async (t) => {
  const cfg = parseAwsConfig(`${SSO_CONFIG}[profile long]\nsource_profile = corp-dev\nrole_arn = arn:aws:iam::1:role/L\nduration_seconds = 7200\n`, '', paths);
  const dev = resolvePlan(cfg, 'corp-dev');
  t.same(dev.sso, {
    cacheId: 'corp',
    loginName: 'corp',
    legacy: false,
    startUrl: 'https://corp.awsapps.com/start',
    region: 'us-east-1',
    scopes: ['sso:account:access'],
    accountId: '222222222222',
    roleName: 'Developer',
  });
  t.equal(dev.rootKeys, undefined);
  t.equal(dev.useSession, false);
  t.same(dev.roles, []);
  const audit = resolvePlan(cfg, 'corp-audit');
  t.equal(audit.sso!.accountId, '222222222222');
  t.match(audit.roles, [{ roleArn: 'arn:aws:iam::888888888888:role/Audit', durationSeconds: 3600 }]);
  t.match(resolvePlan(cfg, 'long').roles, [{ durationSeconds: 3600, cappedFrom: 7200 }], 'role chaining: 1 h cap');
  const bad = (text: string, name: string) => () => resolvePlan(parseAwsConfig(text, '', paths), name);
  t.throws(bad('[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n', 'p'), {
    code: 'ConfigError',
    message: /no \[sso-session nope\] section/,
  });
  t.throws(bad('[sso-session s]\nsso_region = x\n[profile p]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n', 'p'), {
    message: /\[sso-session s\] needs sso_start_url and sso_region/,
  });
  t.throws(bad('[profile p]\nsso_session = s\nsso_account_id = 1\n', 'p'), { message: /needs both sso_account_id and sso_role_name/ });
  t.throws(bad('[profile p]\nsso_account_id = 1\nsso_role_name = R\n', 'p'), { message: /needs sso_session/ });
  t.throws(
    bad(
      '[sso-session s]\nsso_start_url = https://a\nsso_region = x\n[profile p]\nsso_session = s\nsso_start_url = https://b\nsso_account_id = 1\nsso_role_name = R\n',
      'p',
    ),
    { message: /differs from its \[sso-session s\]/ },
  );
  const legacy = resolvePlan(
    parseAwsConfig('[profile old]\nsso_start_url = https://old/start\nsso_region = us-east-2\nsso_account_id = 1\nsso_role_name = R\n', '', paths),
    'old',
  );
  t.match(legacy.sso, { cacheId: 'https://old/start', loginName: 'old', legacy: true, scopes: [] });
});
