import type { AwsConfig, StaticKeys } from '../aws/config.js';

/**
 * The AWS config with the keyring's keys laid over the files' keys: the keyring wins.
 * A profile known only to the keyring appears as a profile with keys, as a
 * credentials-file-only section does.
 */
export function withKeyringKeys(config: AwsConfig, keys: ReadonlyMap<string, StaticKeys>): AwsConfig {
  if (keys.size === 0) return config;
  const profiles = new Map(config.profiles);
  for (const [name, k] of keys) profiles.set(name, { ...(profiles.get(name) ?? { name }), keys: { ...k } });
  return { ...config, profiles };
}
