import type { StaticKeys } from '../aws/config.js';
import { BadRequestError } from '../errors.js';
import type { CliContext } from './context.js';

/** Reads up to `n` lines from a stream (a pipe, a file, or a here-document). */
async function readLines(stream: NodeJS.ReadableStream, n: number): Promise<string[]> {
  let data = '';
  for await (const chunk of stream) {
    data += chunk.toString();
    if (data.split('\n').length > n) break;
  }
  return data
    .split(/\r?\n/)
    .slice(0, n)
    .map((s) => s.trim());
}

/**
 * Asks for an access key pair: on a terminal the ID is shown and the secret hidden; otherwise
 * two lines on standard input. Never from argv, where other processes could read them.
 */
export async function askKeys(ctx: CliContext, profile: string): Promise<StaticKeys> {
  let accessKeyId: string | undefined;
  let secretAccessKey: string | undefined;
  if (ctx.isTTY) {
    const { read } = await import('read');
    accessKeyId = (await read({ prompt: `Access key ID for ${profile}: `, output: process.stderr })).trim();
    secretAccessKey = (await read({ prompt: `Secret access key for ${profile}: `, silent: true, replace: '*', output: process.stderr })).trim();
  } else {
    [accessKeyId, secretAccessKey] = await readLines(ctx.stdin, 2);
  }
  if (!accessKeyId || !/^[A-Z0-9]{16,128}$/.test(accessKeyId))
    throw new BadRequestError('That is not an access key ID (letters and digits, like AKIA...): nothing was stored.');
  if (!secretAccessKey || /\s/.test(secretAccessKey)) throw new BadRequestError('The secret access key is empty or has spaces: nothing was stored.');
  return { accessKeyId, secretAccessKey };
}
