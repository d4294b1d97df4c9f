import { BadRequestError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { type CommandSpec, JSON_OPTION } from '../command-spec.js';
import { usageOf } from '../help.js';

/** What `credd sso` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'sso',
  args: 'roles [SESSION]',
  positionals: 1,
  options: {
    config: { type: 'boolean', help: 'print ready-to-paste [profile] stanzas instead' },
    json: JSON_OPTION,
  },
  group: 'IAM Identity Center (SSO)',
  summary: 'the accounts and roles the portal offers',
  about: `Lists the accounts and roles the IAM Identity Center portal offers to SESSION (default:
the active profile's session, or the only one). Needs a sign-in (credd login).
`,
} as const satisfies CommandSpec;

/** A profile name from an account name and a role: lower case, dashes. */
const profileName = (account: string, role: string) =>
  `${account}-${role}`
    .toLowerCase()
    .replace(/[^a-z0-9.@+-]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** `credd sso roles [SESSION] [--config] [--json]`: the accounts and roles the portal offers. */
const sso: Command = async (ctx, args) => {
  const [sub, ...rest] = args;
  if (sub !== 'roles') throw new BadRequestError(`Usage: credd ${usageOf(spec)} (see \`credd sso --help\`).`);
  const { values, positionals } = parse(spec, rest);
  const r = await ctx.client.get('/sso/roles', { params: { session: positionals[0] } });
  if (values.json) {
    ctx.out(`${JSON.stringify(r, null, 2)}\n`);
  } else if (values.config) {
    const stanzas = r.accounts.flatMap((a) =>
      a.roles.map(
        (role) =>
          `[profile ${profileName(a.accountName ?? a.accountId, role)}]\nsso_session = ${r.session}\nsso_account_id = ${a.accountId}\nsso_role_name = ${role}\n`,
      ),
    );
    ctx.out(stanzas.join('\n'));
  } else {
    for (const a of r.accounts) ctx.out(`${a.accountId}  ${a.accountName ?? ''}\n${a.roles.map((x) => `    ${x}\n`).join('')}`);
    if (!r.accounts.length) ctx.out(`The portal offers no account to "${r.session}".\n`);
  }
  return 0;
};
export default sso;
