import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd profiles [--json]` */
const profiles: Command = async (ctx, args) => {
  const { values } = parse('profiles', args, { json: { type: 'boolean' } });
  const list = await ctx.client.get('/profiles');
  if (values.json) {
    ctx.out(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  const rows = [['PROFILE', 'ACCOUNT', 'REGION', 'SOURCE', 'MFA', 'STATE', 'ROLE']];
  for (const p of list) rows.push([p.name, p.account ?? '-', p.region ?? '-', p.source ?? '-', p.mfa ? 'yes' : 'no', p.state, p.role ?? '-']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  ctx.out(`${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`);
  return 0;
};
export default profiles;
