import { BadRequestError } from '../errors.js';

const NAME = /^[A-Za-z0-9_+=,.@-]{1,128}$/;

/**
 * The profile names credd serves and accepts: letters, digits and `_+=,.@-`, 1 to 128 of them,
 * never `.` nor anything with `..` (path tricks). The endpoint's admission, the control socket
 * and the CLI all ask this one rule.
 */
export function isProfileName(name: string): boolean {
  return NAME.test(name) && name !== '.' && !name.includes('..');
}

/** Accepts a profile name from a URL or a command; refuses path tricks (`..`, `/`, encoded separators). */
export function checkProfileName(name: string): string {
  if (!isProfileName(name)) throw new BadRequestError('Invalid profile name: use letters, digits and _+=,.@- only.');
  return name;
}
