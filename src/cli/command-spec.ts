import type { Command } from './context.js';

/** One option of a command: what `parseArgs` needs, and what its help says. */
export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  /** The value's placeholder in help (`NAME`, `sh|fish|powershell`); string options only. */
  readonly value?: string;
  /** One line: what the option does. */
  readonly help: string;
}

/** Where a command stands in `credd --help`, in this order. */
export const GROUPS = ['Daemon', 'Everyday', 'IAM Identity Center (SSO)', 'Setup', 'Keys'] as const;

/**
 * What a command declares about itself (after npm/cli's commands): the parser takes its options
 * and positional count from here, and `credd --help` and `credd VERB --help` are generated from
 * it, so help can list neither more nor fewer options than the command accepts.
 */
export interface CommandSpec {
  readonly name: string;
  /** The positional part of the usage line: `NAME`, `[CODE]`, `install|uninstall|status`. */
  readonly args?: string;
  /** Most positional arguments accepted (default 0). */
  readonly positionals?: number;
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly group: (typeof GROUPS)[number];
  /** The overview's line. */
  readonly summary: string;
  /** The verb's help, after its usage line: what it does, exit codes, files. */
  readonly about: string;
}

/** What each module under `commands/` exports. */
export interface CommandModule {
  spec: CommandSpec;
  default: Command;
}

/** `--json`, as every command that has it declares it. */
export const JSON_OPTION = { type: 'boolean', help: 'print one JSON document' } as const satisfies OptionSpec;
