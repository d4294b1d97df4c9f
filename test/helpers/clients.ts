/**
 * Real AWS clients for the end-to-end tests, and the environment of a shell that evaluated
 * `credd env`. Each client asks STS who it is and prints the account on its last line of stdout.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { hasCommand } from './moto.js';
import { runCommand, type RunResult } from './credd-process.js';

/** A client that runs unmodified, with whatever credentials its own default chain finds. */
export interface AwsClient {
  name: string;
  /** Whether it can run here; checked once. */
  available: boolean;
  /** How to install it, for requireOrSkip. */
  hint: string;
  run(env: Record<string, string>): Promise<RunResult>;
}

const BOTO3 = [
  'import boto3',
  's = boto3.Session()',
  'c = s.get_credentials()',
  // The provider that won, so a test can tell container-role from iam-role.
  'print(c.method if c else "none")',
  'print(s.client("sts").get_caller_identity()["Account"])',
].join('\n');

/** `new STSClient({})`: no credentials, no region, no endpoint given; the default chain decides. */
const JS_V3 = [
  'const { STSClient, GetCallerIdentityCommand } = require(process.argv[1]);',
  'new STSClient({}).send(new GetCallerIdentityCommand({})).then(',
  '  (r) => console.log(r.Account),',
  '  (e) => { console.error(`${e.name}: ${e.message}`); process.exit(1); });',
].join('\n');

function resolveStsModule(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('@aws-sdk/client-sts');
  } catch {
    return undefined;
  }
}

const stsModule = resolveStsModule();
const hasBoto3 = hasCommand('python3') && spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

/** The AWS CLI, boto3 and the JS v3 SDK, in that order. */
export const CLIENTS: readonly AwsClient[] = [
  {
    name: 'aws',
    available: hasCommand('aws'),
    hint: 'pip install awscli',
    run: (env) => runCommand('aws', ['sts', 'get-caller-identity', '--query', 'Account', '--output', 'text'], env),
  },
  {
    name: 'boto3',
    available: hasBoto3,
    hint: 'pip install boto3',
    run: (env) => runCommand('python3', ['-c', BOTO3], env),
  },
  {
    name: '@aws-sdk/client-sts',
    available: stsModule !== undefined,
    hint: 'npm install',
    run: (env) => runCommand(process.execPath, ['-e', JS_V3, stsModule!], env),
  },
];

/** The account a client printed (its last line), or '' when it printed nothing. */
export const accountOf = (r: RunResult): string => r.stdout.trim().split('\n').at(-1) ?? '';

/**
 * The environment of a shell that started from `base` and then ran `eval "$(credd env …)"`:
 * `envText` is evaluated by a real `sh`, so what the clients get is exactly what a user's shell
 * would hold, and nothing the test parsed by itself.
 */
export async function evalShellEnv(envText: string, base: Record<string, string>): Promise<Record<string, string>> {
  const dump = 'process.stdout.write(JSON.stringify(process.env))';
  const r = await runCommand('sh', ['-c', 'eval "$1" && exec "$2" -e "$3"', 'sh', envText, process.execPath, dump], base);
  if (r.code !== 0) throw new Error(`sh could not evaluate the credd env output: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

/** The last non-empty line of a client's stderr: its error, without the traceback above it. */
export const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';
