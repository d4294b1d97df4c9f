import t from 'tap';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOrEmpty, removeKeys, sectionValues, setValue, writeKeepingMode } from '../../src/keyring/credentials-file.js';

const FILE = `# top comment
[default]
region = eu-west-1

[ management ]   ; the IAM user
; a comment inside
aws_access_key_id = AKIAOLD
aws_secret_access_key=old/secret+key
output = json

[other]
aws_access_key_id = AKIAOTHER
aws_secret_access_key = other
`;
const KEYS = ['aws_access_key_id', 'aws_secret_access_key'];

t.test('sectionValues reads one section, comments and spacing aside', async (t) => {
  t.same(
    [...sectionValues(FILE, 'management')!],
    [
      ['aws_access_key_id', 'AKIAOLD'],
      ['aws_secret_access_key', 'old/secret+key'],
      ['output', 'json'],
    ],
  );
  t.equal(sectionValues(FILE, 'nope'), undefined);
  t.same([...sectionValues('[a]\nx = 1 ; note\n#c\n  indented = 2\n', 'a')!], [['x', '1']], 'inline comment dropped; an indented line is a sub-key, not a key');
  t.same([...sectionValues('[a]\nk = 1\n[b]\n[a]\nk = 2\n', 'a')!], [['k', '2']], 'a repeated section: the last value wins');
});

t.test('removeKeys drops exactly the two lines and keeps every other byte', async (t) => {
  const out = removeKeys(FILE, 'management', KEYS);
  t.equal(out, FILE.replace('aws_access_key_id = AKIAOLD\naws_secret_access_key=old/secret+key\n', ''));
  t.match(out, /\[other\]\naws_access_key_id = AKIAOTHER/, 'other sections untouched');
  t.equal(removeKeys(FILE, 'absent', KEYS), FILE);
  const crlf = FILE.replace(/\n/g, '\r\n');
  t.equal(removeKeys(crlf, 'management', KEYS), crlf.replace('aws_access_key_id = AKIAOLD\r\naws_secret_access_key=old/secret+key\r\n', ''), 'CRLF kept');
  t.equal(removeKeys('[m]\naws_access_key_id = A\naws_secret_access_key = B', 'm', KEYS), '[m]\n', 'no final newline');
  t.equal(removeKeys('', 'm', KEYS), '');
});

t.test('setValue replaces in place or adds after the last key', async (t) => {
  const out = setValue(FILE, 'management', 'aws_secret_access_key', 'NEW');
  t.equal(out, FILE.replace('aws_secret_access_key=old/secret+key', 'aws_secret_access_key=NEW'), 'no space added where there was none');
  t.equal(setValue(FILE, 'other', 'aws_access_key_id', 'AKIANEW'), FILE.replace('= AKIAOTHER', '= AKIANEW'));
  t.equal(setValue('[m]\nregion = x\n\n[n]\n', 'm', 'aws_access_key_id', 'A'), '[m]\nregion = x\naws_access_key_id = A\n\n[n]\n');
  t.equal(setValue('[m]', 'm', 'k', 'v'), '[m]\nk = v\n', 'after a header without a newline');
  t.equal(setValue('[m]\r\n', 'm', 'k', 'v'), '[m]\r\nk = v\r\n', 'CRLF');
  t.throws(() => setValue(FILE, 'nope', 'k', 'v'), /no \[nope\] section/);
});

t.test('writeKeepingMode: atomic, mode kept, symlink followed, no temp left', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'credd-credfile-'));
  t.teardown(() => undefined);
  const f = join(dir, 'credentials');
  writeFileSync(f, 'old');
  chmodSync(f, 0o640);
  writeKeepingMode(f, 'new');
  t.equal(readFileSync(f, 'utf8'), 'new');
  t.equal(statSync(f).mode & 0o777, 0o640);
  const link = join(dir, 'link');
  symlinkSync(f, link);
  writeKeepingMode(link, 'via link');
  t.ok(lstatSync(link).isSymbolicLink(), 'the link stays a link');
  t.equal(readFileSync(f, 'utf8'), 'via link');
  const fresh = join(dir, 'fresh');
  writeKeepingMode(fresh, 'x');
  t.equal(statSync(fresh).mode & 0o777, 0o600, 'a new file is private');
  t.same(readdirSync(dir).sort(), ['credentials', 'fresh', 'link']);
  t.equal(readOrEmpty(join(dir, 'missing')), '');
  t.throws(() => readOrEmpty(dir), /EISDIR/);
  t.throws(() => writeKeepingMode(join(dir, 'no', 'such'), 'x'), /ENOENT/);
  t.throws(() => writeKeepingMode(dir, 'x'), /EISDIR|EEXIST|ENOTDIR/, 'a directory is not replaced');
  t.same(readdirSync(dir).sort(), ['credentials', 'fresh', 'link'], 'no temporary file left behind');
});
