import { parseArgs } from 'node:util';
import { BadRequestError } from '../errors.js';
import type { CommandSpec } from './command-spec.js';

/**
 * node:util parseArgs with the command's declared options and positional count (its spec, which
 * help is generated from), its errors turned into a one-line BadRequest that points at --help.
 */
export function parse<S extends CommandSpec>(spec: S, args: string[]) {
  const options = (spec.options ?? {}) as NonNullable<S['options']>;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new BadRequestError(`${(err as Error).message.split('\n')[0]} (see \`credd ${spec.name} --help\`)`);
  }
  const most = spec.positionals ?? 0;
  if (parsed.positionals.length > most) {
    throw new BadRequestError(`Too many arguments for \`credd ${spec.name}\`: ${parsed.positionals.slice(most).join(' ')} (see \`credd ${spec.name} --help\`)`);
  }
  return parsed;
}
