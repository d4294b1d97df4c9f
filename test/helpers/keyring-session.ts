/**
 * Test helper: a throwaway Secret Service (gnome-keyring) on a private D-Bus session bus,
 * so no test ever touches the real user's keyring. The keyring daemon gets its own HOME
 * (its keyring files live there) and is unlocked with a password fed on stdin.
 * Everything dies with the test process: the script's stdin is a pipe from it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { hasCommand, requireOrSkip } from './moto.js';

export interface KeyringSession {
  /** Put this in a process's environment to reach the throwaway keyring. */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  /** The keyring daemon's HOME (where its encrypted keyring file is). */
  home: string;
  stop(): Promise<void>;
}

const SCRIPT = `printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
echo "BUS=$DBUS_SESSION_BUS_ADDRESS"
cat >/dev/null`;

/** Starts the session, or skips (fails under CI=true) when the Debian packages are missing. */
export async function startKeyringSession(t: Test): Promise<KeyringSession | null> {
  const ok = hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon');
  if (!requireOrSkip(t, 'gnome-keyring', ok, 'apt-get install -y gnome-keyring dbus libsecret-tools')) return null;
  const home = mkdtempSync(join(tmpdir(), 'credd-keyring-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_RUNTIME_DIR: home,
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  const proc = spawn('dbus-run-session', ['--', 'sh', '-c', SCRIPT], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the keyring session did not start within 20 s')), 20000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /BUS=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.on('exit', () => reject(new Error('the keyring session exited early')));
  });
  const exited = new Promise<void>((r) => (proc.exitCode !== null ? r() : proc.on('exit', () => r())));
  const stop = async () => {
    proc.stdin!.end();
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(home, { recursive: true, force: true });
  };
  t.teardown(stop);
  return { env: { DBUS_SESSION_BUS_ADDRESS: address }, home, stop };
}
