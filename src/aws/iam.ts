import type { StaticKeys } from './config.js';
import { silenceNodeVersionWarning } from './quiet-sdk.js';

/** One access key of the IAM user, as ListAccessKeys gives it. */
export interface AccessKeyInfo {
  id: string;
  status: string;
  created?: string;
}

/** The IAM and STS calls `credd rotate` makes; tests inject fakes with this shape. */
export interface KeyOps {
  listKeys(): Promise<AccessKeyInfo[]>;
  createKey(): Promise<StaticKeys>;
  deleteKey(id: string): Promise<void>;
  /** True when STS accepts `keys` (GetCallerIdentity): IAM is eventually consistent. */
  works(keys: StaticKeys): Promise<boolean>;
}

export interface KeyOpsTarget {
  /** Signs the IAM calls: the MFA session credd holds, or the long-term keys. */
  credentials: StaticKeys & { sessionToken?: string };
  /** The long-term keys being rotated: GetCallerIdentity with them names the IAM user. */
  userKeys: StaticKeys;
  iamEndpoint?: string;
  stsEndpoint?: string;
  region: string;
}

const handler = { connectionTimeout: 3000, requestTimeout: 10000, throwOnRequestTimeout: true };

/**
 * The real IAM and STS clients. This module is imported only when a rotation runs,
 * so the IAM SDK costs nothing to the daemon otherwise, and never reaches the CLI.
 */
export async function createKeyOps(target: KeyOpsTarget): Promise<KeyOps> {
  silenceNodeVersionWarning();
  const iamSdk = await import('@aws-sdk/client-iam');
  const stsSdk = await import('@aws-sdk/client-sts');
  const iam = new iamSdk.IAMClient({ region: 'us-east-1', endpoint: target.iamEndpoint, credentials: { ...target.credentials }, requestHandler: handler });
  const caller = async (keys: StaticKeys) => {
    const sts = new stsSdk.STSClient({
      region: target.region,
      endpoint: target.stsEndpoint,
      credentials: { ...keys },
      maxAttempts: 1,
      requestHandler: handler,
    });
    try {
      return await sts.send(new stsSdk.GetCallerIdentityCommand({}));
    } finally {
      sts.destroy();
    }
  };
  // The user is named in every call rather than taken from the signature: the signer may be
  // the MFA session, and the name is certain. GetCallerIdentity needs no permission.
  const arn = (await caller(target.userKeys)).Arn ?? '';
  const user = /^arn:[^:]+:iam::\d+:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
  if (!user) throw new Error(`these keys belong to ${arn || 'an unknown identity'}, not an IAM user`);
  const UserName = user;
  return {
    async listKeys() {
      const out = await iam.send(new iamSdk.ListAccessKeysCommand({ UserName }));
      return (out.AccessKeyMetadata ?? []).map((k) => ({
        id: k.AccessKeyId ?? '?',
        status: k.Status ?? '?',
        ...(k.CreateDate ? { created: k.CreateDate.toISOString().slice(0, 10) } : {}),
      }));
    },
    async createKey() {
      const out = await iam.send(new iamSdk.CreateAccessKeyCommand({ UserName }));
      if (!out.AccessKey?.AccessKeyId || !out.AccessKey.SecretAccessKey) throw new Error('IAM answered without a key');
      return { accessKeyId: out.AccessKey.AccessKeyId, secretAccessKey: out.AccessKey.SecretAccessKey };
    },
    async deleteKey(id) {
      await iam.send(new iamSdk.DeleteAccessKeyCommand({ UserName, AccessKeyId: id }));
    },
    async works(keys) {
      try {
        await caller(keys);
        return true;
      } catch {
        return false;
      }
    },
  };
}
