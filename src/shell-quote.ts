/** POSIX sh: nothing is special inside '…', so a ' ends the string, then \' , then a new '…'. */
export const quoteSh = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

/** One argument as a user would type it in sh: bare when it holds nothing special, else quoted by {@link quoteSh}. */
export const shellWord = (v: string): string => (/^[\w@%+=:,./-]+$/.test(v) ? v : quoteSh(v));
