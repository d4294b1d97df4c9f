import { dirname } from 'node:path';
import type { ServiceTarget } from './platform.js';

/** One thing `credd service` does; `--dry-run` prints the same list instead of doing it. */
export type Step =
  | { kind: 'mkdir'; path: string; mode: number }
  | { kind: 'write'; path: string; content: string; mode: number }
  | { kind: 'remove'; path: string }
  /** `mayFail`: a non-zero exit is expected sometimes (unloading an agent that is not loaded). */
  | { kind: 'run'; argv: string[]; mayFail?: boolean };

const systemctl = (...args: string[]) => ['systemctl', '--user', ...args];

/** What `credd service install` does with the rendered unit or plist. */
export function installSteps(t: ServiceTarget, content: string, stateDir: string): Step[] {
  if (t.kind === 'systemd') {
    return [
      // ReadWritePaths= needs the state directory to exist before systemd sets up the sandbox.
      { kind: 'mkdir', path: stateDir, mode: 0o700 },
      { kind: 'mkdir', path: dirname(t.unitFile), mode: 0o755 },
      { kind: 'write', path: t.unitFile, content, mode: 0o644 },
      { kind: 'run', argv: systemctl('daemon-reload') },
      { kind: 'run', argv: systemctl('enable', '--now', t.unitName) },
    ];
  }
  const service = `${t.domain}/${t.label}`;
  return [
    { kind: 'mkdir', path: t.logDir, mode: 0o700 },
    { kind: 'mkdir', path: dirname(t.plistFile), mode: 0o755 },
    { kind: 'write', path: t.plistFile, content, mode: 0o644 },
    // An agent loaded from an older plist keeps its old definition until it is booted out.
    { kind: 'run', argv: ['launchctl', 'bootout', service], mayFail: true },
    { kind: 'run', argv: ['launchctl', 'enable', service] },
    { kind: 'run', argv: ['launchctl', 'bootstrap', t.domain, t.plistFile] },
  ];
}

/** What `credd service uninstall` does: stop, disable, remove the file. */
export function uninstallSteps(t: ServiceTarget): Step[] {
  if (t.kind === 'systemd') {
    return [
      { kind: 'run', argv: systemctl('disable', '--now', t.unitName) },
      { kind: 'remove', path: t.unitFile },
      { kind: 'run', argv: systemctl('daemon-reload') },
    ];
  }
  return [
    { kind: 'run', argv: ['launchctl', 'bootout', `${t.domain}/${t.label}`], mayFail: true },
    { kind: 'remove', path: t.plistFile },
  ];
}

/** The read-only commands behind `credd service status`; each may exit non-zero. */
export function statusCommands(t: ServiceTarget): string[][] {
  if (t.kind === 'systemd') return [systemctl('is-enabled', t.unitName), systemctl('is-active', t.unitName)];
  return [['launchctl', 'print', `${t.domain}/${t.label}`]];
}

/** The file the service lives in. */
export function serviceFile(t: ServiceTarget): string {
  return t.kind === 'systemd' ? t.unitFile : t.plistFile;
}

/** Where its log is. */
export function logHint(t: ServiceTarget): string {
  return t.kind === 'systemd' ? `journalctl --user -u ${t.unitName}` : `${t.logDir}/credd.log`;
}
