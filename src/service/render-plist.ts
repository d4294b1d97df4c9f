/** What `credd service install` puts into the launchd plist template. */
export interface PlistInputs {
  /** Absolute path of node (`process.execPath`). */
  node: string;
  /** Absolute path of dist/bin/credd.js. */
  script: string;
  /** Node flags for the daemon (DAEMON_NODE_FLAGS), between node and the script. */
  nodeFlags?: readonly string[];
  /** `~/Library/Logs/credd`: launchd opens the log files there, but does not create the directory. */
  logDir: string;
  /** Extra `EnvironmentVariables`, e.g. variables pinned from the installing shell. */
  env: Array<[string, string]>;
}

/** Escapes text for an XML element. */
export function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Fills the placeholders of launchd/credd.plist: `@NODE@`, `@NODE_FLAGS@` (a line of its own in
 * `ProgramArguments`, one `<string>` per flag, dropped when there is none), `@CREDD@`, `@LOG_DIR@` and
 * `@ENVIRONMENT@` (a line of its own inside `EnvironmentVariables`, dropped when empty).
 * Throws if the template has a placeholder this code does not know.
 */
export function renderPlist(template: string, i: PlistInputs): string {
  const env = i.env.map(([k, v]) => `    <key>${xmlText(k)}</key>\n    <string>${xmlText(v)}</string>\n`).join('');
  const out = template
    .replace('@NODE@', () => xmlText(i.node))
    .replace(/^@NODE_FLAGS@\n/m, () => (i.nodeFlags ?? []).map((f) => `    <string>${xmlText(f)}</string>\n`).join(''))
    .replace('@CREDD@', () => xmlText(i.script))
    .replace(/@LOG_DIR@/g, () => xmlText(i.logDir))
    .replace(/^@ENVIRONMENT@\n/m, () => env);
  const left = /@[A-Z_]+@/.exec(out);
  if (left) throw new Error(`plist template placeholder ${left[0]} was not filled`);
  return out;
}
