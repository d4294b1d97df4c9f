import t from 'tap';
import { EventEmitter } from 'node:events';
import type { spawn as nodeSpawn } from 'node:child_process';
import { createDesktopNotify, notifyCommand } from '../../src/daemon/desktop-notify.js';

function fakeSpawn(opts: { throws?: boolean } = {}) {
  const calls: Array<{ cmd: string; args: readonly string[] }> = [];
  const children: EventEmitter[] = [];
  const spawn = ((cmd: string, args: readonly string[]) => {
    if (opts.throws) throw new Error('EAGAIN');
    calls.push({ cmd, args });
    const child = Object.assign(new EventEmitter(), { unref: () => undefined });
    children.push(child);
    return child;
  }) as unknown as typeof nodeSpawn;
  return { spawn, calls, children };
}

t.test('notify-send on Linux, osascript on macOS, nothing on Windows', async (t) => {
  t.same(notifyCommand('linux', 'T', 'M'), ['notify-send', ['--app-name=credd', 'T', 'M']]);
  t.same(notifyCommand('freebsd', 'T', 'M')?.[0], 'notify-send');
  t.same(notifyCommand('darwin', 'credd', 'say "hi" \\ there'), ['osascript', ['-e', 'display notification "say \\"hi\\" \\\\ there" with title "credd"']]);
  t.equal(notifyCommand('win32', 'T', 'M'), undefined);
});

t.test('spawns the notifier once per message; gives up quietly when it is missing', async (t) => {
  const f = fakeSpawn();
  const reasons: string[] = [];
  const notify = createDesktopNotify({ platform: 'linux', enabled: true, spawn: f.spawn, onUnavailable: (r) => reasons.push(r) });
  notify('credd', 'session ends soon');
  t.same(f.calls, [{ cmd: 'notify-send', args: ['--app-name=credd', 'credd', 'session ends soon'] }]);
  f.children[0]!.emit('error', new Error('spawn notify-send ENOENT'));
  f.children[0]!.emit('error', new Error('again'));
  t.same(reasons, ['notify-send: spawn notify-send ENOENT'], 'told once');
  notify('credd', 'second');
  t.equal(f.calls.length, 1, 'no more attempts once it is known to be missing');
});

t.test('off by the setting; unavailable platforms and spawn failures are reported once', async (t) => {
  const f = fakeSpawn();
  createDesktopNotify({ platform: 'linux', enabled: false, spawn: f.spawn })('a', 'b');
  t.equal(f.calls.length, 0, 'desktop_notifications = false');
  const reasons: string[] = [];
  const win = createDesktopNotify({ platform: 'win32', enabled: true, spawn: f.spawn, onUnavailable: (r) => reasons.push(r) });
  win('a', 'b');
  win('a', 'b');
  t.same(reasons, ['no desktop notifier on win32']);
  const broken = fakeSpawn({ throws: true });
  const r2: string[] = [];
  createDesktopNotify({ platform: 'darwin', enabled: true, spawn: broken.spawn, onUnavailable: (r) => r2.push(r) })('a', 'b');
  t.same(r2, ['osascript: EAGAIN']);
  createDesktopNotify({ platform: 'win32', enabled: true })('a', 'b');
  t.pass('no onUnavailable is fine');
});
