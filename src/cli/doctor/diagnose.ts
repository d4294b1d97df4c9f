import { daemonChecks } from './daemon-checks.js';
import { envChecks } from './env-checks.js';
import type { DoctorFacts, Finding } from './facts.js';
import { fileChecks } from './file-checks.js';
import { ssoChecks } from './sso-checks.js';

/**
 * Everything that would keep the SDKs in this shell from using credd, most decisive
 * first. One finding per code (the first one found explains the rest).
 */
export function diagnose(f: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  const add = (x: Finding) => {
    if (!out.some((y) => y.code === x.code || (y.code === 'TokenStale' && x.code === 'Unauthorized'))) out.push(x);
  };
  if (f.platform === 'linux' && !f.env.XDG_RUNTIME_DIR) {
    add({
      code: 'RuntimeDir',
      severity: 'warning',
      message: 'XDG_RUNTIME_DIR is not set: this shell looks for the daemon under /tmp, a login service runs it under /run/user/UID.',
      fix: 'export XDG_RUNTIME_DIR=/run/user/$(id -u) (a normal login sets it)',
    });
  }
  envChecks(f, add);
  fileChecks(f, add);
  ssoChecks(f.sso, add);
  daemonChecks(f, add);
  if (f.service && !f.service.installed) {
    add({
      code: 'NoLoginService',
      severity: 'warning',
      message: `credd does not start at login (no ${f.service.file}): after a reboot the SDKs find no daemon until you run credd start.`,
      fix: 'credd service install',
    });
  }
  return out;
}
