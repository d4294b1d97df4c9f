/** `credd doctor`'s findings (diagnose), group by group: each fact that stops or may stop the SDKs, and its fix. */
import t from 'tap';
import { diagnose } from '../../../src/cli/doctor/diagnose.js';
import { type DoctorFacts, runsCredd } from '../../../src/cli/doctor/facts.js';
import { at, healthy, TOKEN, URI } from './fixtures.js';

/** The findings for the healthy facts changed by `change`, as "severity code". */
function codes(change: (f: DoctorFacts) => void): string[] {
  const f = healthy();
  change(f);
  return diagnose(f).map((x) => `${x.severity} ${x.code}`);
}

t.test('nothing to report for a healthy shell', async (t) => {
  t.same(diagnose(healthy()), []);
});

t.test('the environment', async (t) => {
  t.same(
    codes((f) => (f.env.AWS_ACCESS_KEY_ID = 'AKIA')),
    ['error EnvKeys'],
  );
  t.same(
    codes((f) => Object.assign(f.env, { AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' })),
    ['error EnvKeys'],
    'one finding for all of them',
  );
  t.same(
    codes((f) => (f.env.AWS_PROFILE = 'dev')),
    ['error EnvProfile'],
  );
  t.same(
    codes((f) => (f.env.AWS_DEFAULT_PROFILE = 'dev')),
    ['error EnvProfile'],
  );
  t.same(
    codes((f) => {
      f.env.AWS_PROFILE = 'dev';
      f.aws.envProfileProcess = '/usr/local/bin/credd credential-process dev';
    }),
    [],
    'a profile whose credential_process is credd is fine',
  );
  t.same(
    codes((f) => (f.env.AWS_WEB_IDENTITY_TOKEN_FILE = '/t')),
    ['error WebIdentity'],
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/creds/dev')),
    ['error RelativeUri'],
  );
  t.same(
    codes((f) => delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI),
    ['error NotPointed'],
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      delete f.probe;
    }),
    ['error NotPointed'],
    'nothing to probe',
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9911/';
    }),
    [],
    'the IMDS form of credd env',
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      f.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/creds/dev';
    }),
    [],
    'inside a container on the ECS network',
  );
  t.same(
    codes((f) => delete f.env.AWS_REGION),
    ['warning NoRegion'],
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_REGION;
      f.aws.defaultRegion = 'eu-west-1';
    }),
    [],
    '[default] names a region',
  );
  t.same(
    codes((f) => delete f.env.XDG_RUNTIME_DIR),
    ['warning RuntimeDir'],
  );
  t.same(
    codes((f) => {
      delete f.env.XDG_RUNTIME_DIR;
      f.platform = 'darwin';
    }),
    [],
    'macOS has no XDG_RUNTIME_DIR',
  );
});

t.test('the URI', async (t) => {
  for (const uri of ['http://localhost:9911/creds', 'http://127.0.0.2:9911/creds', 'http://[::1]:9911/creds']) {
    t.same(
      codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri)),
      ['warning FullUriHost'],
      uri,
    );
  }
  for (const uri of ['http://10.0.0.5:9911/creds', 'https://127.0.0.1:9911/creds', 'not a url', 'http://169.254.170.2:9911/creds']) {
    t.same(
      codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri)),
      ['error FullUriHost'],
      uri,
    );
  }
});

t.test('the token', async (t) => {
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
      delete f.envTokenFile;
    }),
    ['error TokenMissing'],
  );
  t.same(
    codes((f) => delete f.envTokenFile),
    [],
    'the variable alone is enough',
  );
  t.same(
    codes((f) => delete f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN),
    [],
    'the file alone is enough',
  );
  t.same(
    codes((f) => (f.envTokenFile = { error: 'ENOENT' })),
    ['error TokenFile'],
  );
  t.same(
    codes((f) => {
      f.envTokenFile = { value: `${TOKEN}\n` };
      f.daemonToken = `${TOKEN}\n`;
      f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = `${TOKEN}\n`;
    }),
    ['error TokenFile'],
    'Go and Rust refuse a line break',
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'other'.repeat(9))),
    ['error TokenDisagree'],
  );
  t.same(
    codes((f) => {
      f.daemonToken = 'N'.repeat(43);
      f.probe = { url: URI, status: 401, code: 'Unauthorized' };
    }),
    ['error TokenStale'],
    'stale: the 401 is explained, not repeated',
  );
});

t.test('the AWS files', async (t) => {
  t.same(
    codes((f) => (f.aws.defaultCredentialsKeys = ['aws_access_key_id', 'aws_secret_access_key'])),
    ['error DefaultKeys'],
  );
  t.same(
    codes((f) => (f.aws.defaultConfigKeys = ['region', 'aws_access_key_id'])),
    ['error DefaultKeys'],
  );
  for (const key of ['role_arn', 'credential_process', 'sso_session', 'sso_start_url', 'web_identity_token_file']) {
    t.same(
      codes((f) => (f.aws.defaultConfigKeys = ['region', key])),
      ['error DefaultProfile'],
      key,
    );
  }
  t.same(
    codes((f) => {
      f.aws.defaultConfigKeys = ['credential_process'];
      f.aws.defaultCredentialProcess = 'credd credential-process dev';
    }),
    [],
  );
  t.same(
    codes((f) => (f.aws.defaultConfigKeys = ['region', 'output'])),
    [],
  );
  t.same(
    codes((f) => (f.aws.ignored = ['/c line 1 is outside any section'])),
    ['warning AwsConfigIgnored'],
  );
  const many = diagnose(Object.assign(healthy(), {}));
  many.length = 0;
  t.same(
    codes((f) => (f.aws.error = 'line 3 is neither [section] nor key = value')),
    ['error AwsConfig'],
  );
  t.ok(runsCredd('node /opt/credd/dist/bin/credd.js credential-process prod'));
  t.notOk(runsCredd('aws-vault export dev'));
  t.notOk(runsCredd(undefined));
});

t.test('the daemon and what it answers', async (t) => {
  t.same(
    codes((f) => {
      delete f.daemon;
      delete f.probe;
    }),
    ['error DaemonNotRunning'],
  );
  t.same(
    codes((f) => (f.daemon = { endpoint: 'x', activeProfile: 'dev', configError: 'bad' })),
    ['error AwsConfig'],
  );
  t.same(
    codes((f) => {
      f.daemon = { endpoint: 'x' };
      f.probe = { url: URI, status: 404, code: 'NoActiveProfile', message: 'No active profile' };
    }),
    ['error NoActiveProfile'],
  );
  t.same(
    codes((f) => {
      f.daemon = { endpoint: 'x' };
      f.pinnedProfile = 'prod';
    }),
    [],
    'a pinned URI needs no active profile',
  );
  t.same(
    codes((f) => {
      f.session = 'missing';
      f.probe = { url: URI, status: 403, code: 'MfaRequired' };
    }),
    ['error MfaRequired'],
  );
  t.same(
    codes((f) => (f.session = { expiration: at(10) })),
    ['warning SessionEnding'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, error: 'ECONNREFUSED' })),
    ['error EndpointUnreachable'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 403, code: 'AccessDenied', message: 'not allowed' })),
    ['error AccessDenied'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 404, code: 'UnknownProfile' })),
    ['error UnknownProfile'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 503, code: 'StsUnavailable' })),
    ['warning EndpointError'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 500 })),
    ['error EndpointError'],
  );
  const unreachable = healthy();
  unreachable.probe = { url: 'http://127.0.0.1:1/creds', error: 'ECONNREFUSED' };
  t.match(diagnose(unreachable)[0], {
    message: 'Nothing answers at http://127.0.0.1:1/creds (ECONNREFUSED); the daemon listens at http://127.0.0.1:9911.',
    fix: 'eval "$(credd env)"',
  });
});

t.test('a shell pointed at a port the daemon does not listen on', async (t) => {
  const elsewhere = healthy();
  elsewhere.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9922/creds';
  elsewhere.probe = { url: 'http://127.0.0.1:9922/creds', error: 'ECONNREFUSED' };
  t.same(
    diagnose(elsewhere),
    [
      {
        code: 'EndpointElsewhere',
        severity: 'error',
        message:
          'AWS_CONTAINER_CREDENTIALS_FULL_URI names port 9922, but the daemon listens at http://127.0.0.1:9911: the SDKs in this shell ask something else, or nothing.',
        fix: 'eval "$(credd env)"',
      },
    ],
    'one finding: the unreachable probe follows from it',
  );
  t.same(
    codes((f) => {
      f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9922/creds';
      f.probe = { url: 'http://127.0.0.1:9922/creds', status: 200, expiration: at(1) };
    }),
    ['error EndpointElsewhere'],
    'whatever answers there is not this daemon',
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1/creds')),
    ['error EndpointElsewhere'],
    'no port: 80',
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'https://127.0.0.1/creds')),
    ['error FullUriHost', 'error EndpointElsewhere'],
    'https: 443',
  );
  t.same(
    codes((f) => (f.daemon = { endpoint: 'http://0.0.0.0:9911', activeProfile: 'dev' })),
    [],
    'a wildcard listen address: the port decides',
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'not a url')),
    ['error FullUriHost'],
    'a URI that does not parse is a host finding only',
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      f.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/creds/dev';
      f.probe = { url: 'http://169.254.170.2/creds/dev', status: 200, expiration: at(55) };
    }),
    [],
    'the relative URI is a container network: no port to compare',
  );
});

/** The healthy facts in IMDS mode: what `credd env --imds` exports, and the IMDS walk succeeded. */
function imdsShell(f: DoctorFacts): void {
  for (const k of ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']) delete f.env[k];
  delete f.envTokenFile;
  f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9911/';
  f.daemon = { endpoint: 'http://127.0.0.1:9911', activeProfile: 'dev', imds: true };
  f.probe = { url: 'http://127.0.0.1:9911/latest/meta-data/iam/security-credentials/dev', status: 200, expiration: at(55) };
}
const imds = (change: (f: DoctorFacts) => void) =>
  codes((f) => {
    imdsShell(f);
    change(f);
  });
const IMDS_CREDS = 'http://127.0.0.1:9911/latest/meta-data/iam/security-credentials/dev';

t.test('IMDS mode', async (t) => {
  t.same(
    imds(() => {}),
    [],
    'what credd env --imds sets',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_DISABLED = 'true')),
    ['error ImdsDisabled'],
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_DISABLED = 'TRUE')),
    ['error ImdsDisabled'],
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_DISABLED = '1')),
    ['error ImdsDisabled'],
    'the JS SDK: any value but false',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_DISABLED = 'false')),
    [],
  );
  const disabled = healthy();
  imdsShell(disabled);
  disabled.env.AWS_EC2_METADATA_DISABLED = 'true';
  t.match(diagnose(disabled)[0], {
    message: /^AWS_EC2_METADATA_DISABLED=true is set: the SDKs do not ask IMDS/,
    fix: 'unset AWS_EC2_METADATA_DISABLED (or eval "$(credd env --imds)")',
  });
  t.same(
    codes((f) => (f.env.AWS_EC2_METADATA_DISABLED = 'true')),
    [],
    'irrelevant while the container variables are set: the SDKs never get to IMDS',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE = 'IPv6')),
    ['warning ImdsEndpointMode'],
    'the endpoint variable wins in the SDKs',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE = 'IPv4')),
    [],
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE = 'ipv7')),
    ['error ImdsEndpointMode'],
    'botocore stops on other values',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://10.0.0.1:9911/')),
    ['error ImdsEndpointHost'],
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://localhost:9911/')),
    ['warning ImdsEndpointHost'],
  );
  t.same(
    imds((f) => delete f.env.AWS_REGION),
    ['warning NoRegion'],
    'a region is still needed',
  );
});

t.test('IMDS mode: the daemon and what it answered', async (t) => {
  const elsewhere = healthy();
  imdsShell(elsewhere);
  elsewhere.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9922/';
  t.match(diagnose(elsewhere), [
    {
      code: 'EndpointElsewhere',
      severity: 'error',
      message: /^AWS_EC2_METADATA_SERVICE_ENDPOINT names port 9922, but the daemon listens at http:\/\/127.0.0.1:9911/,
      fix: 'eval "$(credd env --imds)"',
    },
  ]);
  t.equal(diagnose(elsewhere).length, 1);
  t.same(
    imds((f) => {
      f.daemon!.imds = false;
      f.probe = { url: 'http://127.0.0.1:9911/latest/api/token', status: 404, code: 'ImdsOff', message: 'Not Found' };
    }),
    ['error ImdsOff'],
    'switched off in the settings: one finding',
  );
  t.same(
    imds((f) => {
      delete f.daemon!.imds;
      f.probe = { url: 'http://127.0.0.1:9911/latest/api/token', status: 404, code: 'ImdsOff', message: 'Not Found' };
    }),
    ['error ImdsOff'],
    'a daemon that does not say: the 404 to the PUT tells',
  );
  t.same(
    imds((f) => (f.probe = { url: 'http://127.0.0.1:9911/latest/api/token', error: 'ECONNREFUSED' })),
    ['error EndpointUnreachable'],
  );
  const unreachable = healthy();
  imdsShell(unreachable);
  unreachable.probe = { url: 'http://127.0.0.1:9911/latest/api/token', error: 'ECONNREFUSED' };
  t.equal(diagnose(unreachable)[0]!.fix, 'eval "$(credd env --imds)"');
  t.same(
    imds((f) => {
      f.session = 'missing';
      f.probe = { url: IMDS_CREDS, status: 403, message: 'Profile "dev" needs an MFA session: run `credd mfa`' };
    }),
    ['error MfaRequired'],
    'the refusal follows from the missing session',
  );
  t.same(
    imds((f) => {
      delete f.daemon!.activeProfile;
      f.probe = { url: 'http://127.0.0.1:9911/latest/meta-data/iam/security-credentials/', status: 404, code: 'NoActiveProfile', message: 'Not Found' };
    }),
    ['error NoActiveProfile'],
  );
  const denied = healthy();
  imdsShell(denied);
  denied.probe = { url: IMDS_CREDS, status: 403, message: 'AssumeRole refused' };
  t.same(diagnose(denied), [
    { code: 'EndpointError', severity: 'error', message: `${IMDS_CREDS} answered 403: AssumeRole refused`, fix: 'see credd status and the daemon log' },
  ]);
  t.same(
    imds((f) => (f.probe = { url: IMDS_CREDS, status: 503, message: 'STS did not answer' })),
    ['warning EndpointError'],
    '503 is transient',
  );
});

t.test('the served credentials near expiry', async (t) => {
  const soon = healthy();
  soon.probe = { url: URI, status: 200, expiration: at(14) };
  t.same(diagnose(soon), [
    {
      code: 'CredentialsExpiring',
      severity: 'warning',
      message: `The credentials credd serves expire in 14 min (${at(14)}): botocore refetches them on every call from 15 min before.`,
      fix: 'credd refresh; credd status shows why they were not renewed (an MFA session that ends: credd mfa)',
    },
  ]);
  t.same(
    codes((f) => (f.probe = { url: URI, status: 200, expiration: at(15) })),
    [],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 200, expiration: at(0) })),
    ['error CredentialsExpiring'],
    'expired: the SDKs fail',
  );
  t.match(
    codes((f) => (f.probe = { url: URI, status: 200, expiration: at(-5) })),
    ['error CredentialsExpiring'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 200 })),
    [],
    'no Expiration read: nothing to say',
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 200, expiration: 'soon' })),
    [],
    'nor about one that does not parse',
  );
  t.same(
    imds((f) => (f.probe = { url: IMDS_CREDS, status: 200, expiration: at(3) })),
    ['warning CredentialsExpiring'],
    'through IMDS too',
  );
});

t.test('the login service', async (t) => {
  const none = healthy();
  none.service = { file: '/h/.config/systemd/user/credd.service', installed: false };
  t.same(diagnose(none), [
    {
      code: 'NoLoginService',
      severity: 'warning',
      message: 'credd does not start at login (no /h/.config/systemd/user/credd.service): after a reboot the SDKs find no daemon until you run credd start.',
      fix: 'credd service install',
    },
  ]);
  t.same(
    codes((f) => delete f.service),
    [],
    'a platform without one',
  );
  t.same(
    codes((f) => {
      delete f.daemon;
      delete f.probe;
      f.service!.installed = false;
    }),
    ['error DaemonNotRunning', 'warning NoLoginService'],
  );
});

t.test('every message names a fix, and none carries the token', async (t) => {
  const f = healthy();
  Object.assign(f.env, {
    AWS_ACCESS_KEY_ID: 'AKIA',
    AWS_PROFILE: 'dev',
    AWS_WEB_IDENTITY_TOKEN_FILE: '/t',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/x',
    AWS_CONTAINER_AUTHORIZATION_TOKEN: 'W'.repeat(43),
  });
  f.daemonToken = 'D'.repeat(43);
  f.aws.defaultConfigKeys = ['role_arn', 'aws_access_key_id'];
  const all = diagnose(f);
  t.ok(all.length >= 6);
  for (const x of all) {
    t.ok(x.fix.length > 0, x.code);
    t.notMatch(JSON.stringify(x), /WWWW|DDDD|TTTT/, `${x.code} has no token`);
  }
});
