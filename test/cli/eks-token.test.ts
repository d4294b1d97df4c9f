import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { execApiVersion, kubeconfigStanza } from '../../src/cli/commands/eks-token.js';
import { run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const answer = { profile: 'dev', cluster: 'prod', token: 'k8s-aws-v1.abc', expirationTimestamp: '2030-01-01T12:14:00Z' };

t.test("prints the ExecCredential the daemon's token goes into", async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /eks-token?cluster=prod&profile=dev&region=eu-west-1': () => answer } });
  t.equal(await run(cli.ctx, ['eks-token', 'prod', '--profile', 'dev', '--region', 'eu-west-1']), 0);
  t.same(JSON.parse(cli.stdout()), {
    kind: 'ExecCredential',
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    spec: {},
    status: { expirationTimestamp: '2030-01-01T12:14:00Z', token: 'k8s-aws-v1.abc' },
  });
  const v1 = fakeCliContext({
    env: { KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}' },
    routes: { 'GET /eks-token?cluster=prod': () => answer },
  });
  t.equal(await run(v1.ctx, ['eks-token', 'prod']), 0);
  t.equal(JSON.parse(v1.stdout()).apiVersion, 'client.authentication.k8s.io/v1', 'what kubectl asks for');
});

t.test('KUBERNETES_EXEC_INFO: v1 and v1beta1 honoured, anything else v1beta1', async (t) => {
  t.equal(execApiVersion(undefined), 'client.authentication.k8s.io/v1beta1');
  t.equal(execApiVersion('{bad'), 'client.authentication.k8s.io/v1beta1');
  t.equal(execApiVersion('{"apiVersion":"client.authentication.k8s.io/v1alpha1"}'), 'client.authentication.k8s.io/v1beta1');
  t.equal(execApiVersion('{"apiVersion":"client.authentication.k8s.io/v1beta1"}'), 'client.authentication.k8s.io/v1beta1');
});

t.test('--kubeconfig prints the users: entry without a daemon', async (t) => {
  const cli = fakeCliContext({ routes: {} });
  t.equal(await run(cli.ctx, ['eks-token', 'prod', '--kubeconfig', '-p', 'dev']), 0);
  t.equal(cli.stdout(), kubeconfigStanza('prod', 'dev'));
  t.match(
    cli.stdout(),
    /^users:\n- name: "credd-prod-dev"\n {2}user:\n {4}exec:\n {6}apiVersion: client.authentication.k8s.io\/v1beta1\n {6}command: credd\n {6}args: \["eks-token", "prod", "--profile", "dev"\]\n/,
  );
  t.equal(cli.calls.length, 0);
  t.match(kubeconfigStanza('c', undefined, 'eu-west-1'), /args: \["eks-token", "c", "--region", "eu-west-1"\]/);
});

t.test('bad input: exit 2 before the daemon is asked', async (t) => {
  for (const args of [['eks-token'], ['eks-token', 'a b'], ['eks-token', 'a', 'b'], ['eks-token', 'a', '--nope']]) {
    const cli = fakeCliContext({ routes: {} });
    t.equal(await run(cli.ctx, args), 2, args.join(' '));
    t.equal(cli.calls.length, 0);
  }
});

/** Every module the CLI side of `eks-token` can load, statically or by `import()`, from dist/. */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  };
  visit(entry);
  return bare;
}

t.test('the CLI side never loads the AWS SDK or the signer', async (t) => {
  const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
  const bare = importGraph(join(dist, 'cli', 'commands', 'eks-token.js'));
  t.ok(bare.has('node:util'), 'the walk follows imports');
  t.same(
    [...bare].filter((s) => s.startsWith('@aws-sdk') || s.startsWith('@smithy')),
    [],
  );
});
