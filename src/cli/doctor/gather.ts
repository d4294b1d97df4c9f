import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type AwsConfig, type AwsFiles, buildAwsConfig, readAwsFiles } from '../../aws/config.js';
import { resolvePlan } from '../../aws/resolve-plan.js';
import type { DaemonStatus } from '../../control/contract.js';
import { serviceTarget } from '../../service/platform.js';
import { serviceFile } from '../../service/steps.js';
import { checkRuntimeDir } from '../../state/runtime-dir.js';
import type { CliContext } from '../context.js';
import { localEndpoint } from '../local-view.js';
import { portOf, squatterOf } from '../port-guard.js';
import { type DoctorFacts, type Finding, imdsMode, type ProbeResult } from './facts.js';
import { gatherSsoFacts } from './sso-checks.js';

export interface DoctorDeps {
  /** GETs the container URI as an SDK would (raw token in `Authorization`); never returns the credentials. */
  probe(url: string, token: string | undefined): Promise<ProbeResult>;
  /** Walks IMDSv2 at `base` (`AWS_EC2_METADATA_SERVICE_ENDPOINT`) as an SDK would. */
  imdsProbe(base: string): Promise<ProbeResult>;
  /** Where credd's login service would be, and whether it is there; undefined where there is none. */
  loginService(ctx: CliContext): DoctorFacts['service'];
  /** The keyring findings (why none is used, plaintext copies; keyring-checks.ts); absent in tests that do not look at it. */
  keyring?(ctx: CliContext): Promise<Finding[]>;
}

/**
 * The systemd unit or launchd agent that `credd service install` writes, as `credd service`
 * finds it: installed when the file exists.
 */
export function loginService(ctx: CliContext, exists: (path: string) => boolean = existsSync): DoctorFacts['service'] {
  let file: string;
  try {
    file = serviceFile(serviceTarget(ctx.platform, ctx.env.HOME || homedir(), ctx.env, 0));
  } catch {
    return undefined;
  }
  return { file, installed: exists(file) };
}

function read(file: string): { value: string } | { error: string } {
  try {
    return { value: readFileSync(file, 'utf8') };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
}

/**
 * Whether the daemon's places are this user's: the runtime directory (else its error is noted and
 * the socket is not trusted: false), and the ports the shell or the settings point at (another
 * user listening there is noted).
 */
function checkOwnPlaces(ctx: CliContext, uri: string | undefined, facts: DoctorFacts): boolean {
  try {
    checkRuntimeDir(ctx.paths.runtimeDir, ctx.uid);
  } catch (err) {
    facts.runtimeDirError = (err as Error).message;
    return false;
  }
  let configured = '';
  try {
    configured = localEndpoint(ctx);
  } catch {
    // a broken settings file: reported by the daemon; the shell's own URI is still checked
  }
  for (const url of new Set([uri ?? '', ctx.env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? '', configured])) {
    const holder = squatterOf(ctx, url);
    if (holder) {
      facts.portHolder = { address: `127.0.0.1:${portOf(url)}`, holder };
      break;
    }
  }
  return true;
}

/** Gathers what `diagnose` needs: the shell, the AWS files, the daemon, and one request as an SDK makes it. */
export async function gatherFacts(ctx: CliContext, deps: DoctorDeps): Promise<DoctorFacts> {
  const e = ctx.env;
  let files: AwsFiles = { config: new Map(), credentials: new Map(), warnings: [] };
  let readError: string | undefined;
  try {
    files = readAwsFiles(ctx.awsPaths);
  } catch (err) {
    readError = (err as Error).message;
  }
  const { config, credentials: creds } = files;
  const def = config.get('default') ?? new Map<string, string>();
  const envProfile = e.AWS_PROFILE || e.AWS_DEFAULT_PROFILE;
  const facts: DoctorFacts = {
    platform: ctx.platform,
    env: e,
    aws: {
      configFile: ctx.awsPaths.configFile,
      credentialsFile: ctx.awsPaths.credentialsFile,
      defaultConfigKeys: [...def.keys()],
      defaultCredentialsKeys: [...(creds.get('default')?.keys() ?? [])],
      ...(def.get('credential_process') ? { defaultCredentialProcess: def.get('credential_process')! } : {}),
      ...(def.get('region') ? { defaultRegion: def.get('region')! } : {}),
      ignored: files.warnings,
    },
    now: ctx.now(),
  };
  const service = deps.loginService(ctx);
  if (service) facts.service = service;
  if (envProfile) {
    const section = config.get(envProfile);
    const proc = section?.get('credential_process') ?? creds.get(envProfile)?.get('credential_process');
    if (proc) facts.aws.envProfileProcess = proc;
  }
  const daemonToken = read(ctx.paths.tokenFile);
  if ('value' in daemonToken) facts.daemonToken = daemonToken.value;
  if (e.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) facts.envTokenFile = read(e.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE);
  let awsConfig: AwsConfig | undefined;
  try {
    if (readError) throw new Error(readError);
    awsConfig = buildAwsConfig(files, ctx.awsPaths);
  } catch (err) {
    facts.aws.error = (err as Error).message;
  }
  const uri =
    e.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    (e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ? `http://169.254.170.2${e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}` : undefined);
  const pinned = uri ? /\/creds\/([^/?#]+)/.exec(uri)?.[1] : undefined;
  if (pinned) facts.pinnedProfile = decodeURIComponent(pinned);
  const ssoFacts = (profile?: string) => {
    if (awsConfig) facts.sso = gatherSsoFacts(awsConfig, join(e.HOME || homedir(), '.aws', 'sso', 'cache'), facts.now, profile);
  };
  if (!checkOwnPlaces(ctx, uri, facts)) {
    ssoFacts(facts.pinnedProfile);
    return facts;
  }
  let status: DaemonStatus;
  try {
    status = await ctx.client.get('/status');
  } catch {
    ssoFacts(facts.pinnedProfile);
    return facts;
  }
  ssoFacts(facts.pinnedProfile ?? status.activeProfile);
  facts.daemon = {
    endpoint: status.endpoint,
    ...(status.activeProfile ? { activeProfile: status.activeProfile } : {}),
    ...(status.configError ? { configError: status.configError } : {}),
    ...(status.security ? { imds: status.security.imds } : {}),
  };
  const name = facts.pinnedProfile ?? status.activeProfile;
  try {
    const plan = name && awsConfig ? resolvePlan(awsConfig, name) : undefined;
    if (plan?.mfaSerial) {
      const s = status.sessions.find((x) => x.valid && x.source === plan.root && x.mfaSerial === plan.mfaSerial);
      facts.session = s ? { expiration: s.expiration } : 'missing';
    }
  } catch {
    // An unknown or broken profile: the probe below reports what the daemon says about it.
  }
  if (uri) {
    const file = facts.envTokenFile && 'value' in facts.envTokenFile ? facts.envTokenFile.value : undefined;
    facts.probe = await deps.probe(uri, file ?? e.AWS_CONTAINER_AUTHORIZATION_TOKEN);
  } else if (imdsMode(e) && facts.daemon.imds !== false) {
    facts.probe = await deps.imdsProbe(e.AWS_EC2_METADATA_SERVICE_ENDPOINT!);
  }
  return facts;
}
