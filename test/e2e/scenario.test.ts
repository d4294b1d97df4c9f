import t from 'tap';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, requireOrSkip } from '../helpers/moto.js';
import { CREDD_BIN, credd, httpGet, runCommand, MANAGEMENT_SECRET, SCENARIO_ACCOUNTS, startScenario } from '../helpers/credd-process.js';

// The spec's scenario, end to end: one MFA code, then the real AWS CLI in each of the
// four environment accounts through `eval "$(credd env)"`.
const world = await startScenario(t);
if (world && requireOrSkip(t, 'aws', hasCommand('aws'), 'pip install awscli')) {
  const { moto, proxy, box, daemon } = world;
  // Clients reach moto directly for their own STS call; their credentials come only from credd.
  const clientEnv = { ...box.env, AWS_ENDPOINT_URL_STS: moto.url, AWS_PROFILE: 'management', AWS_ACCESS_KEY_ID: 'AKIASHADOW' };
  const callerAccount = async () => {
    const sh = `eval "$(node ${JSON.stringify(CREDD_BIN)} env)" && aws sts get-caller-identity --query Account --output text`;
    const r = await runCommand('sh', ['-c', sh], clientEnv);
    return { account: r.stdout.trim(), stderr: r.stderr };
  };

  t.test('a rejected MFA code is a one-line error and starts nothing', async (t) => {
    t.equal((await credd(box.env, ['switch', 'dev'])).code, 0);
    const r = await credd(box.env, ['mfa', '000000']);
    t.not(r.code, 0);
    t.match(r.stderr, /MFA code/);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    const status = JSON.parse((await credd(box.env, ['status', '--json'])).stdout);
    t.same(status.sessions, [], 'no session after a refused code');
  });

  t.test('one MFA code serves all four environments', async (t) => {
    const r = await credd(box.env, ['mfa', '123456']);
    t.equal(r.code, 0, r.stderr);
    for (const [profile, account] of Object.entries(SCENARIO_ACCOUNTS)) {
      t.equal((await credd(box.env, ['switch', profile])).code, 0);
      const got = await callerAccount();
      t.equal(got.account, account, `aws sts get-caller-identity in ${profile}: ${got.stderr}`);
    }
    const gst = proxy.calls.filter((c) => c.action === 'GetSessionToken' && c.tokenCode === '123456');
    t.equal(gst.length, 1, 'exactly one GetSessionToken with the good code');
    const assumes = proxy.calls.filter((c) => c.action === 'AssumeRole');
    t.equal(assumes.length, 4, 'one AssumeRole per environment');
    t.ok(
      assumes.every((c) => c.chained && c.durationSeconds === 3600),
      'chained roles ask for at most one hour',
    );
  });

  t.test('a second, wrong code keeps the session in place', async (t) => {
    const r = await credd(box.env, ['mfa', '999999']);
    t.not(r.code, 0);
    t.equal((await callerAccount()).account, SCENARIO_ACCOUNTS.prod);
  });

  t.test('an unknown profile is refused and changes nothing', async (t) => {
    const r = await credd(box.env, ['switch', 'nope']);
    t.not(r.code, 0);
    t.match(r.stderr, /Unknown profile "nope"/);
    t.equal(JSON.parse((await credd(box.env, ['status', '--json'])).stdout).activeProfile, 'prod');
  });

  t.test('a request without the token gets Unauthorized, and serving goes on', async (t) => {
    const status = JSON.parse((await credd(box.env, ['status', '--json'])).stdout);
    const res = await httpGet(`${status.endpoint}/creds`);
    t.equal(res.status, 401);
    t.equal(JSON.parse(res.body).Code, 'Unauthorized');
    const bad = await httpGet(`${status.endpoint}/creds`, { Authorization: 'wrong' });
    t.equal(bad.status, 401);
    t.equal((await callerAccount()).account, SCENARIO_ACCOUNTS.prod);
  });

  t.test('credential-process and exec serve a named profile', async (t) => {
    const cp = JSON.parse((await credd(box.env, ['credential-process', 'staging'])).stdout);
    t.equal(cp.Version, 1);
    t.match(cp.Expiration, /Z$/);
    const r = await credd(clientEnv, ['exec', 'test', '--', 'aws', 'sts', 'get-caller-identity', '--query', 'Account', '--output', 'text']);
    t.equal(r.stdout.trim(), SCENARIO_ACCOUNTS.test, r.stderr);
  });

  t.test('files are private and no secret reaches the log', async (t) => {
    const token = readFileSync(join(box.root, 'run', 'credd', 'token'), 'utf8');
    const state = readFileSync(join(box.root, 'state', 'credd', 'state.json'), 'utf8');
    const secret = JSON.parse(state).sessions[0].secretAccessKey as string;
    const served = JSON.parse((await credd(box.env, ['credential-process', 'dev'])).stdout);
    const log = daemon.log();
    t.ok(log.length > 0, 'the daemon logged');
    for (const s of [token, secret, served.SecretAccessKey, served.SessionToken, MANAGEMENT_SECRET, '123456'])
      t.notOk(log.includes(s), 'secret absent from the log');
    const { statSync } = await import('node:fs');
    for (const f of ['run/credd/token', 'state/credd/state.json', 'run/credd/control.sock'])
      t.equal(statSync(join(box.root, f)).mode & 0o777, 0o600, `${f} is 0600`);
    t.equal(statSync(join(box.root, 'run', 'credd')).mode & 0o777, 0o700);
  });

  t.test('a second daemon refuses to start', async (t) => {
    const r = await credd(box.env, ['daemon']);
    t.not(r.code, 0);
    t.match(r.stderr, /already running/);
  });

  t.test('logout erases sessions; then MFA is needed again', async (t) => {
    t.equal((await credd(box.env, ['logout'])).code, 0);
    t.notOk(existsSync(join(box.root, 'state', 'credd', 'state.json')));
    const r = await credd(box.env, ['credential-process', 'dev']);
    t.not(r.code, 0);
    t.match(r.stderr, /credd mfa/);
  });

  t.test('stop is graceful and removes the socket', async (t) => {
    t.equal((await credd(box.env, ['stop'])).code, 0);
    t.equal(await daemon.exited, 0, 'the daemon exits 0 after `credd stop`');
    t.notOk(existsSync(join(box.root, 'run', 'credd', 'control.sock')));
    t.equal((await credd(box.env, ['status'])).code, 3);
  });
}
