import { BadRequestError, DaemonNotRunningError, KeyringUnavailableError } from '../../errors.js';
import { fileKeys, importKeys } from '../../keyring/key-place.js';
import { keyringHelp, openKeyring, type KeyringChoice, type OpenKeyringDeps } from '../../keyring/open-keyring.js';
import { profileKeyring, type ProfileKeyring } from '../../keyring/profile-keys.js';
import { loadSettings } from '../../settings.js';
import type { CliContext, Command } from '../context.js';
import { parse } from '../parse.js';
import { askKeys } from '../ask-keys.js';
import type { CommandSpec } from '../command-spec.js';
import { usageOf } from '../help.js';

/** What `credd keys` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'keys',
  args: 'import|add|remove|list [PROFILE]',
  positionals: 2,
  group: 'Keys',
  summary: "keep PROFILE's long-term keys in the OS keyring",
  about: `Keeps long-term access keys in the OS keyring (Secret Service, macOS keychain, Windows
Credential Manager; setting keyring) instead of ~/.aws/credentials.
import PROFILE: moves aws_access_key_id/aws_secret_access_key of [PROFILE] from the
  credentials file into the keyring, then removes those two lines; the rest of the file
  (other sections, comments, order, mode) stays as it was, and so does an empty [PROFILE].
add PROFILE: asks for the key ID and the secret (hidden) on a terminal, else reads the
  two lines from standard input; never from the command line.
remove PROFILE: deletes PROFILE's keys from the keyring.
list: the profiles with keys in the keyring (never the secrets), and which of them still
  have a plaintext copy in the credentials file.
Keys in the keyring win over keys in the files. A running daemon reloads them at once.
With no usable keyring this is an error and nothing is written anywhere.
`,
} as const satisfies CommandSpec;

export interface KeysDeps {
  openKeyring(deps: OpenKeyringDeps): Promise<KeyringChoice>;
}

/** The keyring the settings choose; with none usable, an error (keys are never written anywhere else). */
export async function userKeyring(ctx: CliContext, open: KeysDeps['openKeyring']): Promise<ProfileKeyring> {
  const choice = await open({ setting: loadSettings(ctx.paths.settingsFile, ctx.env).keyring, platform: ctx.platform });
  if (!choice.store) throw new KeyringUnavailableError(`No keyring to keep keys in (${choice.reason}): ${keyringHelp(ctx.platform)}. Nothing was written.`);
  return profileKeyring(choice.store);
}

/** The daemon re-reads the keyring when its config reloads; no daemon is fine. */
async function tellDaemon(ctx: CliContext): Promise<void> {
  try {
    await ctx.client.post('/reload');
  } catch (err) {
    if (!(err instanceof DaemonNotRunningError)) throw err;
  }
}

const NAME = /^[\w+=,.@:/-]{1,128}$/;

/** `credd keys import|add|remove|list [PROFILE]` */
export function createKeysCommand(deps: KeysDeps): Command {
  return async (ctx, args) => {
    const { positionals } = parse(spec, args);
    const [sub, profile] = positionals;
    if (sub === 'list') {
      const kr = await userKeyring(ctx, deps.openKeyring);
      const names = kr.names();
      if (names.length === 0) ctx.out('No profile has keys in the keyring: `credd keys import PROFILE` moves them there.\n');
      for (const n of names)
        ctx.out(
          `${n}${fileKeys(ctx.awsPaths.credentialsFile, n) ? `  (a plaintext copy is still in the credentials file: run \`credd keys import ${n}\`)` : ''}\n`,
        );
      return 0;
    }
    if (!sub || !['import', 'add', 'remove'].includes(sub)) throw new BadRequestError(`Usage: credd ${usageOf(spec)} (see \`credd keys --help\`).`);
    if (!profile || !NAME.test(profile)) throw new BadRequestError(`credd keys ${sub} needs a PROFILE name (see \`credd keys --help\`).`);
    const kr = await userKeyring(ctx, deps.openKeyring);
    if (sub === 'import') {
      const k = importKeys(profile, kr, ctx.awsPaths.credentialsFile);
      ctx.out(`Keys of ${profile} (${k.accessKeyId}) are in the keyring now and no longer in ${ctx.awsPaths.credentialsFile}.\n`);
    } else if (sub === 'add') {
      const k = await askKeys(ctx, profile);
      kr.put(profile, k);
      ctx.out(
        `Keys of ${profile} (${k.accessKeyId}) are in the keyring.${fileKeys(ctx.awsPaths.credentialsFile, profile) ? ` The keyring wins over the copy still in ${ctx.awsPaths.credentialsFile}; \`credd keys import ${profile}\` removes it.` : ''}\n`,
      );
    } else if (!kr.remove(profile)) {
      throw new BadRequestError(`The keyring holds no keys for ${profile}: \`credd keys list\` shows which profiles it has.`);
    } else {
      ctx.out(`Keys of ${profile} removed from the keyring.\n`);
    }
    await tellDaemon(ctx);
    return 0;
  };
}

export default createKeysCommand({ openKeyring });
