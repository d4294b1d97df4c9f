import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { loadAwsConfig } from '../../aws/config.js';
import { resolvePlan } from '../../aws/resolve-plan.js';
import type { StatusInfo } from '../../daemon/describe.js';
import type { CliContext, Command } from '../context.js';
import { diagnose, type DoctorFacts, type Finding, type ProbeResult } from '../doctor-checks.js';
import { keyringFindings } from '../../keyring/doctor-findings.js';
import { openKeyring } from '../../keyring/open-keyring.js';
import { loadSettings } from '../../settings.js';
import { imdsMode } from '../doctor-endpoint-checks.js';
import { httpProbe, imdsProbe } from '../doctor-probe.js';
import { parse } from '../parse.js';
import { serviceTarget } from '../../service/platform.js';
import { serviceFile } from '../../service/steps.js';

export interface DoctorDeps {
  /** GETs the container URI as an SDK would (raw token in `Authorization`); never returns the credentials. */
  probe(url: string, token: string | undefined): Promise<ProbeResult>;
  /** Walks IMDSv2 at `base` (`AWS_EC2_METADATA_SERVICE_ENDPOINT`) as an SDK would. */
  imdsProbe(base: string): Promise<ProbeResult>;
  /** Where credd's login service would be, and whether it is there; undefined where there is none. */
  loginService(ctx: CliContext): DoctorFacts['service'];
  /** The keyring findings (why none is used, plaintext copies); absent in tests that do not look at it. */
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

/** `[section]` → key → value, enough to see what `[default]` or one profile holds. */
export function sectionKeys(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*(.+?)\s*\]\s*$/.exec(line);
    if (header) out.set(header[1]!, (current = out.get(header[1]!) ?? new Map()));
    else if (current && /^[^\s;#][^=]*=/.test(line)) current.set(line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim());
  }
  return out;
}

function read(file: string): { value: string } | { error: string } {
  try {
    return { value: readFileSync(file, 'utf8') };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
}

type Status = StatusInfo & { endpoint: string; security?: { imds: boolean } };

/** Gathers what `diagnose` needs: the shell, the AWS files, the daemon, and one request as an SDK makes it. */
export async function gatherFacts(ctx: CliContext, deps: DoctorDeps): Promise<DoctorFacts> {
  const e = ctx.env;
  const text = (f: string) => {
    const r = read(f);
    return 'value' in r ? r.value : '';
  };
  const config = sectionKeys(text(ctx.awsPaths.configFile));
  const creds = sectionKeys(text(ctx.awsPaths.credentialsFile));
  const def = config.get('default') ?? config.get('profile default') ?? new Map<string, string>();
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
    },
    now: ctx.now(),
  };
  const service = deps.loginService(ctx);
  if (service) facts.service = service;
  if (envProfile) {
    const section = envProfile === 'default' ? def : config.get(`profile ${envProfile}`);
    const proc = section?.get('credential_process') ?? creds.get(envProfile)?.get('credential_process');
    if (proc) facts.aws.envProfileProcess = proc;
  }
  const daemonToken = read(ctx.paths.tokenFile);
  if ('value' in daemonToken) facts.daemonToken = daemonToken.value;
  if (e.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) facts.envTokenFile = read(e.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE);
  let awsConfig;
  try {
    awsConfig = loadAwsConfig(ctx.awsPaths);
  } catch (err) {
    facts.aws.error = (err as Error).message;
  }
  const uri = e.AWS_CONTAINER_CREDENTIALS_FULL_URI || (e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ? `http://169.254.170.2${e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}` : undefined);
  const pinned = uri ? /\/creds\/([^/?#]+)/.exec(uri)?.[1] : undefined;
  if (pinned) facts.pinnedProfile = decodeURIComponent(pinned);
  let status: Status;
  try {
    status = await ctx.client.get<Status>('/status');
  } catch {
    return facts;
  }
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

/** `credd doctor [--json]`: exit 1 when a finding stops the SDKs, else 0. */
export function createDoctorCommand(deps: DoctorDeps): Command {
  return async (ctx, args) => {
    const { values } = parse('doctor', args, { json: { type: 'boolean' } });
    const findings = [...diagnose(await gatherFacts(ctx, deps)), ...(deps.keyring ? await deps.keyring(ctx) : [])];
    const ok = !findings.some((f) => f.severity === 'error');
    if (values.json) {
      ctx.out(`${JSON.stringify({ ok, findings }, null, 2)}\n`);
    } else if (findings.length === 0) {
      ctx.out('ok: nothing here keeps the SDKs from getting credentials from credd.\n');
    } else {
      for (const f of findings) ctx.out(`${f.severity}: ${f.message} Fix: ${f.fix}\n`);
    }
    return ok ? 0 : 1;
  };
}

/** The keyring findings with the settings' choice and the real keyring. */
export const keyringCheck = (ctx: CliContext): Promise<Finding[]> =>
  keyringFindings({ setting: loadSettings(ctx.paths.settingsFile, ctx.env).keyring, platform: ctx.platform, credentialsFile: ctx.awsPaths.credentialsFile, open: openKeyring });

export default createDoctorCommand({ probe: httpProbe, imdsProbe, loginService, keyring: keyringCheck });
