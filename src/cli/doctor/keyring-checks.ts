import { fileKeys } from '../../keyring/key-place.js';
import { type KeyringChoice, type KeyringSetting, keyringHelp, type OpenKeyringDeps, openKeyring } from '../../keyring/open-keyring.js';
import { profileKeyring } from '../../keyring/profile-keys.js';
import { loadSettings } from '../../settings.js';
import type { CliContext } from '../context.js';
import type { Finding } from './facts.js';

export interface KeyringFactsDeps {
  setting: KeyringSetting;
  platform: NodeJS.Platform;
  credentialsFile: string;
  open(deps: OpenKeyringDeps): Promise<KeyringChoice>;
}

/**
 * `credd doctor`'s keyring findings: why no keyring is used and how to get one, and
 * which profiles still have a plaintext copy of keys the keyring holds.
 */
export async function keyringFindings(d: KeyringFactsDeps): Promise<Finding[]> {
  let choice: KeyringChoice;
  try {
    choice = await d.open({ setting: d.setting, platform: d.platform });
  } catch (err) {
    return [
      {
        code: 'KeyringUnavailable',
        severity: 'error',
        message: `${(err as Error).message} The daemon does not start like this.`,
        fix: `${keyringHelp(d.platform)}, or set keyring = auto or none in the settings file.`,
      },
    ];
  }
  if (!choice.store) {
    if (d.setting === 'none') return [];
    return [
      {
        code: 'KeyringUnavailable',
        severity: 'warning',
        message: `No keyring is used (${choice.reason}), so long-term keys stay in ${d.credentialsFile} and the state file (MFA session, role credentials) is not encrypted.`,
        fix: `${keyringHelp(d.platform)}; then \`credd keys import PROFILE\` and restart the daemon. keyring = none in the settings file silences this.`,
      },
    ];
  }
  const copies = profileKeyring(choice.store)
    .names()
    .filter((n) => fileKeys(d.credentialsFile, n));
  return copies.map((n) => ({
    code: 'PlaintextKeys',
    severity: 'warning' as const,
    message: `Profile "${n}" has keys in the keyring (they win) and a plaintext copy in ${d.credentialsFile}.`,
    fix: `\`credd keys import ${n}\` removes the copy (or delete the two lines yourself).`,
  }));
}

/** The keyring findings with the settings' choice and the real keyring (DoctorDeps.keyring). */
export const keyringCheck = (ctx: CliContext): Promise<Finding[]> =>
  keyringFindings({
    setting: loadSettings(ctx.paths.settingsFile, ctx.env).keyring,
    platform: ctx.platform,
    credentialsFile: ctx.awsPaths.credentialsFile,
    open: openKeyring,
  });
