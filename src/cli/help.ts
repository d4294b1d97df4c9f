import { GROUPS, type CommandSpec, type OptionSpec } from './command-spec.js';

/** `--opt VALUE`, `-p, --profile NAME`: how an option is written. */
const optionForm = (name: string, o: OptionSpec, withShort: boolean): string =>
  `${withShort && o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;

/** `switch NAME [--no-wait]`: the verb, its arguments and every option it accepts. */
export function usageOf(spec: CommandSpec): string {
  const options = Object.entries(spec.options ?? {}).map(([name, o]) => `[${optionForm(name, o, false)}]`);
  return [spec.name, spec.args, ...options].filter(Boolean).join(' ');
}

/** `credd VERB --help`: the usage line, what the verb does, then each option. */
export function verbHelp(spec: CommandSpec): string {
  let text = `Usage: credd ${usageOf(spec)}\n\n${spec.about.trimEnd()}\n`;
  const options = Object.entries(spec.options ?? {});
  if (options.length) {
    const forms = options.map(([name, o]) => optionForm(name, o, true));
    const width = Math.max(...forms.map((f) => f.length)) + 2;
    text += `\nOptions:\n${options.map(([, o], i) => `  ${forms[i]!.padEnd(width)}${o.help}\n`).join('')}`;
  }
  return text;
}

/** Width of the overview's usage column. */
const COLUMN = 34;

/** `credd --help`: every verb under its group, in the order given. */
export function overview(specs: readonly CommandSpec[]): string {
  const groups = GROUPS.map((group) => {
    const lines = specs
      .filter((s) => s.group === group)
      .map((s) => {
        const usage = usageOf(s);
        // A usage too long for the column puts its summary on the next line.
        return usage.length < COLUMN ? `  ${usage.padEnd(COLUMN)}${s.summary}` : `  ${usage}\n  ${' '.repeat(COLUMN)}${s.summary}`;
      });
    return `${group}\n${lines.join('\n')}\n`;
  });
  return `credd — one MFA code, every AWS account, every SDK.

Usage: credd <command> [options]

${groups.join('\n')}
Options
  --help        help for a command (credd <command> --help)
  --version     print the version
  --debug       show stack traces on errors

Files: AWS_CONFIG_FILE (~/.aws/config), AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials),
settings in $XDG_CONFIG_HOME/credd/config.ini. Docs: README.md and docs/.
`;
}
