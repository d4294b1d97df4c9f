import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createControlClient } from '../../src/cli/control-client.js';
import { CreddError, DaemonNotRunningError } from '../../src/errors.js';

/** A fresh short dir: a Unix socket path must stay under ~104 bytes, which tap's fixture dirs can pass. */
function shortDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'credd-cc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on a Unix socket in a temp dir; `handler` answers, `seen` records. */
async function daemon(t: Test, handler: (req: Seen, res: http.ServerResponse) => void) {
  const socket = join(shortDir(t), 'control.sock');
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { socket, seen };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** The rejection of `p`. */
async function rejection(t: Test, p: Promise<unknown>): Promise<CreddError> {
  try {
    await p;
  } catch (err) {
    t.type(err, CreddError);
    return err as CreddError;
  }
  t.fail('expected a rejection');
  return new CreddError('None', 'none');
}

t.test('GET and POST: JSON in, JSON out', async (t) => {
  const { socket, seen } = await daemon(t, (req, res) => json(res, 200, { echo: req.body === '' ? null : JSON.parse(req.body), path: req.url }));
  const client = createControlClient(socket);
  t.same(await client.get('/status'), { echo: null, path: '/status' });
  t.same(await client.post('/switch', { profile: 'dev' }), { echo: { profile: 'dev' }, path: '/switch' });
  t.same(await client.post('/logout'), { echo: {}, path: '/logout' }, 'a POST without a body sends {}');
  t.same(
    seen.map((s) => [s.method, s.url, s.headers['content-type']]),
    [
      ['GET', '/status', undefined],
      ['POST', '/switch', 'application/json'],
      ['POST', '/logout', 'application/json'],
    ],
  );
  t.equal(seen[1]!.headers['content-length'], String(Buffer.byteLength('{"profile":"dev"}')));
});

t.test('a 2xx answer that is not JSON resolves to {}', async (t) => {
  const { socket } = await daemon(t, (_req, res) => json(res, 200, 'not json'));
  t.same(await createControlClient(socket).get('/profiles'), {});
});

t.test('{Code, Message} errors become CreddErrors with the matching exit code', async (t) => {
  const answers: Record<string, [number, unknown]> = {
    '/mfa?profile=dev': [403, { Code: 'MfaRequired', Message: 'Profile "dev" needs an MFA session: run `credd mfa`.' }],
    '/switch': [400, { Code: 'BadRequest', Message: 'Invalid profile name' }],
    '/status': [503, { Code: 'DaemonNotRunning', Message: 'shutting down' }],
    '/profiles': [500, 'Internal Server Error'],
    '/credentials/a%2Fb': [502, 'null'],
  };
  const { socket } = await daemon(t, (req, res) => json(res, answers[req.url]![0], answers[req.url]![1]));
  const client = createControlClient(socket);
  t.match(await rejection(t, client.get('/mfa', { params: { profile: 'dev' } })), {
    code: 'MfaRequired',
    message: 'Profile "dev" needs an MFA session: run `credd mfa`.',
    status: 403,
    exitCode: 1,
  });
  t.match(await rejection(t, client.post('/switch', { profile: 'dev' })), { code: 'BadRequest', status: 400, exitCode: 2 });
  t.match(await rejection(t, client.get('/status')), { code: 'DaemonNotRunning', exitCode: 3 });
  t.match(await rejection(t, client.get('/profiles')), { code: 'InternalError', message: 'daemon answered 500', status: 500, exitCode: 1 });
  t.match(await rejection(t, client.get('/credentials/:name', { params: { name: 'a/b' } })), {
    code: 'InternalError',
    message: 'daemon answered 502',
    status: 502,
  });
});

t.test('no socket: DaemonNotRunningError, exit 3', async (t) => {
  const e = await rejection(t, createControlClient(join(shortDir(t), 'control.sock')).get('/status'));
  t.type(e, DaemonNotRunningError);
  t.equal(e.exitCode, 3);
  t.equal(e.message, new DaemonNotRunningError().message);
});

t.test('a socket file nobody listens on (a killed daemon): DaemonNotRunningError', async (t) => {
  const dir = shortDir(t);
  const socket = join(dir, 'control.sock');
  writeFileSync(socket, '');
  const e = await rejection(t, createControlClient(socket).post('/stop'));
  t.type(e, DaemonNotRunningError);
  t.equal(e.message, new DaemonNotRunningError().message);
});

t.test('a daemon that hangs up: DaemonNotRunningError naming the socket and the cause', async (t) => {
  const { socket } = await daemon(t, (_req, res) => res.socket!.destroy());
  const e = await rejection(t, createControlClient(socket).get('/status'));
  t.type(e, DaemonNotRunningError);
  t.equal(e.message, `credd did not answer on ${socket} (ECONNRESET): check \`credd status\`.`);
});

t.test('a daemon that dies mid-answer: DaemonNotRunningError, not a hang', async (t) => {
  const { socket } = await daemon(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"partial":');
    setImmediate(() => res.socket!.destroy());
  });
  const e = await rejection(t, createControlClient(socket).get('/status'));
  t.type(e, DaemonNotRunningError);
  t.equal(e.message, `credd closed the connection on ${socket} before answering: check \`credd status\`.`);
});

t.test('timeouts: the client’s, and a per-call one for GET', async (t) => {
  const { socket } = await daemon(t, () => undefined);
  const slow = await rejection(t, createControlClient(socket, 50).get('/status'));
  t.type(slow, DaemonNotRunningError);
  t.equal(slow.message, `credd did not answer on ${socket} (timeout): check \`credd status\`.`);
  const perCall = await rejection(t, createControlClient(socket, 60_000).get('/status', { timeoutMs: 50 }));
  t.match(perCall.message, '(timeout)');
});

t.test('a change carries its deadline; a timed-out change says the daemon will drop it', async (t) => {
  const { socket, seen } = await daemon(t, () => undefined);
  const e = await rejection(t, createControlClient(socket, 1500, () => 10_000).post('/switch', { profile: 'dev' }));
  t.type(e, DaemonNotRunningError);
  t.match(e.message, /^credd did not answer within 1\.5 s \(frozen or busy\)\. It drops this request if it gets to it later/);
  t.equal(seen[0]!.headers['x-credd-deadline'], '10500', 'a second before the client gives up');
  const perCall = await rejection(t, createControlClient(socket, 60_000, () => 0).post('/warm', {}, { timeoutMs: 50 }));
  t.match(perCall.message, /within 0\.05 s/);
});

t.test('verify runs before every call and can refuse it', async (t) => {
  const { socket, seen } = await daemon(t, (_req, res) => res.end('{}'));
  const refuse = () => {
    throw new Error('unsafe runtime directory');
  };
  await t.rejects(createControlClient(socket, 1000, Date.now, refuse).get('/status'), { message: 'unsafe runtime directory' });
  t.equal(seen.length, 0, 'nothing was sent');
});
