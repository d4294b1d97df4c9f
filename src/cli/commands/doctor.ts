import type { Command } from '../context.js';
import { diagnose } from '../doctor/diagnose.js';
import { type DoctorDeps, gatherFacts, loginService } from '../doctor/gather.js';
import { httpProbe, imdsProbe } from '../doctor/probe.js';
import { parse } from '../parse.js';

/** `credd doctor [--json]`: exit 1 when a finding stops the SDKs, else 0. */
export function createDoctorCommand(deps: DoctorDeps): Command {
  return async (ctx, args) => {
    const { values } = parse('doctor', args, { json: { type: 'boolean' } });
    const findings = diagnose(await gatherFacts(ctx, deps));
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

export default createDoctorCommand({ probe: httpProbe, imdsProbe, loginService });
