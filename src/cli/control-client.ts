import { type ControlGet, type ControlPost, controlPath, DEADLINE_HEADER, type GetArgs, type PostArgs } from '../control/contract.js';
import { DaemonNotRunningError, fromWire, type CreddError } from '../errors.js';

// Not `import … from 'node:http'`: on Node 22 an ESM import of node:http builds its whole namespace, which
// loads undici, zlib, tls and http2 (about 100 ms of CPU per CLI call, `credd eks-token` on every kubectl call).
const { request } = process.getBuiltinModule('node:http');

/** Talks HTTP+JSON to the daemon over its Unix socket, typed by the control contract. */
export interface ControlClient {
  /** `timeoutMs` overrides the client's timeout for this call (`credd prompt` must not hang a shell). */
  get<P extends keyof ControlGet>(path: P, ...args: GetArgs<P>): Promise<ControlGet[P]['response']>;
  post<P extends keyof ControlPost>(path: P, ...args: PostArgs<P>): Promise<ControlPost[P]['response']>;
}

/**
 * Creates the client; `verify` runs before every call and throws to refuse it. A missing or refusing socket becomes DaemonNotRunningError;
 * a `{Code, Message}` answer becomes the matching CreddError.
 */
export function createControlClient(socketPath: string, timeoutMs = 30000, now: () => number = Date.now, verify: () => void = () => undefined): ControlClient {
  const call = <T>(method: string, path: string, body?: unknown, timeout = timeoutMs): Promise<T> =>
    new Promise((resolve, reject) => {
      // Before trusting the socket: its directory must be this user's alone (see runtime-dir.ts).
      verify();
      const data = body === undefined ? undefined : JSON.stringify(body);
      // A change the daemon gets to only after we gave up is dropped, not applied behind the user's back.
      const headers: Record<string, string | number> = method === 'POST' ? { [DEADLINE_HEADER]: now() + Math.max(0, timeout - 1000) } : {};
      if (data) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
      const req = request({ socketPath, path, method, headers, timeout }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            parsed = {};
          }
          const status = res.statusCode!;
          if (status >= 400) reject(fromWire(parsed, status) satisfies CreddError);
          else resolve(parsed as T);
        });
        // A daemon that dies mid-answer: without this the promise never settles and the CLI exits 0, silently.
        res.on('close', () => {
          if (!res.complete) reject(new DaemonNotRunningError(`credd closed the connection on ${socketPath} before answering: check \`credd status\`.`));
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { timedOut: true })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new DaemonNotRunningError());
        else if ((err as { timedOut?: boolean }).timedOut && method === 'POST') {
          reject(
            new DaemonNotRunningError(
              `credd did not answer within ${timeout / 1000} s (frozen or busy). It drops this request if it gets to it later, so it changed nothing unless it was already under way: check with \`credd status\`.`,
            ),
          );
        } else reject(new DaemonNotRunningError(`credd did not answer on ${socketPath} (${err.code ?? err.message}): check \`credd status\`.`));
      });
      req.end(data);
    });
  return {
    get: (path, ...[opts]) => {
      const o = opts as { params?: Record<string, string | undefined>; timeoutMs?: number } | undefined;
      return call('GET', controlPath(path, o?.params), undefined, o?.timeoutMs);
    },
    post: (path, ...[body, opts]) => call('POST', path, body ?? {}, opts?.timeoutMs),
  };
}
