// The baseline server (bench/bare-server.js) as a child process, and the bodies it answers.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstJsonLine, spawnPinned, stopChild } from './processes.js';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..', 'bare-server.js');

/** `skeleton` as JSON (with `indent`) of exactly `bytes` bytes, its `Token` padded; fake values, so no secret leaves credd. */
function padded(skeleton, bytes, indent) {
  const pad = bytes - Buffer.byteLength(JSON.stringify(skeleton, null, indent));
  if (pad < 0) throw new Error(`credd body of ${bytes} bytes is smaller than the baseline skeleton`);
  return JSON.stringify({ ...skeleton, Token: 'T'.repeat(pad) }, null, indent);
}

/** A fake `/creds` JSON of exactly `bytes` bytes, in credd's field order. */
export function sameSizeBody(bytes) {
  return padded(
    {
      AccessKeyId: 'ASIABENCHBASELINE000',
      SecretAccessKey: 'b'.repeat(40),
      Token: '',
      Expiration: '2099-01-01T00:00:00Z',
      RoleArn: 'arn:aws:iam::222222222222:role/RoleNameIndev',
      AccountId: '222222222222',
    },
    bytes,
  );
}

/** A fake IMDS credential document of exactly `bytes` bytes, pretty-printed as credd and real IMDS print it. */
export function sameSizeImdsBody(bytes) {
  return padded(
    {
      Code: 'Success',
      LastUpdated: '2099-01-01T00:00:00Z',
      Type: 'AWS-HMAC',
      AccessKeyId: 'ASIABENCHBASELINE000',
      SecretAccessKey: 'b'.repeat(40),
      Token: '',
      Expiration: '2099-01-01T00:00:00Z',
    },
    bytes,
    2,
  );
}

/** Starts the bare server (pinned to `core` when `pin`; `nodeArgs` before the script, `env` added); resolves `{ pid, url, stop() }`. */
export async function startBare({ token, body, imdsBody, pin, core, nodeArgs = [], env = {} }) {
  const child = spawnPinned(pin, core, process.execPath, [...nodeArgs, SERVER], {
    env: { ...process.env, ...env, BENCH_TOKEN: token, BENCH_BODY: body, BENCH_IMDS_BODY: imdsBody },
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
