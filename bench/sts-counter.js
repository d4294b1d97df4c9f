// A counting proxy in front of moto_server's STS (the idea of test/helpers/sts-proxy.ts, in plain
// JS and without its fault modes): every STS request is recorded, then forwarded unchanged.
// It runs as its own process so that the bench's own event loop (1,000 client sockets in the
// cold burst, spawnSync of CLIs) never delays an STS answer.
// Input: BENCH_UPSTREAM (moto's URL). Output: `{"port":N}` on stdout once listening.
// `GET /__bench/calls` answers the calls so far: `[{ "action", "roleArn"?, "tokenCode"?, "at" }]`
// (`at`: ms since the proxy started), which the bench diffs around each scenario.
import http from 'node:http';

const upstream = new URL(process.env.BENCH_UPSTREAM ?? '');
const started = performance.now();
const calls = [];
// moto closes each connection anyway; keep-alive would buy nothing.
const agent = new http.Agent({ keepAlive: false });

const readBody = (stream) => new Promise((resolve, reject) => {
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  stream.on('end', () => resolve(Buffer.concat(chunks)));
  stream.on('error', reject);
});

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/__bench/calls') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(calls));
    return;
  }
  try {
    const body = await readBody(req);
    // The STS Query API: form parameters in the body (SDKs, botocore) or in the query string.
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
    const call = { action: params.get('Action') ?? '', at: Math.round(performance.now() - started) };
    if (params.has('RoleArn')) call.roleArn = params.get('RoleArn');
    if (params.has('TokenCode')) call.tokenCode = params.get('TokenCode');
    calls.push(call);
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    delete headers.connection;
    const up = http.request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, async (upRes) => {
      const answer = await readBody(upRes);
      const out = { ...upRes.headers, 'content-length': String(answer.length) };
      delete out['transfer-encoding'];
      delete out.connection;
      res.writeHead(upRes.statusCode ?? 502, out).end(answer);
    });
    up.on('error', (err) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`sts-counter: ${err.message}\n`));
    up.end(body);
  } catch {
    res.destroy();
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
