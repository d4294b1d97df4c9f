import { execFile } from 'node:child_process';
import { resolvePlan } from '../aws/resolve-plan.js';
import type { MfaInfo } from '../control/contract.js';
import { BadRequestError } from '../errors.js';
import type { CliContext } from './context.js';
import { localConfig } from './local-view.js';

/**
 * The profile's `mfa_process`, read from the AWS config by the CLI itself: a command line that
 * came over a socket could be anyone's.
 */
export function localMfaProcess(ctx: CliContext, profile: string): string | undefined {
  const config = localConfig(ctx);
  try {
    return config ? resolvePlan(config, profile).mfaProcess : undefined;
  } catch {
    return undefined;
  }
}

function runMfaProcess(command: string, retry: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { timeout: 120000 }, (err, stdout) => {
      if (err) reject(new BadRequestError(`mfa_process failed (${err.message.split('\n')[0]}): fix it in your AWS config or ${retry}.`));
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

/**
 * Gets an MFA code from mfa_process, a hidden prompt, or standard input, in that order.
 * `retry` ends the mfa_process error: how else to give the code.
 */
export async function askCode(ctx: CliContext, info: MfaInfo, retry = 'pass the code: credd mfa CODE'): Promise<string> {
  // Read from the local AWS config by the CLI itself: a command line that came over a socket could be anyone's.
  const mfaProcess = localMfaProcess(ctx, info.profile);
  if (mfaProcess) return runMfaProcess(mfaProcess, retry);
  if (ctx.isTTY) {
    const { read } = await import('read');
    return (await read({ prompt: `MFA code for ${info.mfaSerial}: `, silent: true, replace: '*', output: process.stderr })).trim();
  }
  return readLine(ctx.stdin);
}
