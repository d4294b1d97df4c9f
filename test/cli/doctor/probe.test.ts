import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { httpProbe, imdsProbe } from '../../../src/cli/doctor/probe.js';

const TOKEN = 'T'.repeat(43);
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const CREDS = JSON.stringify({
  Code: 'Success',
  Type: 'AWS-HMAC',
  AccessKeyId: 'ASIAEXAMPLE',
  SecretAccessKey: SECRET,
  Token: 'SESSIONTOKEN',
  Expiration: '2030-01-01T13:00:00Z',
});

/** What the fake answers to "METHOD /path": status and body, or 'reset' to drop the connection. */
type Answers = Record<string, [number, string] | 'reset'>;

/** A fake endpoint answering from `answers` (404 otherwise), recording each request. */
async function fake(t: Test, answers: Answers): Promise<{ url: string; seen: Array<{ line: string; headers: IncomingHttpHeaders }> }> {
  const seen: Array<{ line: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    seen.push({ line, headers: req.headers });
    const a = answers[line] ?? [404, 'Not Found'];
    if (a === 'reset') return void req.socket.destroy();
    res.writeHead(a[0], { 'content-type': 'text/plain' }).end(a[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

t.test('httpProbe sends the raw token and keeps only the error or the expiry', async (t) => {
  const ok = await fake(t, { 'GET /creds': [200, CREDS] });
  const r = await httpProbe(`${ok.url}/creds`, TOKEN);
  t.same(r, { url: `${ok.url}/creds`, status: 200, expiration: '2030-01-01T13:00:00Z' });
  t.notMatch(JSON.stringify(r), /ASIA|wJal|SESSIONTOKEN/, 'the credentials are not kept');
  t.equal(ok.seen[0]!.headers.authorization, TOKEN);
  const mfa = await fake(t, { 'GET /creds': [403, '{"Code":"MfaRequired","Message":"run credd mfa"}'] });
  t.same(await httpProbe(`${mfa.url}/creds`, undefined), { url: `${mfa.url}/creds`, status: 403, code: 'MfaRequired', message: 'run credd mfa' });
  t.equal(mfa.seen[0]!.headers.authorization, undefined);
  const html = await fake(t, { 'GET /creds': [502, '<html>\n  <body>bad gateway</body>\n</html>\n'] });
  t.same(
    await httpProbe(`${html.url}/creds`, TOKEN),
    { url: `${html.url}/creds`, status: 502, message: '<html> <body>bad gateway</body> </html>' },
    'text that is not JSON is the message, on one line',
  );
  const odd = await fake(t, { 'GET /creds': [200, '[1]'] });
  t.same(await httpProbe(`${odd.url}/creds`, TOKEN), { url: `${odd.url}/creds`, status: 200 }, 'no Expiration: nothing kept');
  const nullBody = await fake(t, { 'GET /creds': [200, 'null'] });
  t.same(await httpProbe(`${nullBody.url}/creds`, TOKEN), { url: `${nullBody.url}/creds`, status: 200 });
  const empty = await fake(t, { 'GET /creds': [500, ''] });
  t.same(await httpProbe(`${empty.url}/creds`, TOKEN), { url: `${empty.url}/creds`, status: 500 });
  t.match(await httpProbe('http://127.0.0.1:1/creds', TOKEN), { error: 'ECONNREFUSED' });
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.teardown(() => silent.closeAllConnections());
  t.teardown(() => silent.close());
  t.match(await httpProbe(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/creds`, TOKEN, 50), { error: 'no answer within 50 ms' });
});

const PUT = 'PUT /latest/api/token';
const LIST = 'GET /latest/meta-data/iam/security-credentials/';
const DOC = 'GET /latest/meta-data/iam/security-credentials/dev';

t.test('imdsProbe walks IMDSv2 as an SDK does', async (t) => {
  const imds = await fake(t, { [PUT]: [200, 'imds-token'], [LIST]: [200, 'dev\n'], [DOC]: [200, CREDS] });
  const r = await imdsProbe(`${imds.url}/`);
  t.same(r, { url: `${imds.url}/latest/meta-data/iam/security-credentials/dev`, status: 200, expiration: '2030-01-01T13:00:00Z' });
  t.notMatch(JSON.stringify(r), /ASIA|wJal|SESSIONTOKEN/, 'the credentials are not kept');
  t.same(
    imds.seen.map((s) => s.line),
    [PUT, LIST, DOC],
    "the token, the role list, the role: with the base URL's slash dropped",
  );
  t.equal(imds.seen[0]!.headers['x-aws-ec2-metadata-token-ttl-seconds'], '21600');
  t.same(
    imds.seen.slice(1).map((s) => s.headers['x-aws-ec2-metadata-token']),
    ['imds-token', 'imds-token'],
  );
});

t.test('imdsProbe reports the step that failed', async (t) => {
  const off = await fake(t, {});
  t.same(
    await imdsProbe(off.url),
    { url: `${off.url}/latest/api/token`, status: 404, code: 'ImdsOff', message: 'Not Found' },
    'a 404 to the PUT: IMDS is switched off',
  );
  const badPut = await fake(t, { [PUT]: [400, 'X-aws-ec2-metadata-token-ttl-seconds must be a whole number'] });
  t.same(await imdsProbe(badPut.url), {
    url: `${badPut.url}/latest/api/token`,
    status: 400,
    message: 'X-aws-ec2-metadata-token-ttl-seconds must be a whole number',
  });
  const noProfile = await fake(t, { [PUT]: [200, 'tok'] });
  t.same(
    await imdsProbe(noProfile.url),
    { url: `${noProfile.url}/latest/meta-data/iam/security-credentials/`, status: 404, code: 'NoActiveProfile', message: 'Not Found' },
    'no role listed: no active profile',
  );
  const unauthorized = await fake(t, { [PUT]: [200, 'tok'], [LIST]: [401, 'Missing or expired IMDS token'] });
  t.same(await imdsProbe(unauthorized.url), {
    url: `${unauthorized.url}/latest/meta-data/iam/security-credentials/`,
    status: 401,
    message: 'Missing or expired IMDS token',
  });
  const mfa = await fake(t, { [PUT]: [200, 'tok'], [LIST]: [200, 'dev'], [DOC]: [403, 'Profile "dev" needs an MFA session'] });
  t.same(await imdsProbe(mfa.url), {
    url: `${mfa.url}/latest/meta-data/iam/security-credentials/dev`,
    status: 403,
    message: 'Profile "dev" needs an MFA session',
  });
  t.same(await imdsProbe('http://127.0.0.1:1'), { url: 'http://127.0.0.1:1/latest/api/token', error: 'ECONNREFUSED' });
  const dropList = await fake(t, { [PUT]: [200, 'tok'], [LIST]: 'reset' });
  t.same(await imdsProbe(dropList.url), { url: `${dropList.url}/latest/meta-data/iam/security-credentials/`, error: 'ECONNRESET' });
  const dropDoc = await fake(t, { [PUT]: [200, 'tok'], [LIST]: [200, 'dev'], [DOC]: 'reset' });
  t.same(await imdsProbe(dropDoc.url), { url: `${dropDoc.url}/latest/meta-data/iam/security-credentials/dev`, error: 'ECONNRESET' });
});
