import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { LAUNCHD_LABEL, pinnedEnv, serviceTarget } from '../../src/service/platform.js';
import { renderPlist, xmlText } from '../../src/service/render-plist.js';
import { renderUnit, unitWord } from '../../src/service/render-unit.js';
import { renderServiceFile, templatePath } from '../../src/service/service-file.js';
import { DAEMON_NODE_FLAGS } from '../../src/daemon/node-flags.js';
import { hasCommand, requireOrSkip } from '../helpers/moto.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UNIT_TEMPLATE = readFileSync(join(ROOT, 'systemd', 'credd.service'), 'utf8');
const PLIST_TEMPLATE = readFileSync(join(ROOT, 'launchd', 'credd.plist'), 'utf8');
const SCRIPT = join(ROOT, 'dist', 'bin', 'credd.js');

/**
 * `systemd-analyze --user verify` of `unit`. A user manager needs XDG_RUNTIME_DIR, short
 * enough for the socket units it loads alongside (108-byte socket paths).
 */
function verify(t: Test, unit: string) {
  const dir = mkdtempSync(join(tmpdir(), 'credd-sa-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'credd.service'), unit);
  return spawnSync('systemd-analyze', ['--user', 'verify', join(dir, 'credd.service')], {
    env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: dir, HOME: dir },
    encoding: 'utf8',
  });
}

/** Parses a plist with python3's plistlib (the format launchd reads) into JSON. */
function parsePlist(xml: string): { status: number | null; json: Record<string, unknown>; stderr: string } {
  const r = spawnSync('python3', ['-c', 'import json,plistlib,sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], {
    input: xml,
    encoding: 'utf8',
  });
  return { status: r.status, json: r.status === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr };
}

t.test('the unit template renders with real paths and passes systemd-analyze verify', async (t) => {
  const unit = renderUnit(UNIT_TEMPLATE, { node: process.execPath, script: SCRIPT, stateDir: '/home/u/.local/state/credd', env: [] });
  t.match(unit, new RegExp(`^ExecStart=${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\S+credd\\.js daemon$`, 'm'));
  t.match(unit, /^Restart=on-failure$/m);
  t.match(unit, /^NoNewPrivileges=yes$/m);
  t.match(unit, /^ProtectSystem=strict$/m);
  t.match(unit, /^ProtectHome=read-only$/m);
  t.match(unit, /^PrivateTmp=yes$/m);
  t.match(unit, /^ReadWritePaths=\/home\/u\/\.local\/state\/credd$/m, 'the state dir stays writable');
  t.match(unit, /^RuntimeDirectory=credd$/m, 'the runtime dir (%t/credd) is created and writable');
  t.match(unit, /^RuntimeDirectoryPreserve=yes$/m, 'the token survives a restart');
  t.match(unit, /^StandardError=journal$/m);
  t.notMatch(unit, /@[A-Z_]+@/, 'no placeholder left');
  t.notMatch(unit, /^Environment="/m, 'nothing pinned, no Environment= line');
  if (!requireOrSkip(t, 'systemd-analyze', hasCommand('systemd-analyze'), 'apt-get install systemd')) return;
  const r = verify(t, unit);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr.trim(), '', 'no warnings either (unknown keys are only warnings)');
});

t.test('paths with spaces, %, $, quotes and backslashes survive systemd parsing', async (t) => {
  t.equal(unitWord('/usr/bin/node'), '/usr/bin/node');
  t.equal(unitWord('/a b/n%de'), '"/a b/n%%de"');
  t.equal(unitWord('/x$HOME'), '"/x$HOME"', 'the executable path is not expanded');
  t.equal(unitWord('/x$HOME', true), '"/x$$HOME"', 'arguments are');
  t.equal(unitWord('/q"b\\s'), '"/q\\"b\\\\s"');
  const dir = t.testdir();
  const odd = join(dir, 'my tools %and $money');
  mkdirSync(odd);
  symlinkSync(process.execPath, join(odd, 'node'));
  const unit = renderUnit(UNIT_TEMPLATE, {
    node: join(odd, 'node'),
    script: join(odd, 'credd.js'),
    stateDir: join(dir, 'state dir'),
    env: [
      ['AWS_CONFIG_FILE', '/home/u/aws "x"/config%1'],
      ['CREDD_PORT', '9922'],
    ],
  });
  t.match(unit, /^Environment="AWS_CONFIG_FILE=\/home\/u\/aws \\"x\\"\/config%%1"$/m);
  t.match(unit, /^Environment="CREDD_PORT=9922"$/m);
  if (!requireOrSkip(t, 'systemd-analyze', hasCommand('systemd-analyze'), 'apt-get install systemd')) return;
  const r = verify(t, unit);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr.trim(), '');
  // The same unit with the node path left unescaped is refused: the check above has teeth.
  const bad = verify(t, unit.replace(/^ExecStart=.*$/m, `ExecStart="${join(odd, 'node')}" x daemon`));
  t.not(bad.status, 0);
});

t.test("the daemon's node flags go between node and the script", async (t) => {
  const unit = renderUnit(UNIT_TEMPLATE, {
    node: '/usr/bin/node',
    nodeFlags: ['--max-semi-space-size=2', '--x=$y'],
    script: '/opt/credd.js',
    stateDir: '/d',
    env: [],
  });
  t.match(unit, /^ExecStart=\/usr\/bin\/node --max-semi-space-size=2 "--x=\$\$y" \/opt\/credd\.js daemon$/m, 'each flag a word, $ doubled');
  const xml = renderPlist(PLIST_TEMPLATE, { node: '/n', nodeFlags: ['--max-semi-space-size=2'], script: '/s', logDir: '/l', env: [] });
  t.match(xml, /<string>\/n<\/string>\n {4}<string>--max-semi-space-size=2<\/string>\n {4}<string>\/s<\/string>/);
  t.notMatch(renderPlist(PLIST_TEMPLATE, { node: '/n', script: '/s', logDir: '/l', env: [] }), /@NODE_FLAGS@|<string>--/, 'no flags, no line');
  const linux = renderServiceFile(serviceTarget('linux', '/home/u', {}, 1000), UNIT_TEMPLATE, {
    node: '/usr/bin/node',
    script: '/s.js',
    stateDir: '/d',
    env: {},
  });
  t.match(linux, `ExecStart=/usr/bin/node ${DAEMON_NODE_FLAGS.join(' ')} /s.js daemon`, 'the installed unit passes DAEMON_NODE_FLAGS');
  const mac = renderServiceFile(serviceTarget('darwin', '/Users/u', {}, 501), PLIST_TEMPLATE, { node: '/n', script: '/s.js', stateDir: '/d', env: {} });
  for (const f of DAEMON_NODE_FLAGS) t.match(mac, `<string>${f}</string>`, 'and so does the plist');
});

t.test('a template with an unknown placeholder is refused', async (t) => {
  t.throws(() => renderUnit(`${UNIT_TEMPLATE}\n@NEW@\n`, { node: '/n', script: '/s', stateDir: '/d', env: [] }), /@NEW@/);
  t.throws(() => renderPlist(`${PLIST_TEMPLATE}<!-- @NEW@ -->`, { node: '/n', script: '/s', logDir: '/l', env: [] }), /@NEW@/);
});

t.test('the plist template renders to a LaunchAgent with the expected keys', async (t) => {
  t.equal(xmlText('a&b<c>'), 'a&amp;b&lt;c&gt;');
  const xml = renderPlist(PLIST_TEMPLATE, {
    node: '/opt/homebrew/bin/node',
    script: '/Users/u/credd & co/dist/bin/credd.js',
    logDir: '/Users/u/Library/Logs/credd',
    env: [['AWS_CONFIG_FILE', '/Users/u/<aws>/config']],
  });
  t.notMatch(xml, /@[A-Z_]+@/);
  if (!requireOrSkip(t, 'python3', hasCommand('python3'))) return;
  const p = parsePlist(xml);
  t.equal(p.status, 0, p.stderr);
  t.same(p.json, {
    Label: LAUNCHD_LABEL,
    ProgramArguments: ['/opt/homebrew/bin/node', '/Users/u/credd & co/dist/bin/credd.js', 'daemon'],
    EnvironmentVariables: { NODE_ENV: 'production', AWS_CONFIG_FILE: '/Users/u/<aws>/config' },
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 10,
    ProcessType: 'Standard',
    Umask: 0o077,
    StandardOutPath: '/Users/u/Library/Logs/credd/credd.out.log',
    StandardErrorPath: '/Users/u/Library/Logs/credd/credd.log',
  });
  t.equal(parsePlist(xml.replace('</dict>\n</plist>', '</plist>')).status === 0, false, 'the parser rejects broken XML');
  if (hasCommand('plutil')) t.equal(spawnSync('plutil', ['-lint', '-'], { input: xml }).status, 0, 'plutil -lint');
});

t.test('renderServiceFile picks the template and pins the variables of the installing shell', async (t) => {
  const env = { HOME: '/home/u', XDG_STATE_HOME: '/data/state', CREDD_PORT: '9922', AWS_PROFILE: 'dev', XDG_RUNTIME_DIR: '/run/user/1000', CREDD_HOST: '' };
  t.same(
    pinnedEnv(env),
    [
      ['XDG_STATE_HOME', '/data/state'],
      ['CREDD_PORT', '9922'],
    ],
    'only the listed, non-empty ones',
  );
  t.same(pinnedEnv({ AWS_CONFIG_FILE: '/a\nb', CREDD_PORT: '1' }), [['CREDD_PORT', '1']], 'no line breaks in a unit line');
  const linux = serviceTarget('linux', '/home/u', env, 1000);
  t.equal(templatePath(SCRIPT, linux), join(ROOT, 'systemd', 'credd.service'));
  const unit = renderServiceFile(linux, UNIT_TEMPLATE, { node: '/usr/bin/node', script: SCRIPT, stateDir: '/data/state/credd', env });
  t.match(unit, /^Environment="XDG_STATE_HOME=\/data\/state"\nEnvironment="CREDD_PORT=9922"$/m);
  t.match(unit, /^ReadWritePaths=\/data\/state\/credd$/m);
  t.notMatch(unit, /AWS_PROFILE|XDG_RUNTIME_DIR=/, 'AWS_PROFILE is never pinned; systemd sets XDG_RUNTIME_DIR');
  const mac = serviceTarget('darwin', '/Users/u', env, 501);
  t.equal(templatePath(SCRIPT, mac), join(ROOT, 'launchd', 'credd.plist'));
  const plist = renderServiceFile(mac, PLIST_TEMPLATE, { node: '/usr/local/bin/node', script: SCRIPT, stateDir: '/x', env });
  t.match(plist, /<key>XDG_RUNTIME_DIR<\/key>\n\s*<string>\/run\/user\/1000<\/string>/, 'launchd sets no XDG_RUNTIME_DIR: pinned on macOS');
  t.match(plist, /<string>\/Users\/u\/Library\/Logs\/credd\/credd\.log<\/string>/);
});

t.test('serviceTarget', async (t) => {
  t.same(serviceTarget('linux', '/home/u', {}, 1000), { kind: 'systemd', unitName: 'credd.service', unitFile: '/home/u/.config/systemd/user/credd.service' });
  t.match(serviceTarget('linux', '/home/u', { XDG_CONFIG_HOME: '/cfg' }, 1000), { unitFile: '/cfg/systemd/user/credd.service' });
  t.same(serviceTarget('darwin', '/Users/u', {}, 501), {
    kind: 'launchd',
    label: LAUNCHD_LABEL,
    plistFile: `/Users/u/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`,
    logDir: '/Users/u/Library/Logs/credd',
    domain: 'gui/501',
  });
  t.throws(() => serviceTarget('win32', 'C:\\Users\\u', {}, 0), { code: 'BadRequest', message: /Linux \(systemd\) and macOS \(launchd\), not win32/ });
  t.match(PLIST_TEMPLATE, `<string>${LAUNCHD_LABEL}</string>`, 'the template carries the label the code uses');
});
