/** A real endpoint on loopback and a raw keep-alive client, for tests that need real sockets (the fast path). */
import net, { type AddressInfo } from 'node:net';
import type { Test } from 'tap';
import type { AdmissionPolicy } from '../../src/http/admission.js';
import { buildCredsServer, type CredsServerOptions } from '../../src/http/build-creds-server.js';
import { createHostCheck } from '../../src/http/host-check.js';
import type { ImdsTokens } from '../../src/http/imds-tokens.js';
import type { PeerCheck, PeerVerdict } from '../../src/http/peer-check.js';
import { createTokenMatcher } from '../../src/state/token.js';
import { NOW, TOKEN, fakeSource, memoryLog } from './fixtures.js';

/** The policy build-creds-server builds, for port 9911 and the fixtures' token. */
export function policyFor(over: { allowNoToken?: boolean; imdsTokens?: ImdsTokens; active?: string } = {}): AdmissionPolicy {
  return {
    tokenOk: createTokenMatcher(TOKEN),
    allowNoToken: over.allowNoToken ?? false,
    imdsTokens: over.imdsTokens,
    hosts: createHostCheck({ port: () => 9911 }),
    activeProfile: () => over.active ?? 'dev',
    maxUrlLength: 1024,
    maxHeaders: 100,
  };
}

/** A peer check that, like the real one, knows a connection's verdict once it was looked up. */
export function learningPeer(verdict: PeerVerdict = { allowed: true }): PeerCheck & { lookups: number } {
  const judged = new WeakSet<object>();
  const peer = {
    lookups: 0,
    status: () => ({ enabled: true, detail: 'fake' }),
    watch: () => undefined,
    known: (s: object) => (judged.has(s) ? verdict : undefined),
    verdict: async (s: object) => {
      peer.lookups++;
      judged.add(s);
      return verdict;
    },
  };
  return peer;
}

export async function listen(t: Test, over: Partial<CredsServerOptions> = {}) {
  const logs = memoryLog();
  const source = fakeSource('dev');
  const peer = learningPeer();
  const app = buildCredsServer({ source, token: TOKEN, log: logs.log, now: () => NOW, peer, ...over });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const port = (app.server.address() as AddressInfo).port;
  return { app, port, logs, source, peer, host: `127.0.0.1:${port}` };
}

export interface Answer {
  status: number;
  /** The whole response as sent, less its Date line. */
  bytes: string;
}

/** One keep-alive connection; each `send` writes a raw request and reads one whole response. */
export async function connection(t: Test, port: number) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  t.teardown(() => sock.destroy());
  let buffered = '';
  let waiting: (() => void) | undefined;
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => {
    buffered += d;
    waiting?.();
  });
  const complete = (): string | undefined => {
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
    const head = /^HEAD /.test(last) ? 0 : length;
    if (buffered.length < end + 4 + head) return undefined;
    const out = buffered.slice(0, end + 4 + head);
    buffered = buffered.slice(end + 4 + head);
    return out;
  };
  let last = '';
  let closed = false;
  const onClose = new Promise<void>((r) => sock.once('close', () => ((closed = true), r())));
  return {
    /** Whether the server closed the connection within `ms`. */
    async closedWithin(ms: number): Promise<boolean> {
      await Promise.race([onClose, new Promise((r) => setTimeout(r, ms))]);
      return closed;
    },
    async send(method: string, path: string, headers: Record<string, string>): Promise<Answer> {
      last = `${method} `;
      sock.write(
        `${method} ${path} HTTP/1.1\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}\r\n`,
      );
      let out = complete();
      while (out === undefined) {
        if (closed) throw new Error('connection closed before an answer');
        await new Promise<void>((r) => (waiting = r));
        out = complete();
      }
      return { status: Number(out.slice(9, 12)), bytes: out.replace(/\r\nDate: [^\r]*/, '') };
    },
  };
}
