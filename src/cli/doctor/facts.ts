/** One problem `credd doctor` found. `error` stops the SDKs from getting credentials from credd. */
export interface Finding {
  /** Stable, for scripts: e.g. `EnvProfile`, `TokenStale`, `MfaRequired`. */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  fix: string;
}

/** What the endpoint answered to the request an SDK in this shell would make. */
export type ProbeResult =
  /** What it answered: the error's code and message, or of credentials only their `Expiration`. */
  { url: string; status: number; code?: string; message?: string; expiration?: string } | { url: string; error: string };

/** What doctor knows about IAM Identity Center in the AWS files and the shared token cache. */
export interface SsoFacts {
  /** Profiles in the legacy form (start URL in the profile, no sso_session). */
  legacy: string[];
  /** Profiles whose sso_session names no [sso-session] section. */
  missingSession: Array<{ profile: string; session: string }>;
  /** Sessions whose cached client registration has expired. */
  registrationExpired: string[];
  /** The session of the profile this shell uses, when it has no usable token. */
  signedOut?: string;
}

/** Everything `credd doctor` looks at, gathered by the command; `diagnose` only reasons. */
export interface DoctorFacts {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** The daemon's token (its token file), if there is one. */
  daemonToken?: string;
  /** What the file named by AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE holds, or why it cannot be read. */
  envTokenFile?: { value: string } | { error: string };
  aws: {
    configFile: string;
    credentialsFile: string;
    /** Why the AWS files do not parse, if they do not. */
    error?: string;
    /** Keys of `[default]` in the config file and in the credentials file. */
    defaultConfigKeys: string[];
    defaultCredentialsKeys: string[];
    /** `credential_process` of `[default]` in the config file. */
    defaultCredentialProcess?: string;
    /** `credential_process` of the profile AWS_PROFILE (or AWS_DEFAULT_PROFILE) names. */
    envProfileProcess?: string;
    /** `region` of `[default]`, which the SDKs use when no variable sets one. */
    defaultRegion?: string;
    /** What the SDKs (and credd) skip in the files: stray lines, unknown sections. */
    ignored?: string[];
  };
  /** Why the runtime directory (control socket, token) is refused, if it is. */
  runtimeDirError?: string;
  /** Another user listening on the port the shell (or credd's settings) point at: "nobody (uid 65534), pid 4242". */
  portHolder?: { address: string; holder: string };
  /** The daemon's status, or undefined when none answers on the control socket. */
  daemon?: { endpoint: string; activeProfile?: string; configError?: string; imds?: boolean };
  /** The login service (systemd unit, launchd agent); undefined where credd has none (Windows). */
  service?: { file: string; installed: boolean };
  /** The profile the shell's URI asks for (undefined: the active one, and always in IMDS mode). */
  pinnedProfile?: string;
  /** The source session of that profile: its expiry, or 'missing'. Undefined when it needs none. */
  session?: { expiration: string } | 'missing';
  /** The request an SDK in this shell would make (container URI or the IMDS walk). */
  probe?: ProbeResult;
  /** IAM Identity Center: legacy profiles, missing sessions, expired registrations, a signed-out session. */
  sso?: SsoFacts;
  now: number;
}

/** Where a check reports what it found. */
export type Add = (x: Finding) => void;

/** The fix for most shell findings: the line that points the shell at credd. */
export const EVAL = 'eval "$(credd env)"';
/** The same in IMDS mode. */
export const EVAL_IMDS = 'eval "$(credd env --imds)"';

/** A `credential_process` that asks credd is credd, not a competitor. */
export const runsCredd = (cmd: string | undefined) => cmd !== undefined && /\bcredd(\.js)?\s+credential-process\b/.test(cmd);

/** Whether the SDKs in this shell would go to IMDS: only when neither container variable is set. */
export const imdsMode = (e: DoctorFacts['env']) =>
  !e.AWS_CONTAINER_CREDENTIALS_FULL_URI && !e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI && Boolean(e.AWS_EC2_METADATA_SERVICE_ENDPOINT);
