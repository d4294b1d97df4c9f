import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { credd, startScenario } from '../helpers/credd-process.js';
import { startSigninEndpoint } from '../helpers/signin-endpoint.js';

// `credd console` end to end: the daemon over moto (through the strict STS proxy) and the
// loopback stand-in of the sign-in endpoint (CREDD_SIGNIN_URL).

t.setTimeout(120_000);
const world = await startScenario(t);
if (world) {
  const { box, proxy, daemon } = world;
  const ep = await startSigninEndpoint();
  t.teardown(() => ep.close());
  const env = { ...box.env, CREDD_SIGNIN_URL: ep.url };
  t.equal((await credd(env, ['mfa', '123456', '--profile', 'dev'])).code, 0);
  const tokensInLog = () => [...ep.tokens.keys()].filter((tok) => daemon.log().includes(tok));

  t.test('a chained role: the served credentials, no SessionDuration, a login URL that lands', async (t) => {
    const r = await credd(env, ['console', 'dev', '--stdout', '--destination', 'ec2']);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /^Console for dev until \S+ \(\d+m left\): it lasts only as long as the role credentials from the MFA session/);
    const call = ep.calls.at(-1)!;
    t.equal(call.action, 'getSigninToken');
    t.equal(call.refused, undefined, 'the stand-in accepted the request');
    t.notOk('SessionDuration' in call.params, 'no SessionDuration for chained credentials');
    const served = JSON.parse((await credd(env, ['credential-process', 'dev'])).stdout) as {
      AccessKeyId: string;
      SecretAccessKey: string;
      SessionToken: string;
    };
    t.same(
      call.session,
      { sessionId: served.AccessKeyId, sessionKey: served.SecretAccessKey, sessionToken: served.SessionToken },
      "the daemon's credentials for dev",
    );
    const login = new URL(r.stdout.trim());
    t.equal(login.searchParams.get('Destination'), 'https://console.aws.amazon.com/ec2/home?region=us-west-2');
    const followed = await fetch(login, { redirect: 'manual' });
    t.equal(followed.status, 302);
    t.equal(followed.headers.get('location'), 'https://console.aws.amazon.com/ec2/home?region=us-west-2', 'the stand-in knows the token');
  });

  t.test('--long: the role from the long-term keys with a new code, SessionDuration 12 h', async (t) => {
    const before = proxy.calls.length;
    const r = await credd(env, ['console', 'dev', '--long', '--stdout'], '123456\n');
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /assumed from the long-term keys with a new MFA code, for 12 h/);
    t.same(proxy.calls.slice(before), [
      { action: 'AssumeRole', chained: false, durationSeconds: 43200, roleArn: 'arn:aws:iam::222222222222:role/RoleNameIndev', tokenCode: '123456' },
    ]);
    t.equal(ep.calls.at(-1)!.params.SessionDuration, '43200');
    const wrong = await credd(env, ['console', 'dev', '--long', '--stdout'], '000000\n');
    t.equal(wrong.code, 1);
    t.match(wrong.stderr, /MultiFactorAuthentication failed/);
    t.equal(wrong.stdout, '');
  });

  t.test('a profile without a role: GetFederationToken, and it says there is no MFA context', async (t) => {
    const before = proxy.calls.length;
    const r = await credd(env, ['console', 'management', '--stdout']);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /federated user credd-management \(GetFederationToken: management has no role\)\. This session carries no MFA context/);
    t.match(proxy.calls.slice(before), [{ action: 'GetFederationToken', chained: false, durationSeconds: 43200 }]);
    t.equal(ep.calls.at(-1)!.refused, undefined);
  });

  t.test('without --stdout: the browser gets a private page; the URL is in no argv and no log', async (t) => {
    const script = join(box.root, 'browser.sh');
    const seen = join(box.root, 'seen');
    writeFileSync(script, `#!/bin/sh\n{ printf 'ARGV %s\\n' "$*"; stat -c '%a' "$1"; cat "$1"; } > ${seen}\n`);
    chmodSync(script, 0o755);
    const r = await credd({ ...env, BROWSER: script }, ['console', 'dev', '--logout-first']);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, '');
    let text = '';
    for (let i = 0; i < 100 && !text.includes('</html>'); i++) {
      await new Promise((res) => setTimeout(res, 50));
      try {
        text = readFileSync(seen, 'utf8');
      } catch {
        /* not yet */
      }
    }
    const [argv, mode] = text.split('\n');
    t.match(argv, /^ARGV \S+\/credd\/console-[0-9a-f]{16}\.html$/);
    t.equal(mode, '600');
    const token = [...ep.tokens.keys()].at(-1)!;
    t.notMatch(argv, token);
    t.match(text, token, 'the page forwards to the login URL');
    t.match(text, /url=http:\/\/127\.0\.0\.1:\d+\/oauth\?Action=logout&amp;redirect_uri=/, 'logout first');
    t.same(tokensInLog(), [], 'no sign-in token in the daemon log');
    t.notMatch(r.stderr, token);
  });
}
