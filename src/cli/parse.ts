import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BadRequestError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into a one-line BadRequest that points at --help. */
export function parse<O extends Options>(verb: string, args: string[], options: O, maxPositionals = 0) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new BadRequestError(`${(err as Error).message.split('\n')[0]} (see \`credd ${verb} --help\`)`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new BadRequestError(`Too many arguments for \`credd ${verb}\`: ${parsed.positionals.slice(maxPositionals).join(' ')} (see \`credd ${verb} --help\`)`);
  }
  return parsed;
}
