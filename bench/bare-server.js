// The baseline credd is measured against: the least a correct credential endpoint must do.
// A plain node:http server that checks `Authorization` in constant time and answers a
// prebuilt JSON body of the same size as credd's, with `Content-Type: application/json`.
// Run as its own process by bench/run.js: BENCH_TOKEN and BENCH_BODY come from the environment;
// it prints `{"port":N}` on stdout once listening.
import { createServer } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

const expected = Buffer.from(process.env.BENCH_TOKEN ?? '');
const body = Buffer.from(process.env.BENCH_BODY ?? '{}');
const denied = Buffer.from('{"Code":"Unauthorized","Message":"Bad token."}');
if (expected.length === 0) throw new Error('BENCH_TOKEN is required');

const authorized = (header) => {
  if (typeof header !== 'string') return false;
  const presented = Buffer.from(header);
  // timingSafeEqual needs equal lengths; the length of a random token is no secret.
  return presented.length === expected.length && timingSafeEqual(presented, expected);
};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/creds/') && authorized(req.headers.authorization)) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
    return;
  }
  res.writeHead(401, { 'Content-Type': 'application/json', 'Content-Length': denied.length });
  res.end(denied);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
