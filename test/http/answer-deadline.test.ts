/**
 * No answer waits on STS past the deadline (the JS SDK gives up after 1 s): a slow STS gets a
 * prompt 503 while the fetch goes on, and the client's retry is answered from the cache.
 */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import t from 'tap';
import { AnswerDeadlineError } from '../../src/errors.js';
import { DEFAULT_ANSWER_WITHIN_MS, withDeadline } from '../../src/http/answer-deadline.js';
import type { CredsSource } from '../../src/http/creds-source.js';
import { harness } from '../engine/harness.js';
import { flush } from '../engine/fakes.js';
import { HOST, TOKEN, testServer } from './fixtures.js';

const late = () => new AnswerDeadlineError('late');
const never = new Promise<string>(() => undefined);
const gate = () => {
  let open!: () => void;
  const hold = new Promise<void>((r) => (open = r));
  return { hold, open };
};

t.test('the default stays under the JS SDK timeout of 1 s', async (t) => {
  t.ok(DEFAULT_ANSWER_WITHIN_MS < 1000);
});

t.test('withDeadline: the work wins, or the deadline does', async (t) => {
  t.equal(await withDeadline(Promise.resolve('v'), 20, late), 'v');
  await t.rejects(withDeadline(Promise.reject(new Error('boom')), 20, late), { message: 'boom' }, "an early failure is the work's own");
  await t.rejects(withDeadline(never, 5, late), { code: 'RequestTimeout', status: 503, message: 'late' }, 'a code the Go SDK v2 retries');
});

t.test('withDeadline: a failure after the deadline is not an unhandled rejection', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => void process.off('unhandledRejection', onUnhandled));
  let fail!: (err: Error) => void;
  const work = new Promise<string>((_, reject) => (fail = reject));
  await t.rejects(withDeadline(work, 5, late), { code: 'RequestTimeout' });
  fail(new Error('too late'));
  await new Promise((r) => setTimeout(r, 10));
  t.same(unhandled, []);
});

t.test('the endpoint answers 503 RequestTimeout when the source is slow; the retry gets the result', async (t) => {
  const { app, source } = testServer({ answerWithinMs: 30 });
  source.fresh = false;
  const { hold, open } = gate();
  const inner = source.credentials.bind(source);
  source.credentials = async (name) => {
    await hold;
    return inner(name);
  };
  const first = await app.inject({ url: '/creds/prod', headers: { host: HOST, authorization: TOKEN } });
  t.equal(first.statusCode, 503, 'transient, so the SDKs retry');
  t.equal(first.headers['content-type'], 'application/json; charset=utf-8');
  t.equal(first.json().Code, 'RequestTimeout', 'in DefaultRetryableErrorCodes of the Go SDK v2');
  t.match(first.json().Message, /not answered within 0\.03 s.*keeps trying in the background.*Retry/);
  open();
  const retry = await app.inject({ url: '/creds/prod', headers: { host: HOST, authorization: TOKEN } });
  t.equal(retry.statusCode, 200);
  t.equal(retry.json().AccessKeyId, 'ASIAPROD');
});

t.test('the IMDS credential GET is bounded the same way', async (t) => {
  const { app, source } = testServer({ answerWithinMs: 30 });
  source.credentials = () => never as never;
  const put = await app.inject({ method: 'PUT', url: '/latest/api/token', headers: { host: HOST, 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
  const res = await app.inject({ url: '/latest/meta-data/iam/security-credentials/dev', headers: { host: HOST, 'x-aws-ec2-metadata-token': put.body } });
  t.equal(res.statusCode, 503);
  t.match(res.body, /STS has not answered within 0\.03 s/, 'IMDS errors are plain text, as on EC2');
});

t.test('with the real engine and a slow fake STS: one AssumeRole, a prompt 503, then the cache', async (t) => {
  const h = harness();
  await h.mfa();
  const { hold, open } = gate();
  h.sts.hold = hold;
  const source: CredsSource = {
    credentials: (name) => h.engine.get(name ?? 'dev'),
    activeProfile: () => 'dev',
    region: () => undefined,
    plan: (name) => h.plan(name),
  };
  const { app } = testServer({ source, answerWithinMs: 30 });
  const headers = { host: HOST, authorization: TOKEN };
  const [a, b] = await Promise.all([app.inject({ url: '/creds/staging', headers }), app.inject({ url: '/creds/staging', headers })]);
  t.same([a.statusCode, b.statusCode], [503, 503], 'neither waits on the held STS call');
  t.equal(h.sts.count('AssumeRole'), 1, 'one call in flight for both');
  h.sts.hold = undefined;
  open();
  await h.engine.idle();
  await flush();
  const retry = await app.inject({ url: '/creds/staging', headers });
  t.equal(retry.statusCode, 200, 'the retry is answered from what the slow call brought');
  t.match(retry.json().RoleArn, /444444444444/);
  t.equal(h.sts.count('AssumeRole'), 1, 'without another call');
});

t.test("while the server closes, a request gets a 503 in the endpoint's own {Code, Message} form", async (t) => {
  const { app, source } = testServer({ port: undefined });
  source.fresh = false;
  const { hold, open } = gate();
  const inner = source.credentials.bind(source);
  let asked = false;
  source.credentials = async (name) => {
    asked = true;
    await hold;
    return inner(name);
  };
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const ended = new Promise((r) => socket.on('close', r));
  const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${TOKEN}\r\n\r\n`;
  socket.write(request('/creds'));
  while (!asked) await new Promise((r) => setTimeout(r, 5));
  const closed = app.close();
  // Once the listener is gone the server is closing; the connection stays, busy with the first request.
  while (app.server.listening) await new Promise((r) => setTimeout(r, 5));
  let seen = 0;
  app.server.on('request', () => void seen++);
  socket.write(request('/creds/prod'));
  // node dispatches a request on a busy connection at once; its answer waits behind the first.
  while (seen === 0) await new Promise((r) => setTimeout(r, 5));
  open();
  await ended;
  await closed;
  const answers = text.split(/(?=HTTP\/1\.1 )/);
  t.equal(answers.length, 2, 'both answered');
  t.match(answers[0], /^HTTP\/1\.1 200 /, 'the request in flight is still answered');
  t.match(answers[1], /^HTTP\/1\.1 503 /, 'then a 503: transient, the SDKs retry, and the daemon comes back');
  t.match(answers[1], /connection: close/i);
  t.same(JSON.parse(answers[1]!.slice(answers[1]!.indexOf('\r\n\r\n') + 4)), {
    Code: 'ShuttingDown',
    Message: 'credd is stopping; retry in a moment (it restarts at login, or run credd start).',
  });
});
