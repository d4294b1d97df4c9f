// The baseline server (bench/bare-server.js) as a child process.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstJsonLine, spawnPinned, stopChild } from './processes.js';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..', 'bare-server.js');

/** A fake credentials JSON of exactly `bytes` bytes (the Token is padded), in credd's field order. */
export function sameSizeBody(bytes) {
  const body = { AccessKeyId: 'ASIABENCHBASELINE000', SecretAccessKey: 'b'.repeat(40), Token: '', Expiration: '2099-01-01T00:00:00Z',
    RoleArn: 'arn:aws:iam::222222222222:role/RoleNameIndev', AccountId: '222222222222' };
  const pad = bytes - Buffer.byteLength(JSON.stringify(body));
  if (pad < 0) throw new Error(`credd body of ${bytes} bytes is smaller than the baseline skeleton`);
  body.Token = 'T'.repeat(pad);
  return JSON.stringify(body);
}

/** Starts the bare server (pinned to `core` when `pin`); resolves `{ pid, url, stop() }`. */
export async function startBare({ token, body, pin, core }) {
  const child = spawnPinned(pin, core, process.execPath, [SERVER], {
    env: { ...process.env, BENCH_TOKEN: token, BENCH_BODY: body },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const { port } = await firstJsonLine(child, 'bare server');
    return { pid: child.pid, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}
