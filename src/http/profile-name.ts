import { BadRequestError } from '../errors.js';

const NAME = /^[A-Za-z0-9_+=,.@-]{1,128}$/;

/** Accepts a profile name from a URL or a command; refuses path tricks (`..`, `/`, encoded separators). */
export function checkProfileName(name: string): string {
  if (!NAME.test(name) || name === '.' || name.includes('..')) {
    throw new BadRequestError('Invalid profile name: use letters, digits and _+=,.@- only.');
  }
  return name;
}
