import t from 'tap';
import { fetchGet, requestSigninToken, type HttpGet } from '../../src/aws/federation.js';
import { signinBase, signinTokenUrl } from '../../src/aws/federation-url.js';
import { startSigninEndpoint } from '../helpers/signin-endpoint.js';

const CREDS = { accessKeyId: 'ASIAX', secretAccessKey: 'secret', sessionToken: 'SECRET-TOKEN' };

t.test('against the loopback stand-in, with the real fetch', async (t) => {
  const ep = await startSigninEndpoint();
  t.teardown(() => ep.close());
  const base = signinBase('aws', ep.url);
  const token = await requestSigninToken(fetchGet, signinTokenUrl(base, CREDS));
  t.ok(ep.tokens.has(token));
  t.same(ep.calls[0]!.session, { sessionId: 'ASIAX', sessionKey: 'secret', sessionToken: 'SECRET-TOKEN' });
  const refused = await requestSigninToken(fetchGet, signinTokenUrl(base, CREDS, 60)).catch((e: Error) => e);
  t.match(refused, { code: 'FederationError', message: /refused these credentials/ });
  t.notMatch((refused as Error).message, /SECRET|127\.0\.0\.1/, 'neither the URL nor the credentials in the message');
});

t.test('failures are one line without the URL', async (t) => {
  const url = 'https://signin.aws.amazon.com/federation?Session=SECRET';
  const cases: Array<[HttpGet, RegExp]> = [
    [async () => ({ status: 500, body: 'SECRET' }), /HTTP 500/],
    [async () => ({ status: 200, body: 'not json' }), /without a SigninToken/],
    [async () => ({ status: 200, body: '{"SigninToken":""}' }), /without a SigninToken/],
    [async () => Promise.reject(Object.assign(new Error('x'), { cause: { code: 'ECONNREFUSED' } })), /could not be reached \(ECONNREFUSED\)/],
    [async () => Promise.reject(Object.assign(new Error('t'), { name: 'TimeoutError' })), /no answer within 10 s/],
    [async () => Promise.reject(new Error('odd')), /network error/],
  ];
  for (const [get, message] of cases) {
    const err = await requestSigninToken(get, url).catch((e: Error) => e);
    t.match(err, { code: 'FederationError', message });
    t.notMatch((err as Error).message, /SECRET/);
  }
  const down = await requestSigninToken(fetchGet, 'http://127.0.0.1:1/federation', 2000).catch((e: Error) => e);
  t.match(down, { code: 'FederationError', message: /could not be reached/ });
});
