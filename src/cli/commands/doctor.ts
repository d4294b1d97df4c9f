import type { Command } from '../context.js';
import { diagnose } from '../doctor/diagnose.js';
import { type DoctorDeps, gatherFacts, loginService } from '../doctor/gather.js';
import { keyringCheck } from '../doctor/keyring-checks.js';
import { httpProbe, imdsProbe } from '../doctor/probe.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd doctor` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'doctor',
  options: {
    json: { type: 'boolean', help: 'print {"ok", "findings": [{"code", "severity", "message", "fix"}]}' },
  },
  group: 'Setup',
  summary: 'what in this shell or the AWS files keeps the SDKs from credd',
  about: `Checks this shell's environment and your AWS files for whatever would keep the SDKs from
using credd: keys or AWS_PROFILE in the environment, a [default] profile with keys or a
role, a missing or stale token, a URI the SDKs refuse or one that names another port than
the daemon's, no daemon, no active profile, an MFA code needed; in IMDS mode
(credd env --imds) also AWS_EC2_METADATA_DISABLED and IMDS switched off. Sends the request
an SDK in this shell would send (in IMDS mode: the token, the role list, the role) and warns
when the served credentials expire within 15 minutes; never prints them. Warns when no
login service is installed. One line per finding with its fix; --json prints {"ok",
"findings": [{"code", "severity", "message", "fix"}]}. Exit 1 when a finding stops the
SDKs (severity error), else 0.
`,
} as const satisfies CommandSpec;

/** `credd doctor [--json]`: exit 1 when a finding stops the SDKs, else 0. */
export function createDoctorCommand(deps: DoctorDeps): Command {
  return async (ctx, args) => {
    const { values } = parse(spec, args);
    const findings = [...diagnose(await gatherFacts(ctx, deps)), ...(deps.keyring ? await deps.keyring(ctx) : [])];
    const ok = !findings.some((f) => f.severity === 'error');
    if (values.json) {
      ctx.out(`${JSON.stringify({ ok, findings }, null, 2)}\n`);
    } else if (findings.length === 0) {
      ctx.out('ok: nothing here keeps the SDKs from getting credentials from credd.\n');
    } else {
      for (const f of findings) ctx.out(`${f.severity}: ${f.message} Fix: ${f.fix}\n`);
    }
    return ok ? 0 : 1;
  };
}

export default createDoctorCommand({ probe: httpProbe, imdsProbe, loginService, keyring: keyringCheck });
