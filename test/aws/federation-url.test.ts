import t from 'tap';
import { destinationUrl, loginUrl, logoutThen, signinBase, signinTokenUrl } from '../../src/aws/federation-url.js';

const CREDS = { accessKeyId: 'ASIAX', secretAccessKey: 'se/cr+et=', sessionToken: 'to ken+/=' };

t.test('the partition sign-in host, or CREDD_SIGNIN_URL', async (t) => {
  t.equal(signinBase('aws', undefined).href, 'https://signin.aws.amazon.com/federation');
  t.equal(signinBase('aws', undefined, true).href, 'https://us-east-1.signin.aws.amazon.com/federation', 'logout-then-login works on us-east-1');
  t.equal(signinBase('aws-cn', undefined, true).href, 'https://signin.amazonaws.cn/federation');
  t.equal(signinBase('aws-us-gov', undefined).href, 'https://signin.amazonaws-us-gov.com/federation');
  t.equal(signinBase('aws', 'http://127.0.0.1:8080').href, 'http://127.0.0.1:8080/federation');
  t.equal(signinBase('aws', 'https://signin.example.com/x/federation?y#z').href, 'https://signin.example.com/x/federation');
  t.throws(() => signinBase('aws', 'http://signin.example.com'), { code: 'BadRequest', message: /https/ });
  t.throws(() => signinBase('aws', 'not a url'), { code: 'BadRequest', message: /not a URL/ });
});

t.test('getSigninToken: the three Session fields, percent-encoded; SessionDuration only when given', async (t) => {
  const base = signinBase('aws', undefined);
  const url = signinTokenUrl(base, CREDS);
  t.notMatch(url, /SessionDuration/);
  t.notMatch(url.split('?')[1]!, /[{}" +]/, 'no raw JSON, spaces or plus signs');
  const params = new URL(url).searchParams;
  t.equal(params.get('Action'), 'getSigninToken');
  t.same(JSON.parse(params.get('Session')!), { sessionId: 'ASIAX', sessionKey: 'se/cr+et=', sessionToken: 'to ken+/=' });
  t.equal(new URL(signinTokenUrl(base, CREDS, 43200)).searchParams.get('SessionDuration'), '43200');
});

t.test('login and logout URLs', async (t) => {
  const base = signinBase('aws', undefined);
  const login = loginUrl(base, 'tok+en/=', 'https://console.aws.amazon.com/s3/home?region=eu-west-1');
  const p = new URL(login).searchParams;
  t.same([...p.keys()], ['Action', 'Issuer', 'Destination', 'SigninToken']);
  t.equal(p.get('Issuer'), 'credd');
  t.equal(p.get('Destination'), 'https://console.aws.amazon.com/s3/home?region=eu-west-1');
  t.equal(p.get('SigninToken'), 'tok+en/=');
  const out = new URL(logoutThen(base, login));
  t.equal(out.pathname, '/oauth');
  t.equal(out.searchParams.get('Action'), 'logout');
  t.equal(out.searchParams.get('redirect_uri'), login);
});

t.test('--destination: service, path, URL, default', async (t) => {
  t.equal(destinationUrl('aws', 'eu-west-1'), 'https://console.aws.amazon.com/console/home?region=eu-west-1');
  t.equal(destinationUrl('aws', undefined), 'https://console.aws.amazon.com/console/home');
  t.equal(destinationUrl('aws-cn', 'cn-north-1', 'ec2'), 'https://console.amazonaws.cn/ec2/home?region=cn-north-1');
  t.equal(destinationUrl('aws', undefined, '/s3/buckets'), 'https://console.aws.amazon.com/s3/buckets');
  t.equal(destinationUrl('aws', 'x', 'https://eu-west-1.console.aws.amazon.com/lambda'), 'https://eu-west-1.console.aws.amazon.com/lambda');
  for (const bad of ['//evil.com', 'http://x', 'a b', 'javascript:alert(1)'])
    t.throws(() => destinationUrl('aws', undefined, bad), { code: 'BadRequest' }, bad);
});
