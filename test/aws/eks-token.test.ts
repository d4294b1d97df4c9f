import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkClusterName } from '../../src/aws/eks-cluster.js';
import { EKS_TOKEN_PREFIX, presignEksToken, type EksTokenInput } from '../../src/aws/eks-token.js';
import { requireOrSkip } from '../helpers/moto.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'botocore-eks-presign.py');
const TIME = '2030-01-01T12:34:56Z';
const CREDS = { accessKeyId: 'ASIAEXAMPLEKEY00001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'FwoGZXIvYXdzE+/token==' };

/** What the AWS CLI's own TokenGenerator (botocore, clock pinned to TIME) makes of the same inputs (one Python start for all). */
function botocoreTokens(inputs: Array<Omit<EksTokenInput, 'now'>>): string[] | undefined {
  const r = spawnSync('python3', [FIXTURE], {
    input: JSON.stringify(inputs.map((i) => ({ ...i.credentials, region: i.region, endpoint: i.endpoint, cluster: i.cluster, time: TIME }))),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    encoding: 'utf8',
  });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as string[];
}

const decode = (token: string) => Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8');

const probe = spawnSync('python3', ['-c', 'import awscli.customizations.eks.get_token, botocore'], { encoding: 'utf8' });
if (requireOrSkip(t, 'python3 with awscli and botocore', probe.status === 0, 'pip install awscli')) {
  t.test('byte for byte the token of `aws eks get-token` at the same time', async (t) => {
    const cases: Array<Omit<EksTokenInput, 'now'>> = [
      { credentials: CREDS, cluster: 'my-cluster', region: 'us-west-2' },
      { credentials: CREDS, cluster: 'prod_eks-1', region: 'eu-central-1' },
      { credentials: CREDS, cluster: 'c', region: 'cn-north-1' },
      { credentials: CREDS, cluster: 'gov', region: 'us-gov-west-1' },
      { credentials: CREDS, cluster: 'no-region' },
      { credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' }, cluster: 'long-term-keys', region: 'us-east-1' },
      { credentials: CREDS, cluster: 'local', region: 'us-west-2', endpoint: 'http://127.0.0.1:4566' },
    ];
    const theirs = botocoreTokens(cases);
    t.ok(theirs, 'botocore answered');
    for (const [i, input] of cases.entries()) {
      const mine = await presignEksToken({ ...input, now: Date.parse(TIME) + 789 });
      t.equal(mine.token, theirs?.[i], `${input.cluster}: ${decode(mine.token).slice(0, 60)}`);
    }
  });
}

t.test('the token: prefix, base64url without padding, 60 s URL, 14 min expiry, signed cluster header', async (t) => {
  const now = Date.parse(TIME) + 789;
  const out = await presignEksToken({ credentials: CREDS, cluster: 'my-cluster', region: 'us-west-2', now });
  t.match(out.token, /^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  t.equal(out.expiresAt, Date.parse(TIME) + 14 * 60 * 1000, 'whole seconds, 14 minutes after signing');
  const url = new URL(decode(out.token));
  t.equal(url.host, 'sts.us-west-2.amazonaws.com');
  t.equal(url.searchParams.get('Action'), 'GetCallerIdentity');
  t.equal(url.searchParams.get('X-Amz-Expires'), '60');
  t.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'host;x-k8s-aws-id');
  t.equal(url.searchParams.get('X-Amz-Date'), '20300101T123456Z');
  t.equal(url.searchParams.get('X-Amz-Security-Token'), CREDS.sessionToken);
  const other = await presignEksToken({ credentials: CREDS, cluster: 'other', region: 'us-west-2', now });
  t.not(new URL(decode(other.token)).searchParams.get('X-Amz-Signature'), url.searchParams.get('X-Amz-Signature'), 'the cluster is part of the signature');
});

t.test('cluster names are checked before anything is signed', async (t) => {
  for (const bad of ['', '-x', 'a b', 'a/b', 'x'.repeat(101), 'ü']) {
    await t.rejects(presignEksToken({ credentials: CREDS, cluster: bad, now: 0 }), { code: 'BadRequest' }, JSON.stringify(bad));
  }
  t.equal(checkClusterName('A1_b-2'), 'A1_b-2');
  await t.rejects(
    presignEksToken({ credentials: CREDS, cluster: 'ok', region: 'evil.com/x', now: 0 }),
    { code: 'BadRequest' },
    'a region goes into a host name',
  );
});
