/**
 * Shared fakes for the credential-endpoint tests: a credential source with three profiles,
 * a settable clock, a peer check with a chosen verdict and a logger whose output is kept.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { MfaRequiredError, NoActiveProfileError, UnknownProfileError } from '../../src/errors.js';
import { imdsDocument, toServed, type Served } from '../../src/engine/served.js';
import { buildCredsServer, type CredsServerOptions } from '../../src/http/build-creds-server.js';
import type { CredsSource } from '../../src/http/creds-source.js';
import type { PeerCheck, PeerVerdict } from '../../src/http/peer-check.js';
import { createLogger, type Logger } from '../../src/log.js';

export const NOW = Date.parse('2026-03-01T12:00:00.250Z');
export const PORT = 9911;
export const HOST = `127.0.0.1:${PORT}`;
export const TOKEN = `tok_${'A'.repeat(40)}`;
export const SECRET = 'SECRETKEYfake0123456789';
export const SESSION = 'SESSIONTOKENfake0123456789';

interface FakeProfile {
  roleArn?: string;
  mfaSerial?: string;
  region?: string;
  accountId?: string;
  error?: Error;
}

/** dev and prod are roles (accounts from their ARNs); plain has neither role nor MFA device. */
export const PROFILES: Record<string, FakeProfile> = {
  dev: { roleArn: 'arn:aws:iam::222222222222:role/Dev', mfaSerial: 'arn:aws:iam::111111111111:mfa/u', region: 'us-west-2' },
  prod: { roleArn: 'arn:aws:iam::555555555555:role/Prod', mfaSerial: 'arn:aws:iam::111111111111:mfa/u', region: 'eu-west-1' },
  plain: { accountId: '999999999999' },
  locked: { roleArn: 'arn:aws-cn:iam::333333333333:role/L', region: 'cn-north-1', error: new MfaRequiredError('locked') },
};

export type FakeSource = CredsSource & {
  active: string | undefined;
  calls: Array<string | undefined>;
  /** Whether `cachedBody` answers (cached and fresh) or not (default true). */
  fresh: boolean;
  /** The names `cachedBody` served (`imds:NAME` for the IMDS document). */
  fastCalls: Array<string | undefined>;
};

export function fakeSource(active: string | undefined): FakeSource {
  const served = (name?: string): Served => {
    const n = name ?? src.active;
    if (!n) throw new NoActiveProfileError();
    const p = PROFILES[n];
    if (!p) throw new UnknownProfileError(n);
    if (p.error) throw p.error;
    const creds = { accessKeyId: `ASIA${n.toUpperCase()}`, secretAccessKey: SECRET, sessionToken: SESSION, expiration: new Date(NOW + 3600_000 + 999) };
    const extra: { roleArn?: string; accountId?: string } = {};
    if (p.roleArn) extra.roleArn = p.roleArn;
    if (p.accountId) extra.accountId = p.accountId;
    return toServed(n, creds, NOW - 60_000 + 500, extra);
  };
  const src: FakeSource = {
    active,
    calls: [],
    fresh: true,
    fastCalls: [],
    async credentials(name?: string): Promise<Served> {
      src.calls.push(name);
      return served(name);
    },
    cachedBody(name?: string, kind: 'container' | 'imds' = 'container'): string | undefined {
      if (!src.fresh) return undefined;
      try {
        if (kind === 'imds') {
          if (name !== src.active) return undefined;
          src.fastCalls.push(`imds:${name}`);
          return imdsDocument(served(name));
        }
        const body = served(name).body;
        src.fastCalls.push(name);
        return body;
      } catch {
        return undefined;
      }
    },
    activeProfile: () => src.active,
    region: (name?: string) => PROFILES[name ?? src.active ?? '']?.region,
    plan(name: string) {
      const p = PROFILES[name];
      if (!p) throw new UnknownProfileError(name);
      return { roles: p.roleArn ? [{ roleArn: p.roleArn }] : [], mfaSerial: p.mfaSerial };
    },
  };
  return src;
}

/** A peer check that always gives `verdict`, counting the lookups; `known` says whether it is known before any lookup. */
export function fixedPeer(verdict: PeerVerdict = { allowed: true }, opts: { known?: boolean } = {}): PeerCheck & { lookups: number } {
  const peer = {
    lookups: 0,
    status: () => ({ enabled: true, detail: 'fake' }),
    watch: () => undefined,
    known: () => (opts.known ? verdict : undefined),
    verdict: async () => {
      peer.lookups++;
      return verdict;
    },
  };
  return peer;
}

/** A logger whose JSON lines are kept for inspection. */
export function memoryLog(): { log: Logger; text(): string; entries(): Array<Record<string, unknown>> } {
  let out = '';
  const destination = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination: destination as never });
  return {
    log,
    text: () => out,
    entries: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface TestServer {
  app: FastifyInstance;
  source: FakeSource;
  clock: { now: number };
  logs: ReturnType<typeof memoryLog>;
  peer: ReturnType<typeof fixedPeer>;
}

/** A server with the fakes above; `over` replaces any option. */
export function testServer(over: Partial<CredsServerOptions> & { active?: string | undefined } = {}): TestServer {
  const source = fakeSource('active' in over ? over.active : 'dev');
  const clock = { now: NOW };
  const logs = memoryLog();
  const peer = fixedPeer();
  const app = buildCredsServer({ source, token: TOKEN, log: logs.log, now: () => clock.now, port: PORT, peer, ...over });
  return { app, source, clock, logs, peer };
}
