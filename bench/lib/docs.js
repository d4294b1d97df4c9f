// Writes the generated results into docs/performance.md between two markers, leaving the
// hand-written analysis around them as it is.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const BEGIN = '<!-- bench:results:begin (written by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:results:end -->';

/** Replaces what stands between the markers of `file` with `markdown`; throws if they are missing. */
export function writeResults(file, markdown) {
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file} lacks the markers ${BEGIN} … ${END}`);
  writeFileSync(`${file}.tmp`, `${text.slice(0, a + BEGIN.length)}\n\n${markdown}\n\n${text.slice(b)}`);
  renameSync(`${file}.tmp`, file);
}
