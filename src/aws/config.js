import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
/**
 * Reads INI text as the AWS SDK for JavaScript does (botocore agrees on everything a
 * working config uses): `;`/`#` start a comment at the start of a line or after
 * whitespace, so `mfa_process = a;b` keeps its `;`; values stay strings (no `true`/`null`
 * conversion, no unquoting); dots in section names are plain characters (`[profile a.b]`);
 * a key with an empty value opens a sub-section whose indented keys become `parent.key`
 * (`sts =` / `  endpoint_url = …` in a `[services x]` section).
 */
function parseIni(text, file) {
    const sections = new Map();
    let current;
    let parent;
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.split(/(?:^|\s)[;#]/)[0].trim();
        if (line === '')
            return;
        const bad = (what) => new ConfigError(`${file} line ${i + 1} ${what}: fix it and run \`credd reload\`.`);
        const header = /^\[(.+)\]$/.exec(line);
        if (header) {
            const name = header[1].trim();
            current = sections.get(name) ?? new Map();
            sections.set(name, current);
            parent = undefined;
            return;
        }
        const eq = line.indexOf('=');
        if (eq <= 0)
            throw bad('is neither [section] nor key = value');
        if (!current)
            throw bad('comes before any [section]');
        const key = line.slice(0, eq).trim();
        const value = line.slice(eq + 1).trim();
        if (value === '') {
            parent = key;
            return;
        }
        if (parent !== undefined && !/^\s/.test(raw))
            parent = undefined;
        current.set(parent === undefined ? key : `${parent}.${key}`, value);
    });
    return sections;
}
/** Drops the fields that the files do not set, so a profile shows only what it has. */
function withoutUndefined(o) {
    for (const k of Object.keys(o))
        if (o[k] === undefined)
            delete o[k];
    return o;
}
function keysOf(section) {
    const accessKeyId = section.get('aws_access_key_id');
    const secretAccessKey = section.get('aws_secret_access_key');
    if (!accessKeyId || !secretAccessKey)
        return undefined;
    const sessionToken = section.get('aws_session_token');
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}
/** AssumeRole accepts 900 s to 12 hours (the role's own maximum may be lower; STS says so then). */
function durationOf(name, s, file) {
    if (s === undefined)
        return undefined;
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= 900 && n <= 43200)) {
        throw new ConfigError(`Profile "${name}" in ${file}: duration_seconds "${s}" must be a whole number from 900 to 43200.`);
    }
    return n;
}
/**
 * Parses the text of the AWS config and credentials files as the SDKs read them:
 * `[default]` and `[profile x]` in the config file, `[x]` in the credentials file,
 * whose keys win over keys in the config file.
 */
export function parseAwsConfig(configText, credentialsText, paths) {
    const config = parseIni(configText, paths.configFile);
    const creds = parseIni(credentialsText, paths.credentialsFile);
    const services = new Map();
    const profiles = new Map();
    for (const [section, body] of config) {
        const svc = /^services\s+(.+)$/.exec(section);
        const url = body.get('sts.endpoint_url');
        if (svc && url)
            services.set(svc[1], url);
    }
    const profileName = (section) => {
        if (section === 'default')
            return 'default';
        return /^profile\s+(.+)$/.exec(section)?.[1];
    };
    for (const [section, body] of config) {
        const name = profileName(section);
        if (!name)
            continue;
        const get = (key) => body.get(key);
        const servicesName = get('services');
        profiles.set(name, withoutUndefined({
            name,
            region: get('region'),
            sourceProfile: get('source_profile'),
            credentialSource: get('credential_source'),
            roleArn: get('role_arn'),
            mfaSerial: get('mfa_serial'),
            mfaProcess: get('mfa_process'),
            durationSeconds: durationOf(name, body.get('duration_seconds'), paths.configFile),
            externalId: get('external_id'),
            roleSessionName: get('role_session_name'),
            endpointUrl: get('endpoint_url'),
            stsEndpointUrl: servicesName ? services.get(servicesName) : undefined,
            keys: keysOf(body),
        }));
    }
    for (const [name, body] of creds) {
        const keys = keysOf(body);
        const existing = profiles.get(name) ?? { name };
        if (keys)
            existing.keys = keys;
        profiles.set(name, existing);
    }
    const defaultSection = creds.get('default');
    return { profiles, defaultHasKeys: defaultSection !== undefined && keysOf(defaultSection) !== undefined };
}
function readOptional(file) {
    try {
        return readFileSync(file, 'utf8');
    }
    catch (err) {
        if (err.code === 'ENOENT')
            return '';
        throw new ConfigError(`Cannot read ${file}: ${err.message}.`);
    }
}
/** Reads and parses both AWS files; a missing file counts as empty. */
export function loadAwsConfig(paths) {
    return parseAwsConfig(readOptional(paths.configFile), readOptional(paths.credentialsFile), paths);
}
