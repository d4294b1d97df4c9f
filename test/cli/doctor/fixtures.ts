/**
 * Shared by the doctor tests: a healthy shell and daemon as facts, the fakes gatherFacts takes,
 * and a sandbox with AWS files and a runtime directory.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { DoctorFacts } from '../../../src/cli/doctor/facts.js';
import type { DoctorDeps } from '../../../src/cli/doctor/gather.js';

export const NOW = Date.parse('2030-01-01T12:00:00Z');
export const at = (minutes: number) => new Date(NOW + minutes * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
export const TOKEN = 'T'.repeat(43);
export const MFA = 'arn:aws:iam::111111111111:mfa/user.name';
export const URI = 'http://127.0.0.1:9911/creds';

/** A shell and a daemon with nothing wrong. */
export function healthy(): DoctorFacts {
  return {
    platform: 'linux',
    env: {
      XDG_RUNTIME_DIR: '/run/user/1000',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: URI,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/run/user/1000/credd/token',
      AWS_REGION: 'us-west-2',
    },
    daemonToken: TOKEN,
    envTokenFile: { value: TOKEN },
    aws: { configFile: '/h/.aws/config', credentialsFile: '/h/.aws/credentials', defaultConfigKeys: [], defaultCredentialsKeys: [] },
    daemon: { endpoint: 'http://127.0.0.1:9911', activeProfile: 'dev' },
    session: { expiration: at(600) },
    probe: { url: URI, status: 200, expiration: at(55) },
    service: { file: '/h/.config/systemd/user/credd.service', installed: true },
    now: NOW,
  };
}

/** Fakes for what gatherFacts asks outside the context: no IMDS probe expected, a login service installed. */
export function deps(probe: DoctorDeps['probe'], more: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    probe,
    imdsProbe: async () => {
      throw new Error('no IMDS probe expected');
    },
    loginService: () => ({ file: '/h/.config/systemd/user/credd.service', installed: true }),
    ...more,
  };
}

export const CONFIG = `[default]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/x\n\n[profile management]\nregion = us-west-2\n\n[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/R\nmfa_serial = ${MFA}\n\n[profile viacredd]\ncredential_process = credd credential-process dev\n`;

export function fixture(t: Test, files: { config?: string; credentials?: string; token?: string } = {}) {
  const root = t.testdir({
    home: {
      '.aws': { config: files.config ?? CONFIG, credentials: files.credentials ?? '[management]\naws_access_key_id = AKIA\naws_secret_access_key = s\n' },
    },
    run: { credd: files.token === undefined ? {} : { token: files.token } },
  });
  // As credd makes it: a runtime directory open to others is refused.
  chmodSync(join(root, 'run', 'credd'), 0o700);
  return root;
}
