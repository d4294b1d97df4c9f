/** What `credd service install` puts into the systemd unit template. */
export interface UnitInputs {
  /** Absolute path of node (`process.execPath`). */
  node: string;
  /** Absolute path of dist/bin/credd.js. */
  script: string;
  /** Node flags for the daemon (DAEMON_NODE_FLAGS), between node and the script. */
  nodeFlags?: readonly string[];
  /** credd's state directory: the one path the sandbox leaves writable besides the runtime dir. */
  stateDir: string;
  /** `Environment=` lines, e.g. variables pinned from the installing shell. */
  env: Array<[string, string]>;
}

/** `%` starts a specifier everywhere in a unit file. */
const specifiers = (s: string) => s.replace(/%/g, '%%');

/**
 * One word of a unit file: `%` escaped (specifiers), double-quoted with C escapes when it
 * holds anything but plain path characters. `arg`: systemd also expands `$VAR` in the
 * arguments of ExecStart (not in its executable path, nor in other settings), so `$` is doubled.
 */
export function unitWord(s: string, arg = false): string {
  const v = arg ? specifiers(s).replace(/\$/g, '$$$$') : specifiers(s);
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `Environment="KEY=value"`; systemd does not expand `$` there, only specifiers. */
function environmentLine([key, value]: [string, string]): string {
  return `Environment="${specifiers(`${key}=${value}`).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Fills the placeholders of systemd/credd.service: `@EXEC_START@`, `@STATE_DIR@` and
 * `@ENVIRONMENT@` (a line of its own, dropped when there is nothing to pin).
 * Throws if the template has a placeholder this code does not know.
 */
export function renderUnit(template: string, i: UnitInputs): string {
  const out = template
    .replace('@EXEC_START@', () => [unitWord(i.node), ...(i.nodeFlags ?? []).map((f) => unitWord(f, true)), unitWord(i.script, true), 'daemon'].join(' '))
    .replace('@STATE_DIR@', () => unitWord(i.stateDir))
    .replace(/^@ENVIRONMENT@\n/m, () => i.env.map((e) => `${environmentLine(e)}\n`).join(''));
  const left = /@[A-Z_]+@/.exec(out);
  if (left) throw new Error(`unit template placeholder ${left[0]} was not filled`);
  return out;
}
