// Servers that differ from the bare baseline by one layer at a time, to attribute credd's
// hot-path cost (bench/variants.js drives them). Same contract as bare-server.js:
// BENCH_TOKEN/BENCH_BODY from the environment, `{"port":N}` on stdout.
//   node bench/variant-server.js VARIANT | --list
import { createServer } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { pino } from 'pino';
import { buildCredsServer } from '../dist/http/build-creds-server.js';

const variant = process.argv[2];
const token = process.env.BENCH_TOKEN ?? '';
const bodyText = process.env.BENCH_BODY ?? '{}';
const body = Buffer.from(bodyText);
const expected = Buffer.from(token);
// credd's token compare before the fast path: both sides hashed with SHA-256 on every request.
const sha256Match = (h) => typeof h === 'string' && timingSafeEqual(createHash('sha256').update(h).digest(), createHash('sha256').update(token).digest());
const plainMatch = (h) => typeof h === 'string' && Buffer.byteLength(h) === expected.length && timingSafeEqual(Buffer.from(h), expected);
const served = { profile: 'dev', body: bodyText, credentials: {}, obtainedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER };

const httpServer = (match, payload) => createServer((req, res) => {
  if (!match(req.headers.authorization)) {
    res.writeHead(401).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
});

const fastify = ({ hook, match, asyncHandler }) => {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 200 }, bodyLimit: 1024 });
  const auth = async (req) => {
    if (!match(req.headers.authorization)) throw Object.assign(new Error('no'), { statusCode: 401 });
  };
  const opts = hook ? { onRequest: auth } : {};
  if (asyncHandler) app.get('/creds/:name', opts, async (_req, reply) => reply.type('application/json').send(await Promise.resolve(served).then((s) => s.body)));
  else app.get('/creds/:name', opts, (req, reply) => {
    if (!hook && !match(req.headers.authorization)) return reply.code(401).send();
    reply.type('application/json').send(served.body);
  });
  return app;
};

const VARIANTS = {
  // node:http, constant-time compare, prebuilt Buffer: the bench's baseline.
  'http-buffer': () => httpServer(plainMatch, body),
  // ... with a string body (what fastify gets from credd's prebuilt body).
  'http-string': () => httpServer(plainMatch, bodyText),
  // ... with credd's former token compare (two SHA-256 per request).
  'http-sha256': () => httpServer(sha256Match, body),
  // fastify, one sync route, auth inline, no hooks.
  'fastify-sync': () => fastify({ hook: false, match: plainMatch }),
  // fastify with an async onRequest hook (plain compare) and a sync handler.
  'fastify-hook': () => fastify({ hook: true, match: plainMatch }),
  // fastify with an async onRequest hook and an async handler awaiting a promise: credd's shape.
  'fastify-hook-async': () => fastify({ hook: true, match: plainMatch, asyncHandler: true }),
  // ... plus the former SHA-256 compare: everything credd's route did except its own code.
  'fastify-hook-async-sha256': () => fastify({ hook: true, match: sha256Match, asyncHandler: true }),
  // credd's real buildCredsServer (dist/) over a source that answers from memory but has no
  // cachedBody, so every request goes through fastify: guards (URL, Host, headers, token, peer
  // UID via /proc/net/tcp), routes, error handler.
  'credd-server': () => buildCredsServer(creddOptions()),
  // ... with the peer-UID check answering "allowed" at once (what the /proc lookup costs).
  'credd-server-no-peer': () => buildCredsServer({ ...creddOptions(), peer: allowAllPeers }),
  // credd's buildCredsServer with its fast path: the source also has cachedBody (as the core
  // does), and the real /proc peer check, known after each connection's first request.
  'credd-fastpath': () => buildCredsServer(creddOptions({ fast: true })),
  // The sketch that preceded credd's fast path (kept for comparison), not credd's code: a plain
  // node:http listener answers GET /creds/NAME when every check passes synchronously (Host by
  // string compare, token by length + timingSafeEqual, the connection's peer verdict already
  // known) and the body is cached; anything else falls through to credd's fastify app.
  'fastpath-sketch': () => fastPathSketch(),
};

/** The guard's Origin / Sec-Fetch-* / forwarding refusal, over the raw header names. */
function noBrowserOrProxyHeaders(raw) {
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i].toLowerCase();
    if (n === 'origin' || n.startsWith('sec-fetch-') || n === 'x-forwarded-for' || n === 'forwarded') return false;
  }
  return true;
}

function fastPathSketch() {
  let fallback;
  let host;
  const judged = new WeakSet(); // sockets whose peer check has passed
  const server = createServer((req, res) => {
    host ??= `127.0.0.1:${server.address().port}`;
    const url = req.url;
    if (req.method === 'GET' && url.startsWith('/creds/') && req.headers.host === host && judged.has(req.socket) &&
        noBrowserOrProxyHeaders(req.rawHeaders) && plainMatch(req.headers.authorization) &&
        /^\/creds\/[A-Za-z0-9_+=,.@-]{1,128}$/.test(url) && !url.includes('..')) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(served.body) });
      res.end(served.body);
      return;
    }
    fallback(req, res);
  });
  const peer = {
    status: () => ({ enabled: true, detail: 'bench' }),
    watch: (socket) => judged.add(socket), // stands in for a passed /proc lookup
    verdict: () => allowed,
    known: () => ({ allowed: true }),
  };
  const app = Fastify({ serverFactory: (handler) => ((fallback = handler), server) });
  const inner = buildCredsServer({ ...creddOptions(), peer });
  server.on('connection', (socket) => peer.watch(socket));
  app.all('/*', (req, reply) => inner.inject({ method: req.method, url: req.url, headers: req.headers }).then((r) => reply.code(r.statusCode).headers(r.headers).send(r.body)));
  return app;
}

// The source a daemon's core would be; only what GET /creds/NAME reads does anything.
function creddOptions({ fast = false } = {}) {
  const source = {
    credentials: async () => served,
    ...(fast ? { cachedBody: () => served.body } : {}),
    activeProfile: () => 'dev',
    region: () => 'us-west-2',
    plan: () => ({ roles: [{ roleArn: 'arn:aws:iam::222222222222:role/RoleNameIndev' }] }),
  };
  return { source, token, log: pino({ level: 'silent' }), now: () => Date.now() };
}
const allowed = Promise.resolve({ allowed: true });
const allowAllPeers = { status: () => ({ enabled: false, detail: 'bench' }), watch: () => {}, verdict: () => allowed, known: () => undefined };

if (variant === '--list') {
  process.stdout.write(Object.keys(VARIANTS).join('\n') + '\n');
  process.exit(0);
}
const make = VARIANTS[variant];
if (!make) throw new Error(`unknown variant "${variant}"; one of ${Object.keys(VARIANTS).join(', ')}`);
const server = make();
const print = (port) => process.stdout.write(JSON.stringify({ port }) + '\n');
if (typeof server.listen === 'function' && server.server) await server.listen({ host: '127.0.0.1', port: 0 }).then(() => print(server.server.address().port));
else server.listen(0, '127.0.0.1', () => print(server.address().port));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
