import type { AwsConfig } from '../../aws/config.js';
import { BadRequestError } from '../../errors.js';
import { checkProfileName } from '../../aws/profile-name.js';
import { ensureRuntimeDir } from '../../state/runtime-dir.js';
import { loadOrCreateToken } from '../../state/token.js';
import { refuseSquattedPort } from '../port-guard.js';
import { warmQuietly } from '../warm-report.js';
import type { CliContext, Command } from '../context.js';
import { localConfig, localEndpoint, regionOf, savedActiveProfile } from '../local-view.js';
import { parse } from '../parse.js';
import { loadSettings } from '../../settings.js';
import { containerEnv, imdsEnv, renderShellEnv, type ShellEnv, type ShellKind } from '../shell-env.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd env` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'env',
  args: '[NAME]',
  positionals: 1,
  options: {
    imds: { type: 'boolean', help: 'the EC2 instance-metadata form instead (see above)' },
    shell: { type: 'string', value: 'sh|fish|powershell', help: 'the shell to print for (default sh: bash, zsh)' },
  },
  group: 'Everyday',
  summary: 'lines for eval "$(credd env)": point this shell at credd',
  about: `Prints the lines that point a shell at credd: eval "$(credd env)" (fish: credd env
--shell fish | source; PowerShell: credd env --shell powershell | Out-String |
Invoke-Expression). Sets AWS_CONTAINER_CREDENTIALS_FULL_URI, the token and the
region, and unsets the variables that would win over credd (AWS_PROFILE,
AWS_ACCESS_KEY_ID, ...). With NAME the URI is pinned to that profile instead of
following \`credd switch\`; a running daemon starts fetching NAME at once. Works
whether or not the daemon runs. Prints nothing (exit 1) when another user holds the
port: the SDKs would send the token there.
--imds prints the EC2 instance-metadata form instead, for tools that read only IMDS:
AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:PORT/ (the active profile), and
unsets the container variables, which the SDKs would use first.
`,
} as const satisfies CommandSpec;

function warnDefaultKeys(ctx: CliContext, config: AwsConfig | undefined): void {
  if (config?.defaultHasKeys) {
    ctx.err(
      `credd: warning: [default] in ${ctx.awsPaths.credentialsFile} has keys, and the SDKs use them before credd: rename that section (e.g. [management]).\n`,
    );
  }
}

/** The environment of `credd env [NAME]`, with warnings about what would shadow it. */
export function envFor(ctx: CliContext, name: string | undefined): ShellEnv {
  if (name !== undefined) checkProfileName(name);
  const base = localEndpoint(ctx);
  refuseSquattedPort(ctx, base, 'credd env prints nothing, since the SDKs would send your token there and use its answers.');
  const config = localConfig(ctx);
  ensureRuntimeDir(ctx.paths.runtimeDir, ctx.uid);
  const token = loadOrCreateToken(ctx.paths.tokenFile);
  warnDefaultKeys(ctx, config);
  const region = regionOf(config, name ?? savedActiveProfile(ctx));
  return containerEnv({ url: name ? `${base}/creds/${encodeURIComponent(name)}` : `${base}/creds`, token, region });
}

/** The environment of `credd env --imds`: IMDS serves the active profile only, so no NAME. */
export function imdsEnvFor(ctx: CliContext, name: string | undefined): ShellEnv {
  if (name !== undefined) throw new BadRequestError('IMDS serves the active profile: run `credd switch NAME`, then `credd env --imds` without NAME.');
  try {
    if (!loadSettings(ctx.paths.settingsFile, ctx.env).imds)
      ctx.err('credd: warning: IMDS is switched off in the settings (imds = false): the daemon will answer 404.\n');
  } catch {
    // A broken settings file is the daemon's to report; the address below is still the best guess.
  }
  const config = localConfig(ctx);
  warnDefaultKeys(ctx, config);
  const base = localEndpoint(ctx);
  refuseSquattedPort(ctx, base, 'credd env prints nothing, since the SDKs would take their credentials from it.');
  return imdsEnv({ url: `${base}/`, region: regionOf(config, savedActiveProfile(ctx)) });
}

/** `credd env [NAME] [--imds] [--shell sh|fish|powershell]` */
const env: Command = async (ctx, args) => {
  const { values, positionals } = parse(spec, args);
  const shell = (values.shell ?? 'sh') as ShellKind;
  if (!['sh', 'fish', 'powershell'].includes(shell)) throw new BadRequestError(`--shell "${values.shell}": use sh (bash, zsh), fish or powershell.`);
  ctx.out(renderShellEnv(values.imds ? imdsEnvFor(ctx, positionals[0]) : envFor(ctx, positionals[0]), shell));
  // Warm the profile this shell is pinned to, without holding up the shell.
  if (positionals[0] !== undefined && !values.imds) await warmQuietly(ctx, positionals[0]);
  return 0;
};
export default env;
