import t from 'tap';
import { createLogger, REDACT_PATHS } from '../src/log.js';

/** A logger writing into an array of parsed JSON lines. */
function capture(level?: string) {
  const lines: Array<Record<string, any>> = [];
  const log = createLogger({ level, destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  return { log, lines };
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

t.test('secrets come out [redacted], at the top level and one level down', async (t) => {
  const { log, lines } = capture();
  log.info(
    {
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: SECRET,
      sessionToken: 'FwoGZXIvYXdzEXAMPLE',
      token: 'tok-secret',
      code: '123456',
      tokenCode: '654321',
      SecretAccessKey: SECRET,
      Token: 'FwoG-upper',
      credentials: { anything: SECRET },
      creds: {
        secretAccessKey: SECRET,
        sessionToken: 's',
        token: 't',
        code: '111111',
        tokenCode: '222222',
        accessKeyId: 'A',
        SecretAccessKey: SECRET,
        Token: 'T',
        credentials: {},
      },
    },
    'hello',
  );
  const [l] = lines;
  t.equal(l!.msg, 'hello');
  for (const k of ['accessKeyId', 'secretAccessKey', 'sessionToken', 'token', 'code', 'tokenCode', 'SecretAccessKey', 'Token', 'credentials']) {
    t.equal(l![k], '[redacted]', k);
    t.equal(l!.creds[k], '[redacted]', `creds.${k}`);
  }
  t.notMatch(JSON.stringify(lines), SECRET);
  t.notMatch(JSON.stringify(lines), /123456|654321|111111|222222|tok-secret|FwoG/);
});

t.test('authorization and IMDS token headers are redacted', async (t) => {
  const { log, lines } = capture();
  log.info(
    { req: { method: 'GET', url: '/creds', headers: { authorization: 'tok-secret', 'x-aws-ec2-metadata-token': 'imds-secret', host: '127.0.0.1' } } },
    'request',
  );
  log.info({ headers: { authorization: 'tok-secret-2' } }, 'headers');
  t.same(lines[0]!.req.headers, { authorization: '[redacted]', 'x-aws-ec2-metadata-token': '[redacted]', host: '127.0.0.1' });
  t.equal(lines[0]!.req.url, '/creds', 'the rest stays');
  t.equal(lines[1]!.headers.authorization, '[redacted]');
  t.notMatch(JSON.stringify(lines), /secret/);
});

t.test('error codes stay readable; anything else under `code` is blanked', async (t) => {
  const { log, lines } = capture();
  log.warn({ code: 'AccessDenied' }, 'a');
  log.warn({ err: { code: 'ECONNRESET' } }, 'b');
  log.warn({ code: 'Access-Denied 1' }, 'c');
  log.warn({ code: 42 }, 'd');
  log.warn({ code: 'a1b2c3' }, 'e');
  t.same(
    lines.map((l) => l.code ?? l.err.code),
    ['AccessDenied', 'ECONNRESET', '[redacted]', '[redacted]', '[redacted]'],
  );
});

t.test('level, name and non-secret fields', async (t) => {
  const { log, lines } = capture('warn');
  log.info({ profile: 'dev' }, 'hidden at warn');
  log.warn({ profile: 'dev', expiration: '2030-01-01T00:00:00Z' }, 'shown');
  t.equal(lines.length, 1);
  t.match(lines[0], { name: 'credd', level: 40, profile: 'dev', expiration: '2030-01-01T00:00:00Z', msg: 'shown' });
  t.equal(capture().log.level, 'info', 'default level');
  t.ok(REDACT_PATHS.includes('req.headers.authorization'));
});

t.test('pretty and stderr loggers construct with redaction', async (t) => {
  const pretty = createLogger({ pretty: true, level: 'debug' });
  t.equal(pretty.level, 'debug');
  t.type(pretty.info, 'function');
  const plain = createLogger();
  t.equal(plain.level, 'info');
  plain.flush();
});
