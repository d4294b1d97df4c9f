import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OidcError } from '../../errors.js';

/** The loopback listener that takes the browser back after sign-in. */
export interface LoopbackCallback {
  /** `http://127.0.0.1:PORT/oauth/callback`, the only redirect form AWS accepts. */
  redirectUri: string;
  /** Resolves with the code once the browser arrives with the right state; rejects on an OAuth error. */
  code: Promise<string>;
  close(): void;
}

const PAGE = (text: string) => `<!doctype html><meta charset="utf-8"><title>credd</title><p>${text}</p>\n`;

/**
 * Listens on 127.0.0.1 (an ephemeral port) for `GET /oauth/callback?code=…&state=…`. Requests with
 * another path or state are answered 400 and ignored, so a stray page cannot end the sign-in.
 */
export async function listenForCallback(state: string, timeoutMs: number): Promise<LoopbackCallback> {
  let settle!: { resolve(code: string): void; reject(err: Error): void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ok = req.method === 'GET' && url.pathname === '/oauth/callback' && url.searchParams.get('state') === state;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    if (!ok) {
      res.writeHead(400).end(PAGE('This is not the sign-in credd is waiting for.'));
      return;
    }
    const error = url.searchParams.get('error');
    const got = url.searchParams.get('code');
    if (error || !got) {
      res.writeHead(400).end(PAGE('Sign-in failed; see the terminal.'));
      settle.reject(new OidcError(error ?? 'invalid_request', `The sign-in was refused in the browser: ${error ?? 'no code'}.`));
      return;
    }
    res.writeHead(200).end(PAGE('Signed in: you can close this tab and go back to the terminal.'));
    settle.resolve(got);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const timer = setTimeout(
    () => settle.reject(new OidcError('expired_token', 'Nobody signed in within the time allowed: run `credd login` again.')),
    timeoutMs,
  );
  timer.unref();
  const close = () => {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections?.();
  };
  void code.then(close, close);
  const { port } = server.address() as AddressInfo;
  return { redirectUri: `http://127.0.0.1:${port}/oauth/callback`, code, close };
}
