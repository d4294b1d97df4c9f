import { daemonEndpointChecks } from './endpoint-checks.js';
import type { Add, DoctorFacts } from './facts.js';

/** What the daemon says (after its runtime directory and port are checked to be this user's): whether it runs, its config, the profile and its MFA session, then the endpoint's answer. */
export function daemonChecks(f: DoctorFacts, add: Add): void {
  if (f.runtimeDirError) {
    add({
      code: 'UnsafeRuntimeDir',
      severity: 'error',
      message: f.runtimeDirError,
      fix: 'set XDG_RUNTIME_DIR to a directory of your own (mode 0700), or chmod 700 it if it is yours',
    });
    return;
  }
  if (f.portHolder) {
    add({
      code: 'PortSquatted',
      severity: 'error',
      message: `${f.portHolder.address} is held by ${f.portHolder.holder}, not by credd: SDKs pointed there send it your token and take its credentials.`,
      fix: 'find and stop that process (ss -ltnp), or give credd another port (CREDD_PORT, or port in the settings file), then credd start and eval "$(credd env)"',
    });
    if (!f.daemon) return;
  }
  if (!f.daemon) {
    add({
      code: 'DaemonNotRunning',
      severity: 'error',
      message: 'No credd daemon runs for this user.',
      fix: 'credd start (or credd service install, to start it at every login)',
    });
    return;
  }
  if (f.daemon.configError)
    add({
      code: 'AwsConfig',
      severity: 'error',
      message: `The daemon cannot use your AWS files: ${f.daemon.configError}`,
      fix: 'fix the file, then run credd reload',
    });
  const name = f.pinnedProfile ?? f.daemon.activeProfile;
  if (!name)
    add({
      code: 'NoActiveProfile',
      severity: 'error',
      message: 'No active profile: credd has nothing to serve.',
      fix: 'credd switch NAME (see credd profiles)',
    });
  if (name && f.session === 'missing') add({ code: 'MfaRequired', severity: 'error', message: `Profile ${name} needs an MFA session.`, fix: 'credd mfa' });
  if (name && f.session && f.session !== 'missing') {
    const left = Date.parse(f.session.expiration) - f.now;
    if (left < 15 * 60000)
      add({
        code: 'SessionEnding',
        severity: 'warning',
        message: `The MFA session behind ${name} ends in ${Math.max(0, Math.floor(left / 60000))} min.`,
        fix: 'credd mfa (a new code renews it for every profile)',
      });
  }
  // Without a profile or its session the endpoint's refusal says nothing more.
  daemonEndpointChecks(f, add, !name || f.session === 'missing');
}
