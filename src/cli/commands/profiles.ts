import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { type CommandSpec, JSON_OPTION } from '../command-spec.js';

/** What `credd profiles` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'profiles',
  options: {
    json: JSON_OPTION,
  },
  group: 'Everyday',
  summary: 'the profiles in your AWS config and their state',
  about: `Lists the profiles of your AWS config with account, role, region, source, whether
they need MFA, and their state (ready, mfa-needed, available, error).
`,
} as const satisfies CommandSpec;

/** `credd profiles [--json]` */
const profiles: Command = async (ctx, args) => {
  const { values } = parse(spec, args);
  const list = await ctx.client.get('/profiles');
  if (values.json) {
    ctx.out(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  const rows = [['PROFILE', 'ACCOUNT', 'REGION', 'SOURCE', 'MFA', 'STATE', 'ROLE']];
  for (const p of list) rows.push([p.name, p.account ?? '-', p.region ?? '-', p.source ?? '-', p.mfa ? 'yes' : 'no', p.state, p.role ?? '-']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  ctx.out(
    `${rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n')}\n`,
  );
  return 0;
};
export default profiles;
