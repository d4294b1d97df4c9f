import t from 'tap';
import { hasCommand, requireOrSkip } from '../helpers/moto.js';
import { CREDD_BIN, credd, runCommand, SCENARIO_ACCOUNTS, startScenario } from '../helpers/credd-process.js';
import http from 'node:http';

// `credd eks-token` against the AWS CLI's own `aws eks get-token`, for the same credentials
// (the AWS CLI gets them from credd) and cluster: the presigned URLs may differ only where the
// signing time does. Then the URL is sent to STS (moto, through the strict proxy) as EKS does.

interface ExecCredential {
  kind: string;
  apiVersion: string;
  spec: object;
  status: { expirationTimestamp: string; token: string };
}

const decode = (token: string) => new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));

/** GET `url` with the cluster header, as the EKS authenticator forwards the token to STS. */
function getWithClusterHeader(url: URL, cluster: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'x-k8s-aws-id': cluster }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

t.setTimeout(120_000);
const world = await startScenario(t);
if (world && requireOrSkip(t, 'aws', hasCommand('aws'), 'pip install awscli')) {
  const { box, proxy, daemon } = world;
  t.equal((await credd(box.env, ['mfa', '123456', '--profile', 'dev'])).code, 0);

  t.test('the same URL as `aws eks get-token`, but for the signing time', async (t) => {
    const mine = await credd(box.env, ['eks-token', 'prod-cluster', '--profile', 'dev']);
    t.equal(mine.code, 0, mine.stderr);
    const sh = `eval "$(node ${JSON.stringify(CREDD_BIN)} env dev)" && aws eks get-token --cluster-name prod-cluster --region us-west-2`;
    const theirs = await runCommand('sh', ['-c', sh], box.env);
    t.equal(theirs.code, 0, theirs.stderr);
    const a = JSON.parse(mine.stdout) as ExecCredential;
    const b = JSON.parse(theirs.stdout) as ExecCredential;
    t.same({ ...a, status: {} }, { ...b, status: {} }, 'kind, apiVersion, spec');
    const ua = decode(a.status.token);
    const ub = decode(b.status.token);
    t.equal(ua.origin + ua.pathname, ub.origin + ub.pathname, 'same endpoint');
    t.same([...ua.searchParams.keys()], [...ub.searchParams.keys()], 'same parameters in the same order');
    for (const [k, v] of ub.searchParams) {
      if (k === 'X-Amz-Date' || k === 'X-Amz-Signature') continue;
      t.equal(ua.searchParams.get(k), v, k);
    }
    t.equal(ua.searchParams.get('X-Amz-Expires'), '60');
    t.equal(ua.searchParams.get('X-Amz-SignedHeaders'), 'host;x-k8s-aws-id');
    const signedAt = (u: URL) => Date.parse(u.searchParams.get('X-Amz-Date')!.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    t.equal(Date.parse(a.status.expirationTimestamp) - signedAt(ua), 14 * 60000, 'credd: 14 min after signing');
    t.equal(Date.parse(b.status.expirationTimestamp) - signedAt(ub), 14 * 60000, 'the AWS CLI: the same');
  });

  t.test('STS accepts the presigned URL with the cluster header and names the account', async (t) => {
    const before = proxy.calls.length;
    const r = await credd(box.env, ['eks-token', 'prod-cluster', '--profile', 'dev']);
    const url = decode((JSON.parse(r.stdout) as ExecCredential).status.token);
    const answer = await getWithClusterHeader(url, 'prod-cluster');
    t.equal(answer.status, 200, answer.body);
    t.match(answer.body, `<Account>${SCENARIO_ACCOUNTS.dev}</Account>`);
    t.match(proxy.calls.slice(before), [{ action: 'GetCallerIdentity', chained: true }], 'only the verification reached STS: signing needs no call');
  });

  t.test('cached: the same token again, none in the daemon log', async (t) => {
    const one = JSON.parse((await credd(box.env, ['eks-token', 'prod-cluster', '--profile', 'dev'])).stdout) as ExecCredential;
    const two = JSON.parse((await credd(box.env, ['eks-token', 'prod-cluster', '--profile', 'dev'])).stdout) as ExecCredential;
    t.equal(two.status.token, one.status.token);
    t.notMatch(daemon.log(), one.status.token.slice(11, 60));
    const other = await credd(box.env, ['eks-token', 'prod-cluster', '--profile', 'nope']);
    t.equal(other.code, 1);
    t.match(other.stderr, /^credd: Unknown profile "nope"/);
  });
}
