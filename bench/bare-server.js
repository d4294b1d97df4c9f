// The baseline credd is measured against: the least a correct credential endpoint must do.
// A plain node:http server, run as its own process by bench/run.js, with two routes:
// - `GET /creds` and `GET /creds/NAME`: checks `Authorization` in constant time and answers a
//   prebuilt JSON body of the same size as credd's, `Content-Type: application/json`;
// - the IMDSv2 credential flow: `PUT /latest/api/token` issues a random token with its TTL, and
//   `GET /latest/meta-data/iam/security-credentials/NAME` checks `X-aws-ec2-metadata-token`
//   (issued here and not expired) and answers a prebuilt document of the same size as credd's,
//   `text/plain` as real IMDS does.
// BENCH_TOKEN, BENCH_BODY and BENCH_IMDS_BODY come from the environment; it prints
// `{"port":N}` on stdout once listening.
import { createHook } from 'node:async_hooks';
import { createServer } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';

// The same workaround credd applies at start-up (src/daemon/tick-shape.ts): keep one process.nextTick queue
// entry alive, so an idle GC cannot free its shapes and leave nextTick megamorphic for good
// (some 2 µs per request on node 20, 22 and 24). Without it the baseline would be slower than the runtime
// allows whenever it idled before its load, and credd would look better than it is.
let pinnedTick;
const hook = createHook({
  init(_id, _type, _trigger, resource) {
    pinnedTick = resource;
  },
}).enable();
process.nextTick(() => undefined);
hook.disable();

const expected = Buffer.from(process.env.BENCH_TOKEN ?? '');
const body = Buffer.from(process.env.BENCH_BODY ?? '{}');
const imdsBody = Buffer.from(process.env.BENCH_IMDS_BODY ?? '{}');
const denied = Buffer.from('{"Code":"Unauthorized","Message":"Bad token."}');
if (expected.length === 0) throw new Error('BENCH_TOKEN is required');
const IMDS_CREDS = '/latest/meta-data/iam/security-credentials/';

const authorized = (header) => {
  if (typeof header !== 'string') return false;
  const presented = Buffer.from(header);
  // timingSafeEqual needs equal lengths; the length of a random token is no secret.
  return presented.length === expected.length && timingSafeEqual(presented, expected);
};

// IMDS tokens: a Map lookup plus an expiry check is the least a correct server does (credd also
// keeps them hashed, so a heap dump holds nothing replayable: that SHA-256 is credd's own cost).
const imdsTokens = new Map();
const imdsAuthorized = (header) => {
  const expiry = typeof header === 'string' ? imdsTokens.get(header) : undefined;
  return expiry !== undefined && expiry > Date.now();
};

const send = (res, status, type, payload) => {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': payload.length });
  res.end(payload);
};

const server = createServer((req, res) => {
  const url = req.url;
  if (req.method === 'GET' && (url === '/creds' || url.startsWith('/creds/')) && authorized(req.headers.authorization)) {
    return send(res, 200, 'application/json', body);
  }
  if (req.method === 'PUT' && url === '/latest/api/token') {
    const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
    const token = randomBytes(32).toString('base64url');
    imdsTokens.set(token, Date.now() + ttl * 1000);
    return send(res, 200, 'text/plain; charset=utf-8', Buffer.from(token));
  }
  if (req.method === 'GET' && url.startsWith(IMDS_CREDS) && imdsAuthorized(req.headers['x-aws-ec2-metadata-token'])) {
    return send(res, 200, 'text/plain; charset=utf-8', imdsBody);
  }
  send(res, 401, 'application/json', denied);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port, pinnedTick: pinnedTick !== undefined })}\n`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
