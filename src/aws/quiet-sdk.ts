let installed = false;

/**
 * The AWS SDK warns on every process under Node < 22 that its future releases will
 * need Node 22. credd supports Node 20 on purpose, so drop that one warning type and
 * let every other warning through.
 */
export function silenceNodeVersionWarning(): void {
  if (installed) return;
  installed = true;
  const original = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
    if (text.startsWith('NodeVersionSupportWarning')) return;
    original(warning, ...rest);
  }) as typeof process.emitWarning;
}
