import { execFile } from 'node:child_process';
import { BadRequestError } from '../../errors.js';
import type { CliContext, Command } from '../context.js';
import { parse } from '../parse.js';
import { timeLeft } from '../time-left.js';
import { resolvePlan } from '../../aws/resolve-plan.js';
import { localConfig } from '../local-view.js';
import { warmAndReport } from '../warm-report.js';

interface MfaInfo {
  profile: string;
  mfaSerial?: string;
  mfaProcess?: string;
}

/** How long `credd mfa` waits for the credentials of the profile it points at. */
const MFA_WARM_MS = 10_000;

/**
 * The profile's `mfa_process`, read from the AWS config by the CLI itself: a command line that
 * came over a socket could be anyone's.
 */
function localMfaProcess(ctx: CliContext, profile: string): string | undefined {
  const config = localConfig(ctx);
  try {
    return config ? resolvePlan(config, profile).mfaProcess : undefined;
  } catch {
    return undefined;
  }
}

function runMfaProcess(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { timeout: 120000 }, (err, stdout) => {
      if (err) reject(new BadRequestError(`mfa_process failed (${err.message.split('\n')[0]}): fix it in your AWS config or pass the code: credd mfa CODE.`));
      else resolve(stdout.trim());
    });
  });
}

async function readLine(stream: NodeJS.ReadableStream): Promise<string> {
  let data = '';
  for await (const chunk of stream) {
    data += chunk.toString();
    if (data.includes('\n')) break;
  }
  return data.split('\n')[0]!.trim();
}

/** Gets the code from mfa_process, a hidden prompt, or standard input, in that order. */
async function askCode(ctx: CliContext, info: MfaInfo): Promise<string> {
  if (info.mfaProcess) return runMfaProcess(info.mfaProcess);
  if (ctx.isTTY) {
    const { read } = await import('read');
    return (await read({ prompt: `MFA code for ${info.mfaSerial}: `, silent: true, replace: '*', output: process.stderr })).trim();
  }
  return readLine(ctx.stdin);
}

/** `credd mfa [CODE] [--profile NAME]` */
const mfa: Command = async (ctx, args) => {
  const { values, positionals } = parse('mfa', args, { profile: { type: 'string', short: 'p' } }, 1);
  let code = positionals[0];
  if (code === undefined) {
    const query = values.profile ? `?profile=${encodeURIComponent(values.profile)}` : '';
    const remote = await ctx.client.get<MfaInfo>(`/mfa${query}`);
    const info: MfaInfo = { profile: remote.profile, mfaSerial: remote.mfaSerial, mfaProcess: localMfaProcess(ctx, remote.profile) };
    if (!info.mfaSerial) throw new BadRequestError(`Profile "${info.profile}" needs no MFA code (no mfa_serial in its chain).`);
    code = await askCode(ctx, info);
  }
  const out = await ctx.client.post<{ profile: string; source: string; expiration: string }>('/mfa', { code, ...(values.profile ? { profile: values.profile } : {}) });
  ctx.out(`MFA session for ${out.source} started: valid until ${out.expiration} (${timeLeft(out.expiration, ctx.now())}).\n`);
  // Warm what the code was for, so the first SDK request is not cold; the session itself is in hand either way.
  await warmAndReport(ctx, out.profile, MFA_WARM_MS).catch(() => false);
  return 0;
};
export default mfa;
