import t from 'tap';
import { run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');

const full = {
  running: true,
  version: '1.2.3',
  pid: 777,
  endpoint: 'http://127.0.0.1:9911',
  startedAt: '2030-01-01T10:00:00Z',
  activeProfile: 'dev',
  configError: '/home/u/.aws/config line 3 is neither [section] nor key = value',
  security: { imds: true, peerCheck: { enabled: false, detail: 'no /proc/net/tcp' } },
  sessions: [
    { source: 'management', mfaSerial: 'arn:aws:iam::111111111111:mfa/u', expiration: '2030-01-01T23:30:00Z', valid: true },
    { source: 'ci', expiration: '2030-01-01T11:00:00Z', valid: false },
  ],
  profiles: [
    { name: 'dev', expiration: '2030-01-01T12:45:00Z', nextRefresh: '2030-01-01T12:25:00Z' },
    { name: 'prod', expiration: '2030-01-01T12:10:00Z', retryAt: '2030-01-01T12:01:00Z', nextRefresh: '2030-01-01T12:05:00Z' },
    { name: 'test', expiration: '2030-01-01T13:00:00Z' },
  ],
  errors: [{ name: 'prod', code: 'StsUnavailable', message: 'STS is unreachable or busy' }],
  warnings: ['The MFA session of management ends in 10 minutes: run `credd mfa`.'],
};

t.test('human output', async (t) => {
  const cli = fakeCliContext({ now: NOW, routes: { 'GET /status': () => full } });
  t.equal(await run(cli.ctx, ['status']), 0);
  t.equal(
    cli.stdout(),
    [
      'credd 1.2.3 running (pid 777) at http://127.0.0.1:9911',
      'active profile: dev',
      'config error: /home/u/.aws/config line 3 is neither [section] nor key = value',
      'endpoint security: IMDS on; peer-user check unavailable: no /proc/net/tcp',
      'source sessions:',
      '  management (arn:aws:iam::111111111111:mfa/u): expires 2030-01-01T23:30:00Z (11h 30m left)',
      '  ci: expired',
      'served profiles:',
      '  dev: expires 2030-01-01T12:45:00Z (45m left), next refresh 2030-01-01T12:25:00Z',
      '  prod: expires 2030-01-01T12:10:00Z (10m left), retrying at 2030-01-01T12:01:00Z',
      '  test: expires 2030-01-01T13:00:00Z (1h 00m left)',
      'last error for prod: STS is unreachable or busy',
      'warning: The MFA session of management ends in 10 minutes: run `credd mfa`.',
      '',
    ].join('\n'),
  );
  t.same(cli.calls, [{ method: 'GET', path: '/status' }]);
});

t.test('a fresh daemon: nothing active, no sessions, nothing served', async (t) => {
  const cli = fakeCliContext({
    now: NOW,
    routes: {
      'GET /status': () => ({
        version: '1',
        pid: 1,
        endpoint: 'http://127.0.0.1:1',
        security: { imds: false, peerCheck: { enabled: true, detail: '' } },
        sessions: [],
        profiles: [],
        errors: [],
      }),
    },
  });
  t.equal(await run(cli.ctx, ['status']), 0);
  t.equal(
    cli.stdout(),
    [
      'credd 1 running (pid 1) at http://127.0.0.1:1',
      'active profile: (none: run `credd switch NAME`)',
      'endpoint security: IMDS off; peer-user check on',
      'source sessions: none (run `credd mfa`)',
      '',
    ].join('\n'),
  );
});

t.test('without the security block (an older daemon)', async (t) => {
  const { security: _, warnings: __, ...old } = full;
  const cli = fakeCliContext({ now: NOW, routes: { 'GET /status': () => old } });
  t.equal(await run(cli.ctx, ['status']), 0);
  t.notMatch(cli.stdout(), 'endpoint security');
  t.notMatch(cli.stdout(), 'warning:');
});

t.test('--json prints the daemon’s document', async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /status': () => full } });
  t.equal(await run(cli.ctx, ['status', '--json']), 0);
  t.same(JSON.parse(cli.stdout()), full);
});

t.test('no daemon: exit 3; --json says running: false', async (t) => {
  const cli = fakeCliContext();
  t.equal(await run(cli.ctx, ['status']), 3);
  t.match(cli.stderr(), /^credd: credd is not running: start it with `credd start`/);
  t.equal(cli.stdout(), '');
  const json = fakeCliContext();
  t.equal(await run(json.ctx, ['status', '--json']), 3);
  t.same(JSON.parse(json.stdout()), { running: false });
});

t.test('other errors are not "not running", even with --json', async (t) => {
  const cli = fakeCliContext({
    routes: {
      'GET /status': () => {
        throw new Error('boom');
      },
    },
  });
  t.equal(await run(cli.ctx, ['status', '--json']), 1);
  t.equal(cli.stdout(), '');
  t.equal(cli.stderr(), 'credd: Internal error: boom\n');
});

t.test('extra arguments are refused', async (t) => {
  const cli = fakeCliContext();
  t.equal(await run(cli.ctx, ['status', 'dev']), 2);
  t.same(cli.calls, []);
});
