import { execFile } from 'node:child_process';
import type { MfaInfo } from '../../control/contract.js';
import { BadRequestError, requireMfaSerial } from '../../errors.js';
import type { CliContext, Command } from '../context.js';
import { parse } from '../parse.js';
import { timeLeft } from '../time-left.js';
import { resolvePlan } from '../../aws/resolve-plan.js';
import { localConfig } from '../local-view.js';
import { warmAndReport } from '../warm-report.js';

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

/** Gets the code from mfa_process (read locally), a hidden prompt, or standard input, in that order. */
async function askCode(ctx: CliContext, info: MfaInfo): Promise<string> {
  const mfaProcess = localMfaProcess(ctx, info.profile);
  if (mfaProcess) return runMfaProcess(mfaProcess);
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
    const info = await ctx.client.get('/mfa', { params: { profile: values.profile } });
    requireMfaSerial(info);
    code = await askCode(ctx, info);
  }
  const out = await ctx.client.post('/mfa', { code, ...(values.profile ? { profile: values.profile } : {}) });
  ctx.out(`MFA session for ${out.source} started: valid until ${out.expiration} (${timeLeft(out.expiration, ctx.now())}).\n`);
  // Warm what the code was for, so the first SDK request is not cold; the session itself is in hand either way.
  await warmAndReport(ctx, out.profile, MFA_WARM_MS).catch(() => false);
  return 0;
};
export default mfa;
