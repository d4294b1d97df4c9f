import { checkClusterName } from '../../aws/eks-cluster.js';
import { BadRequestError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd eks-token` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'eks-token',
  args: 'CLUSTER',
  positionals: 1,
  options: {
    profile: { type: 'string', short: 'p', value: 'NAME', help: 'sign with NAME (default: the active profile)' },
    region: { type: 'string', value: 'R', help: "the cluster's region (default: the profile's)" },
    kubeconfig: { type: 'boolean', help: 'print the users: entry to paste into your kubeconfig instead' },
  },
  group: 'Everyday',
  summary: 'kubectl exec plugin: an EKS token signed by the daemon',
  about: `A kubectl exec credential plugin, like \`aws eks get-token\`, without starting Python:
prints the ExecCredential JSON (client.authentication.k8s.io/v1beta1, or v1 when
KUBERNETES_EXEC_INFO asks for it) with a token for CLUSTER. The daemon signs it with
NAME's credentials (default: the active profile) for R (default: the profile's
region) and hands out the same token for about 13 minutes. The token is valid for
15 minutes; expirationTimestamp is 14 minutes after signing, as the AWS CLI writes it.
`,
} as const satisfies CommandSpec;

const V1BETA1 = 'client.authentication.k8s.io/v1beta1';
const SUPPORTED = new Set(['client.authentication.k8s.io/v1', V1BETA1]);

/** The ExecCredential apiVersion kubectl asks for in KUBERNETES_EXEC_INFO (v1 or v1beta1), else v1beta1, as the AWS CLI does. */
export function execApiVersion(execInfo: string | undefined): string {
  try {
    const v = (JSON.parse(execInfo ?? '') as { apiVersion?: unknown }).apiVersion;
    return typeof v === 'string' && SUPPORTED.has(v) ? v : V1BETA1;
  } catch {
    return V1BETA1;
  }
}

/** The kubeconfig `users:` entry that runs `credd eks-token` (YAML, names quoted as JSON strings). */
export function kubeconfigStanza(cluster: string, profile?: string, region?: string): string {
  const args = ['eks-token', cluster, ...(profile ? ['--profile', profile] : []), ...(region ? ['--region', region] : [])];
  const q = (s: string) => JSON.stringify(s);
  return [
    'users:',
    `- name: ${q(`credd-${cluster}${profile ? `-${profile}` : ''}`)}`,
    '  user:',
    '    exec:',
    `      apiVersion: ${V1BETA1}`,
    '      command: credd',
    `      args: [${args.map(q).join(', ')}]`,
    '      interactiveMode: Never',
    '',
  ].join('\n');
}

/**
 * `credd eks-token CLUSTER [--profile NAME] [--region R] [--kubeconfig]`: the kubectl exec
 * plugin. Only asks the daemon, which signs and caches the token: no SDK is loaded here.
 */
const eksToken: Command = async (ctx, args) => {
  const { values, positionals } = parse(spec, args);
  const cluster = positionals[0];
  if (cluster === undefined) throw new BadRequestError('Name the cluster: credd eks-token CLUSTER (see `credd eks-token --help`).');
  checkClusterName(cluster);
  if (values.kubeconfig) {
    ctx.out(kubeconfigStanza(cluster, values.profile, values.region));
    return 0;
  }
  const a = await ctx.client.get('/eks-token', { params: { cluster, profile: values.profile, region: values.region } });
  ctx.out(
    `${JSON.stringify({
      kind: 'ExecCredential',
      apiVersion: execApiVersion(ctx.env.KUBERNETES_EXEC_INFO),
      spec: {},
      status: { expirationTimestamp: a.expirationTimestamp, token: a.token },
    })}\n`,
  );
  return 0;
};
export default eksToken;
