/**
 * Another local user attacking the endpoint: raw HTTP requests sent by a node process running
 * as `nobody` (setpriv), optionally from one of this host's non-loopback addresses.
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './moto.js';
import { runCommand } from './credd-process.js';

const SCRIPT = `
import net from 'node:net';
const { port, localAddress, requests } = JSON.parse(process.argv[2]);
const one = (raw) => new Promise((resolve) => {
  const s = net.connect({ port, host: '127.0.0.1', localAddress });
  let data = '';
  s.setEncoding('latin1');
  s.on('data', (d) => (data += d));
  s.on('error', (e) => resolve({ status: 0, error: e.code }));
  s.on('close', () => resolve({ status: Number(data.slice(9, 12)) || 0, body: data.slice(data.indexOf('\\r\\n\\r\\n') + 4) }));
  s.on('connect', () => s.write(raw));
  setTimeout(() => s.destroy(), 5000);
});
const out = [];
for (const r of requests) out.push(await one(r));
console.log(JSON.stringify(out));
`;

/** Where `nobody` can run node (the repo's own copy may sit in a directory only root can enter). */
const NODE = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;

/** Whether tests can act as another user here (root with setpriv). */
export const canActAsOtherUser = process.getuid?.() === 0 && hasCommand('setpriv');

/** A non-loopback IPv4 address of this host, to use as a source address; undefined if none. */
export function hostAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

export interface Answer {
  status: number;
  body?: string;
  error?: string;
}

/** Sends each raw request on its own connection as `nobody` (or as ourselves with `asSelf`), and returns the answers. */
export async function attack(port: number, requests: string[], opts: { localAddress?: string; asSelf?: boolean } = {}): Promise<Answer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'credd-attacker-'));
  chmodSync(dir, 0o755);
  const file = join(dir, 'attack.mjs');
  writeFileSync(file, SCRIPT, { mode: 0o644 });
  const arg = JSON.stringify({ port, localAddress: opts.localAddress, requests });
  const cmd = opts.asSelf ? [NODE, file, arg] : ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', NODE, file, arg];
  const r = await runCommand(cmd[0]!, cmd.slice(1), { PATH: process.env.PATH ?? '/usr/bin:/bin' });
  if (r.code !== 0) throw new Error(`attacker failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Answer[];
}

/** A raw GET with the given headers. */
export const rawGet = (path: string, port: number, headers: Record<string, string> = {}, method = 'GET'): string =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}Connection: close\r\n\r\n`;
