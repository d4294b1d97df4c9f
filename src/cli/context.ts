import type { AwsFilePaths } from '../aws/config.js';
import type { EnvEndpoints } from '../aws/endpoints.js';
import type { CreddPaths } from '../state/paths.js';
import type { ControlClient } from './control-client.js';

/** Everything a command may use; built by the entry point, faked in tests. */
export interface CliContext {
  env: Record<string, string | undefined>;
  paths: CreddPaths;
  awsPaths: AwsFilePaths;
  endpoints: EnvEndpoints;
  client: ControlClient;
  out(text: string): void;
  err(text: string): void;
  stdin: NodeJS.ReadableStream;
  isTTY: boolean;
  now(): number;
  version: string;
  pid: number;
  /** This user's uid: the owner the runtime directory and the port's listener must have. */
  uid: number;
  platform: NodeJS.Platform;
  /** node, and the credd script, to start a detached daemon or write a service unit. */
  execPath: string;
  scriptPath: string;
  debug: boolean;
  /** Whether stderr is a terminal (pretty logs). */
  stderrIsTTY: boolean;
  /** Registers the graceful-stop handler for SIGTERM and SIGINT. */
  onStopSignal(handler: () => void): void;
}

/** A verb: gets its own arguments, returns the exit code. */
export type Command = (ctx: CliContext, args: string[]) => Promise<number>;
