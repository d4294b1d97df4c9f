/** One file's sections: section name → key → value. */
export type IniSections = Map<string, Map<string, string>>;

/** What the reader made of one file, and the lines it ignored (for `credd doctor`). */
export interface IniFile {
  sections: IniSections;
  /** One line per thing the SDKs skip silently: a stray line, a key before any section, an unknown section. */
  ignored: string[];
}

/** The section prefixes the SDKs know: `[profile x]`, `[sso-session x]`, `[services x]`. */
const KNOWN_PREFIXES = ['profile', 'sso-session', 'services'];
// The SDK's own pattern (@smithy/shared-ini-file-loader parseIni): one space, optional matching quotes.
const PREFIXED = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;
const BLOCKED = ['__proto__', 'profile __proto__'];

/**
 * Reads INI text exactly as the AWS SDK for JavaScript v3 does (its `parseIni`), so credd never
 * refuses a file the SDKs accept: comments start with `;`/`#` at the start of a line or after
 * whitespace; `[prefix name]` (one space, quotes stripped) becomes `prefix.name` for the known
 * prefixes and is skipped for others; any other `[header]` is kept whole; lines before a section,
 * without `=` or starting with `=` are skipped; a key with an empty value opens a sub-section whose
 * indented keys become `parent.key`; a section without keys does not exist. A section named
 * `__proto__` makes the SDK ignore the whole file, and so does credd (with a warning).
 */
export function parseIni(text: string, file: string): IniFile {
  const sections: IniSections = new Map();
  const ignored: string[] = [];
  let current: string | undefined;
  let sub: string | undefined;
  let orphanReported = false;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.split(/(?:^|\s)[;#]/)[0]!.trim();
    const where = `${file} line ${i + 1}`;
    if (line[0] === '[' && line[line.length - 1] === ']') {
      current = undefined;
      sub = undefined;
      orphanReported = false;
      const name = line.substring(1, line.length - 1);
      const m = PREFIXED.exec(name);
      if (m) {
        if (KNOWN_PREFIXES.includes(m[1]!)) current = `${m[1]}.${m[3]}`;
        else {
          ignored.push(
            `${where}: [${name}] is not a section the SDKs read (known: [profile NAME], [sso-session NAME], [services NAME]); its keys are ignored.`,
          );
          orphanReported = true;
        }
      } else {
        current = name;
      }
      if (BLOCKED.includes(name)) {
        return { sections: new Map(), ignored: [`${where}: a section named "${name}" makes the AWS SDKs ignore all of ${file}; rename it.`] };
      }
      continue;
    }
    if (line === '') continue;
    if (!current) {
      // One warning per run of skipped lines: a whole unknown section would otherwise flood doctor.
      if (!orphanReported)
        ignored.push(`${where} is outside any section the SDKs read; they skip it (and what follows up to the next section), botocore refuses the file.`);
      orphanReported = true;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === 0 || eq === -1) {
      ignored.push(`${where} is not key = value (its text is not shown: it may hold a secret); the SDKs ignore it, botocore refuses the file.`);
      continue;
    }
    const key = line.substring(0, eq).trim();
    const value = line.substring(eq + 1).trim();
    if (value === '') {
      sub = key;
      continue;
    }
    if (sub && raw.trimStart() === raw) sub = undefined;
    const section = sections.get(current) ?? new Map<string, string>();
    sections.set(current, section);
    section.set(sub ? `${sub}.${key}` : key, value);
  }
  return { sections, ignored };
}

/**
 * The config file's view, as the SDK's `getConfigData` takes it: `[default]` and
 * `[profile x]` become profiles `default` and `x` (the later of the two wins for `default`),
 * `sso-session.x` and `services.x` stay as they are, every other section is dropped.
 */
export function configSections(parsed: IniFile, file: string): IniFile {
  const sections: IniSections = new Map();
  const ignored = [...parsed.ignored];
  const def = parsed.sections.get('default');
  if (def) sections.set('default', def);
  for (const [name, body] of parsed.sections) {
    const dot = name.indexOf('.');
    const prefix = dot === -1 ? undefined : name.substring(0, dot);
    if (prefix === undefined || !KNOWN_PREFIXES.includes(prefix)) {
      if (name !== 'default') ignored.push(`${file}: [${name}] is not read by the SDKs in the config file (write [profile NAME]); its keys are ignored.`);
      continue;
    }
    sections.set(prefix === 'profile' ? name.substring(dot + 1) : name, body);
  }
  return { sections, ignored };
}
