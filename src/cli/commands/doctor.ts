import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadAwsConfig } from '../../aws/config.js';
import { resolvePlan } from '../../aws/resolve-plan.js';
import type { StatusInfo } from '../../daemon/describe.js';
import type { CliContext, Command } from '../context.js';
import { diagnose, type DoctorFacts, type ProbeResult } from '../doctor-checks.js';
import { parse } from '../parse.js';

export interface DoctorDeps {
  /** GETs `url` as an SDK would (raw token in `Authorization`); never returns the credentials. */
  probe(url: string, token: string | undefined): Promise<ProbeResult>;
}

/** The real probe: node:http, 2 s (botocore's timeout). */
export function httpProbe(url: string, token: string | undefined, timeoutMs = 2000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request(url, { headers: token === undefined ? {} : { authorization: token }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode === 200) return resolve({ url, status: 200 });
        let body: { Code?: unknown; Message?: unknown } = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          body = {};
        }
        resolve({ url, status: res.statusCode ?? 0, ...(typeof body.Code === 'string' ? { code: body.Code } : {}), ...(typeof body.Message === 'string' ? { message: body.Message } : {}) });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ url, error: err.code ?? err.message }));
    req.end();
  });
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
  let status: (StatusInfo & { endpoint: string }) | undefined;
  try {
    status = await ctx.client.get<StatusInfo & { endpoint: string }>('/status');
  } catch {
    return facts;
  }
  facts.daemon = { endpoint: status.endpoint, ...(status.activeProfile ? { activeProfile: status.activeProfile } : {}), ...(status.configError ? { configError: status.configError } : {}) };
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
  }
  return facts;
}

/** `credd doctor [--json]`: exit 1 when a finding stops the SDKs, else 0. */
export function createDoctorCommand(deps: DoctorDeps): Command {
  return async (ctx, args) => {
    const { values } = parse('doctor', args, { json: { type: 'boolean' } });
    const findings = diagnose(await gatherFacts(ctx, deps));
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

export default createDoctorCommand({ probe: (url, token) => httpProbe(url, token) });
