/**
 * End to end through IMDS: the built daemon against moto_server (behind the strict STS proxy),
 * then real boto3 and the real AWS CLI with only what `credd env --imds` exports (the IMDS
 * endpoint and the region): no container variables, no keys, and a HOME of their own with an
 * empty ~/.aws.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { credd, runCommand, SCENARIO_ACCOUNTS, startScenario } from '../helpers/credd-process.js';
import { hasCommand, requireOrSkip } from '../helpers/moto.js';

const hasBoto3 = hasCommand('python3') && spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

const BOTO3 = [
  'import boto3',
  's = boto3.Session()',
  'c = s.get_credentials()',
  'print(c.method if c else "none")',
  'print(s.client("sts").get_caller_identity()["Account"])',
].join('\n');

const world = await startScenario(t);
if (world
  && requireOrSkip(t, 'aws', hasCommand('aws'), 'pip install awscli')
  && requireOrSkip(t, 'boto3', hasBoto3, 'pip install boto3')) {
  const { moto, box, daemon } = world;

  // The clients' own world: an empty ~/.aws, and only the IMDS endpoint pointing at credd.
  const clientHome = join(box.root, 'client-home');
  mkdirSync(join(clientHome, '.aws'), { recursive: true });
  /** What `credd env --imds` exports (the endpoint and the region), on an otherwise bare environment. */
  let exported: Record<string, string> = {};
  const clientEnv = (): Record<string, string> => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: clientHome, ...exported, AWS_ENDPOINT_URL_STS: moto.url };
    // pyenv shims (python3, aws) find their interpreter through PYENV_ROOT, not HOME.
    if (process.env.PYENV_ROOT) env.PYENV_ROOT = process.env.PYENV_ROOT;
    return env;
  };
  let endpoint = '';

  t.test('credd mfa + credd switch dev, then credd env --imds names the endpoint', async (t) => {
    const mfa = await credd(box.env, ['mfa', '123456', '--profile', 'dev']);
    t.equal(mfa.code, 0, mfa.stderr);
    t.equal((await credd(box.env, ['switch', 'dev'])).code, 0);
    const env = await credd(box.env, ['env', '--imds']);
    t.equal(env.code, 0, env.stderr);
    const m = /export AWS_EC2_METADATA_SERVICE_ENDPOINT='(http:\/\/127\.0\.0\.1:\d+\/)'/.exec(env.stdout);
    t.ok(m, env.stdout);
    endpoint = m?.[1] ?? '';
    exported = Object.fromEntries([...env.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((x) => [x[1]!, x[2]!]));
    t.same(Object.keys(exported).sort(), ['AWS_DEFAULT_REGION', 'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_REGION'], 'no credentials, only where to find them');
    t.match(env.stdout, /^unset .*AWS_CONTAINER_CREDENTIALS_FULL_URI/);
    const status = JSON.parse((await credd(box.env, ['status', '--json'])).stdout);
    t.equal(`${status.endpoint}/`, endpoint, 'the real port of the --port 0 daemon');
    t.equal(status.security.imds, true);
    t.equal(status.security.peerCheck.enabled, process.platform === 'linux', status.security.peerCheck.detail);
  });

  t.test('boto3 gets account 222222222222 through IMDS alone', async (t) => {
    const r = await runCommand('python3', ['-c', BOTO3], clientEnv());
    t.equal(r.code, 0, r.stderr);
    t.same(r.stdout.trim().split('\n'), ['iam-role', SCENARIO_ACCOUNTS.dev], 'the IMDS (iam-role) provider, the dev account');
  });

  t.test('the AWS CLI gets account 222222222222 through IMDS alone', async (t) => {
    const env = clientEnv();
    const r = await runCommand('aws', ['sts', 'get-caller-identity', '--query', 'Account', '--output', 'text'], env);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.trim(), SCENARIO_ACCOUNTS.dev);
    const list = await runCommand('aws', ['configure', 'list'], env);
    t.match(list.stdout, /access_key\s+\*+\w+\s+iam-role/, 'the CLI says its keys came from iam-role');
  });

  t.test('after credd switch prod, a new client follows the switch', async (t) => {
    t.equal((await credd(box.env, ['switch', 'prod'])).code, 0);
    const r = await runCommand('python3', ['-c', BOTO3], clientEnv());
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.trim().split('\n')[1], SCENARIO_ACCOUNTS.prod);
  });

  t.test('a DNS-rebinding Host is refused, logged once as a security event, and no secret is logged', async (t) => {
    const url = new URL(endpoint);
    const status = await new Promise<number>((resolve, reject) => {
      http.request({ host: url.hostname, port: url.port, method: 'PUT', path: '/latest/api/token',
        headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60', Host: `rebind.attacker.example:${url.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    t.equal(status, 403);
    const creds = JSON.parse((await credd(box.env, ['credential-process', 'prod'])).stdout);
    // The log line is written by the daemon process: give its stderr a moment to arrive.
    for (let i = 0; i < 50 && !daemon.log().includes('"reason":"bad-host"'); i++) await new Promise((r) => setTimeout(r, 50));
    const log = daemon.log();
    t.equal(log.split('"reason":"bad-host"').length - 1, 1, 'one security event');
    t.notMatch(log, creds.SecretAccessKey, 'no secret key in the daemon log');
    t.notMatch(log, creds.SessionToken, 'no session token in the daemon log');
  });
}
