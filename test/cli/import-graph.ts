import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Every module specifier reachable from `entry` (a .ts file under src/) through static and
 * dynamic imports of relative files, e.g. to prove that a command never loads the AWS SDK.
 * Type-only imports are left out: they vanish at compile time.
 */
export function reachableImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const specifiers = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const re =
      /(?:^|\n)\s*import\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*export\s+(?!type\b)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/g;
    for (const m of text.matchAll(re)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      specifiers.add(spec);
      if (spec.startsWith('.')) {
        const ts = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (existsSync(ts)) visit(ts);
      }
    }
  };
  visit(entry);
  return specifiers;
}
