import { existsSync } from 'node:fs';
import { loadAwsConfig, type AwsConfig, type AwsFilePaths } from '../aws/config.js';
import { ConfigError } from '../errors.js';

/**
 * Loads the AWS files, refusing a load in which a file that was there at the last good load has
 * gone (rm, an editor's rename, a dotfiles sync). The core then keeps the last good config, so
 * nothing valid is thrown away and roles are still renewed from the MFA session; the error shows
 * in `credd status`, `credd doctor` and the log until the file is back.
 */
export function createConfigLoader(paths: AwsFilePaths, load: (p: AwsFilePaths) => AwsConfig = loadAwsConfig): () => AwsConfig {
  const named = [
    ['config', paths.configFile],
    ['credentials', paths.credentialsFile],
  ] as const;
  let present = new Set<string>();
  return () => {
    const now = new Set(named.filter(([, f]) => existsSync(f)).map(([, f]) => f));
    const gone = named.find(([, f]) => present.has(f) && !now.has(f));
    if (gone) {
      throw new ConfigError(
        `The AWS ${gone[0]} file ${gone[1]} is missing: credd keeps serving and renewing with the last good config until it is back (no new MFA code needed).`,
      );
    }
    const config = load(paths);
    present = now;
    return config;
  };
}
