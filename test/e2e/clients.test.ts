/**
 * Every client, unmodified, in a shell that only evaluated `credd env` (or `credd env --imds`):
 * the AWS CLI, boto3 and the JS v3 SDK's default chain each get the active profile's account
 * from `sts get-caller-identity`, through the container route and through IMDS, and follow a
 * `credd switch`. The built daemon runs against moto_server behind the strict STS proxy.
 *
 * The clients' environment holds PATH, the sandbox HOME, moto as their own STS endpoint, AWS
 * files that point at empty files (the daemon keeps the sandbox's real ones), and whatever
 * `sh` made of `credd env`'s lines: nothing else could give them credentials.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { accountOf, CLIENTS, evalShellEnv, lastLine } from '../helpers/clients.js';
import { credd, SCENARIO_ACCOUNTS, startScenario } from '../helpers/credd-process.js';
import { signIn } from '../helpers/scenario-steps.js';
import { requireOrSkip } from '../helpers/moto.js';

interface Mode {
  name: string;
  args: string[];
  /** The AWS variables the evaluated shell holds besides the test's own three. */
  exported: string[];
  /** boto3's name for the provider that must win. */
  botoMethod: string;
  /** The client that proves the switch in this mode (the first available one otherwise). */
  switchClient: string;
}

const MODES: Mode[] = [
  {
    name: 'container',
    args: ['env'],
    exported: ['AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_DEFAULT_REGION', 'AWS_REGION'],
    botoMethod: 'container-role',
    switchClient: '@aws-sdk/client-sts',
  },
  {
    name: 'IMDS',
    args: ['env', '--imds'],
    exported: ['AWS_DEFAULT_REGION', 'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_REGION'],
    botoMethod: 'iam-role',
    switchClient: 'boto3',
  },
];

// About 10 s here (each aws or python start costs 0.5-1 s); room for a loaded CI machine.
t.setTimeout(90_000);
const world = await startScenario(t);
const clients = world ? CLIENTS.filter((c) => requireOrSkip(t, c.name, c.available, c.hint)) : [];
if (world && clients.length > 0) {
  const { moto, box } = world;
  const emptyConfig = join(box.root, 'client-config');
  const emptyCredentials = join(box.root, 'client-credentials');
  writeFileSync(emptyConfig, '');
  writeFileSync(emptyCredentials, '');
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: box.home,
    AWS_ENDPOINT_URL_STS: moto.url,
    AWS_CONFIG_FILE: emptyConfig,
    AWS_SHARED_CREDENTIALS_FILE: emptyCredentials,
  };
  // pyenv shims (python3, aws) find their interpreter through PYENV_ROOT, not HOME.
  if (process.env.PYENV_ROOT) base.PYENV_ROOT = process.env.PYENV_ROOT;
  const shells = new Map<string, Record<string, string>>();
  /** The evaluated shell of a mode; never undefined, which would make a client inherit the test's own environment. */
  const shellOf = (t: Test, mode: Mode): Record<string, string> => {
    const env = shells.get(mode.name);
    if (!env) t.fail(`no ${mode.name} shell: its setup failed`);
    return env ?? base;
  };

  t.test('without credd env, the clients find no credentials (the sandbox AWS files cannot serve them)', async (t) => {
    const client = clients[0]!;
    // A region, so that credentials are what is missing; no IMDS probe of the real link-local
    // address, which would only cost a timeout.
    const r = await client.run({ ...base, AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2', AWS_EC2_METADATA_DISABLED: 'true' });
    t.not(r.code, 0, `${client.name} failed`);
    t.match(lastLine(r.stderr), /credentials/i, 'for want of credentials');
  });

  t.test('credd switch dev, credd mfa 123456, then each shell is only what credd env says', async (t) => {
    await signIn(t, box);
    for (const mode of MODES) {
      const out = await credd(box.env, mode.args);
      t.equal(out.code, 0, out.stderr);
      const env = await evalShellEnv(out.stdout, base);
      shells.set(mode.name, env);
      const aws = Object.keys(env)
        .filter((k) => k.startsWith('AWS_'))
        .sort();
      t.same(
        aws,
        [...mode.exported, 'AWS_CONFIG_FILE', 'AWS_ENDPOINT_URL_STS', 'AWS_SHARED_CREDENTIALS_FILE'].sort(),
        `${mode.name}: where to find credentials, never keys`,
      );
    }
    t.match(shells.get('container')!.AWS_CONTAINER_CREDENTIALS_FULL_URI, /^http:\/\/127\.0\.0\.1:\d+\/creds$/);
    t.match(shells.get('IMDS')!.AWS_EC2_METADATA_SERVICE_ENDPOINT, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  for (const mode of MODES) {
    for (const client of clients) {
      t.test(`${client.name} through ${mode.name} gets the dev account`, async (t) => {
        const r = await client.run(shellOf(t, mode));
        t.equal(r.code, 0, lastLine(r.stderr));
        t.equal(accountOf(r), SCENARIO_ACCOUNTS.dev);
        // JS v3 warns in every process when both the token and its file are set.
        t.notMatch(r.stderr, /take precedence|you have set both/, 'no warning about what credd env set');
        if (client.name === 'boto3') t.equal(r.stdout.split('\n')[0], mode.botoMethod, 'the provider that won');
      });
    }
  }

  t.test('after credd switch prod, a new client follows the switch in either mode', async (t) => {
    t.equal((await credd(box.env, ['switch', 'prod'])).code, 0);
    for (const mode of MODES) {
      const client = clients.find((c) => c.name === mode.switchClient) ?? clients[0]!;
      const r = await client.run(shellOf(t, mode));
      t.equal(accountOf(r), SCENARIO_ACCOUNTS.prod, `${client.name} through ${mode.name}: ${lastLine(r.stderr)}`);
    }
  });
}
