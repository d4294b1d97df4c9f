import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { StaticKeys } from './config.js';
import { checkClusterName } from './eks-cluster.js';
import { stsHostFor } from './partition.js';

/** What the AWS CLI's `eks get-token` puts before the base64url URL. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** `X-Amz-Expires` of the presigned URL: the AWS CLI's URL_TIMEOUT (EKS itself accepts the URL for 15 min after X-Amz-Date). */
export const EKS_URL_EXPIRES_SECONDS = 60;
/** The AWS CLI's `expirationTimestamp`: 14 min after signing, one minute before EKS stops accepting the token. */
export const EKS_TOKEN_LIFETIME_MS = 14 * 60 * 1000;

export interface EksTokenInput {
  credentials: StaticKeys & { sessionToken?: string };
  cluster: string;
  /** Signing region; undefined signs for us-east-1 on the global host, as the AWS CLI does without a region. */
  region?: string;
  /** An STS endpoint override (AWS_ENDPOINT_URL_STS, the profile's endpoint_url). */
  endpoint?: string;
  /** Signing time in ms. */
  now: number;
}

export interface EksToken {
  token: string;
  /** The ExecCredential `expirationTimestamp`, in ms. */
  expiresAt: number;
}

/** botocore's percent-encoding (RFC 3986 unreserved characters stay). */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The query parameters in the order botocore writes them, so the URLs differ only where the signing time does. */
const ORDER = [
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
];

/**
 * Presigns STS GetCallerIdentity with the `x-k8s-aws-id: CLUSTER` header signed, exactly as
 * `aws eks get-token` does (GET, X-Amz-Expires=60, host and x-k8s-aws-id signed), and wraps it as the
 * Kubernetes bearer token: `k8s-aws-v1.` + base64url without padding.
 */
export async function presignEksToken(input: EksTokenInput): Promise<EksToken> {
  const cluster = checkClusterName(input.cluster);
  // Whole seconds, as botocore signs and as the AWS CLI writes expirationTimestamp.
  const now = Math.floor(input.now / 1000) * 1000;
  const signingRegion = input.region ?? 'us-east-1';
  const base = new URL(input.endpoint ?? `https://${stsHostFor(input.region)}`);
  const { accessKeyId, secretAccessKey, sessionToken } = input.credentials;
  const signer = new SignatureV4({
    service: 'sts',
    region: signingRegion,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      // No body: the payload hash is that of the empty string, as botocore signs an STS presigned GET.
      headers: { host: base.host, 'x-k8s-aws-id': cluster },
    },
    {
      expiresIn: EKS_URL_EXPIRES_SECONDS,
      signingDate: new Date(now),
    },
  );
  const query = presigned.query as Record<string, string>;
  const url = `${base.protocol}//${base.host}/?${ORDER.filter((k) => query[k] !== undefined)
    .map((k) => `${k}=${encode(query[k]!)}`)
    .join('&')}`;
  return { token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'), expiresAt: now + EKS_TOKEN_LIFETIME_MS };
}
