/** `credd --help`. Keep in step with docs/commands.md. */
export const HELP = `credd — one MFA code, every AWS account, every SDK.

Usage: credd <command> [options]

Daemon
  daemon [--host ADDR] [--port N]   run the daemon in the foreground (port 0 picks a free one)
  start                             start the daemon in the background (does nothing if it runs)
  stop                              stop the daemon gracefully
  status [--json]                   what the daemon serves; exit 3 when it is not running

Everyday
  mfa [CODE] [--profile NAME]       start the MFA source session (prompts when no CODE)
  switch NAME [--no-wait]           make NAME the active profile, wait for its credentials
  profiles [--json]                 the profiles in your AWS config and their state
  env [NAME] [--imds] [--shell SH]  lines for eval "$(credd env)": point this shell at credd
  exec NAME -- CMD [ARGS...]        run CMD with NAME's credentials
  credential-process NAME           print credential_process JSON for NAME
  refresh [NAME]                    get new credentials now
  reload                            re-read the AWS config files
  logout [SESSION]                  forget every session and credential (SESSION: sign out of it only)
  console [NAME] [--stdout]         open the AWS console signed in as NAME (--long: up to 12 h)
  eks-token CLUSTER [--profile N]   kubectl exec plugin: an EKS token signed by the daemon

IAM Identity Center (SSO)
  login [SESSION] [--device-code] [--no-browser]
                                    sign in once for every SSO profile of SESSION
  sso roles [SESSION] [--config]    the accounts and roles the portal offers (--config: profiles)

Setup
  doctor [--json]                   what in this shell or the AWS files keeps the SDKs from credd
  prompt                            active profile and time left, for PS1 (silent without a daemon)
  service install|uninstall|status  start credd at login (systemd user unit / launchd agent)

Keys
  keys import|add|remove|list [PROFILE]  keep PROFILE's long-term keys in the OS keyring
  rotate PROFILE                    new access key with the MFA session held, old one deleted

Options
  --help        help for a command (credd <command> --help)
  --version     print the version
  --debug       show stack traces on errors

Files: AWS_CONFIG_FILE (~/.aws/config), AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials),
settings in $XDG_CONFIG_HOME/credd/config.ini. Docs: README.md and docs/.
`;

const VERBS: Record<string, string> = {
  daemon: `Usage: credd daemon [--host ADDR] [--port N] [--ecs-relative-uri]

Runs the daemon in the foreground (what systemd, launchd and docker run). It serves
credentials on http://ADDR:N (default 127.0.0.1:9911; CREDD_HOST/CREDD_PORT or the
settings file change it; --port 0 picks a free port) and listens for the CLI on a
Unix socket in the runtime directory. Logs go to stderr. Refuses to start when
another daemon of this user is running.
--ecs-relative-uri (setting ecs_relative_uri = true) serves /creds without the token, for
containers that use AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; it requires --host 169.254.170.2
(a container network, docker/compose.yaml) and is refused on any other address. Every
process that reaches that address gets credentials: see docs/configuration.md.
`,
  start: `Usage: credd start

Starts the daemon in the background if none is running, and waits until it answers.
Its log goes to the state directory (credd.log).
`,
  stop: `Usage: credd stop

Stops the running daemon gracefully. Sessions stay on disk for the next start.
`,
  status: `Usage: credd status [--json]

Shows whether the daemon runs, its endpoint, the active profile, the source sessions
with their expiry, the profiles being served and the last errors. Exit 3 when no
daemon runs.
`,
  mfa: `Usage: credd mfa [CODE] [--profile NAME]

Sends an MFA code to the daemon, which starts (or renews) the source session that the
active profile (or NAME) needs; every profile built on that session is then served
without another code. Without CODE, runs the profile's mfa_process if set, else asks
on the terminal (hidden input), else reads a line from standard input. mfa_process
is read from your AWS config by this command, never taken from the daemon.
A rejected code exits non-zero and keeps the previous session. Then waits up to 10 s
for the profile's credentials and says when they are ready.
`,
  switch: `Usage: credd switch NAME [--no-wait]

Makes NAME the active profile: what GET /creds and IMDS serve. Survives restarts.
Then waits (up to 10 s; not with --no-wait) until NAME's credentials are
in hand, so the first request of any SDK is answered at once:
"prod: credentials ready, 59m left". Exit 1 when they are not (the switch stands,
and the message says why). Says so when an MFA code is needed first.
`,
  profiles: `Usage: credd profiles [--json]

Lists the profiles of your AWS config with account, role, region, source, whether
they need MFA, and their state (ready, mfa-needed, available, error).
`,
  env: `Usage: credd env [NAME] [--imds] [--shell sh|fish|powershell]

Prints the lines that point a shell at credd: eval "$(credd env)" (fish: credd env
--shell fish | source; PowerShell: credd env --shell powershell | Out-String |
Invoke-Expression). Sets AWS_CONTAINER_CREDENTIALS_FULL_URI, the token and the
region, and unsets the variables that would win over credd (AWS_PROFILE,
AWS_ACCESS_KEY_ID, ...). With NAME the URI is pinned to that profile instead of
following \`credd switch\`; a running daemon starts fetching NAME at once. Works
whether or not the daemon runs. Prints nothing (exit 1) when another user holds the
port: the SDKs would send the token there.
--imds prints the EC2 instance-metadata form instead, for tools that read only IMDS:
AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:PORT/ (the active profile), and
unsets the container variables, which the SDKs would use first.
`,
  exec: `Usage: credd exec NAME -- CMD [ARGS...]

Runs CMD with the environment of \`credd env NAME\` and exits with its status.
`,
  'credential-process': `Usage: credd credential-process NAME

Prints NAME's credentials as credential_process JSON (Version 1), so that a profile
with credential_process = credd credential-process NAME works in any tool.
`,
  refresh: `Usage: credd refresh [NAME]

Gets new credentials for NAME (default: the active profile) now.
`,
  reload: `Usage: credd reload

Re-reads the AWS config and credentials files. A file that does not parse is
reported and the last good config is kept. Also re-reads the settings file and
names the keys that changed: settings apply when the daemon (re)starts.
`,
  doctor: `Usage: credd doctor [--json]

Checks this shell's environment and your AWS files for whatever would keep the SDKs from
using credd: keys or AWS_PROFILE in the environment, a [default] profile with keys or a
role, a missing or stale token, a URI the SDKs refuse or one that names another port than
the daemon's, no daemon, no active profile, an MFA code needed; in IMDS mode
(credd env --imds) also AWS_EC2_METADATA_DISABLED and IMDS switched off. Sends the request
an SDK in this shell would send (in IMDS mode: the token, the role list, the role) and warns
when the served credentials expire within 15 minutes; never prints them. Warns when no
login service is installed. One line per finding with its fix; --json prints {"ok",
"findings": [{"code", "severity", "message", "fix"}]}. Exit 1 when a finding stops the
SDKs (severity error), else 0.
`,
  prompt: `Usage: credd prompt

Prints the active profile and the time until the next MFA code is needed, e.g. "dev 42m"
or "dev 1h05m"; "dev mfa!" when a code is needed now. Prints nothing (exit 0) when no
profile is active or no daemon answers within half a second, so a prompt never shows an
error. docs/shell.md shows the PS1 (bash, zsh), fish and PowerShell set-up.
`,
  service: `Usage: credd service install|uninstall|status [--dry-run]

install: writes the login service with the real path of this node and credd, and starts it.
  Linux: ~/.config/systemd/user/credd.service (XDG_CONFIG_HOME honoured), then
  systemctl --user daemon-reload and systemctl --user enable --now credd.service.
  macOS: ~/Library/LaunchAgents/dev.credd.daemon.plist, then launchctl bootstrap gui/UID.
  A daemon already running (credd start) is stopped first so that the service takes over.
  Variables that choose credd's files (XDG_STATE_HOME, AWS_CONFIG_FILE, CREDD_PORT, ...)
  are copied from this shell into the unit.
uninstall: stops and disables the service and removes the file.
status: whether it is installed, enabled and running; exit 3 when it is not running.
--dry-run prints the files and commands instead of writing and running them.
`,
  keys: `Usage: credd keys import|add|remove|list [PROFILE]

Keeps long-term access keys in the OS keyring (Secret Service, macOS keychain, Windows
Credential Manager; setting keyring) instead of ~/.aws/credentials.
import PROFILE: moves aws_access_key_id/aws_secret_access_key of [PROFILE] from the
  credentials file into the keyring, then removes those two lines; the rest of the file
  (other sections, comments, order, mode) stays as it was, and so does an empty [PROFILE].
add PROFILE: asks for the key ID and the secret (hidden) on a terminal, else reads the
  two lines from standard input; never from the command line.
remove PROFILE: deletes PROFILE's keys from the keyring.
list: the profiles with keys in the keyring (never the secrets), and which of them still
  have a plaintext copy in the credentials file.
Keys in the keyring win over keys in the files. A running daemon reloads them at once.
With no usable keyring this is an error and nothing is written anywhere.
`,
  rotate: `Usage: credd rotate PROFILE

Rotates PROFILE's long-term access key in the daemon, with the MFA session it already
holds (no second code): CreateAccessKey; retries GetCallerIdentity with the new key until
it works (up to 10 tries, 2 s apart); stores it where the old one was (keyring or
credentials file); DeleteAccessKey of the old one. Any failure leaves a working key in
place and says which, and what is left to clean up. Refused when the IAM user already
has two keys (IAM's limit), naming both. No key crosses the command line or the socket.
`,
  console: `Usage: credd console [NAME] [--stdout] [--destination D] [--long] [--logout-first]

Opens the AWS Management Console signed in as NAME (default: the active profile), with
the credentials the daemon holds: no MFA code is asked for. The daemon asks the
partition's sign-in endpoint (aws, aws-cn, aws-us-gov; CREDD_SIGNIN_URL overrides it)
for a sign-in token and builds the login URL. How long the console session lasts:
  a role reached from the MFA session (role chaining): as long as those role
    credentials, at most 1 h; no SessionDuration is sent for them;
  --long: the role is assumed straight from the long-term keys with a new MFA code
    (prompted, or from mfa_process), for up to 12 h where the role allows it;
  a profile without a role: GetFederationToken from the long-term keys, 12 h, and
    this session carries no MFA context.
--stdout prints the URL instead of opening it. Otherwise the browser ($BROWSER, else
xdg-open or open) gets a private page (0600, deleted after a minute) that forwards to
it: the URL is a bearer credential for 15 minutes and is never logged or put in argv.
--destination picks the page: a service (s3), a console path (/s3/buckets) or an
https URL. --logout-first logs the browser out of the console first, so that another
account can be opened without the "log out first" page.
`,
  'eks-token': `Usage: credd eks-token CLUSTER [--profile NAME] [--region R] [--kubeconfig]

A kubectl exec credential plugin, like \`aws eks get-token\`, without starting Python:
prints the ExecCredential JSON (client.authentication.k8s.io/v1beta1, or v1 when
KUBERNETES_EXEC_INFO asks for it) with a token for CLUSTER. The daemon signs it with
NAME's credentials (default: the active profile) for R (default: the profile's
region) and hands out the same token for about 13 minutes. The token is valid for
15 minutes; expirationTimestamp is 14 minutes after signing, as the AWS CLI writes it.
--kubeconfig prints the users: entry to paste into your kubeconfig instead.
`,
  logout: `Usage: credd logout [SESSION]

Without SESSION: drops every source session and assumed-role credential, in memory and
on disk, forgets the active profile, and signs out of every IAM Identity Center session
(the portal's logout, and the cache file in ~/.aws/sso/cache removed, as aws sso logout).
With SESSION (an [sso-session] name, or a legacy SSO profile): signs out of that one only.
`,
  login: `Usage: credd login [SESSION] [--device-code] [--no-browser]

Signs in to an IAM Identity Center session ([sso-session SESSION] in your AWS config;
without SESSION, the active profile's session, or the only one). The daemon runs the
sign-in, one per session however many callers ask, and stores the token in
~/.aws/sso/cache, where the AWS CLI and every SDK find it too. Requests for credentials
never start a sign-in: they fail with LoginRequired until you run this.

By default: authorization code with PKCE. Opens $BROWSER (else xdg-open or open) on the
sign-in page, which comes back to http://127.0.0.1:PORT/oauth/callback.
  --no-browser    print the URL instead of opening a browser
  --device-code   for SSH and containers: print the verification URL and the code to
                  confirm there, then wait (no browser on this machine needed)
`,
  sso: `Usage: credd sso roles [SESSION] [--config] [--json]

Lists the accounts and roles the IAM Identity Center portal offers to SESSION (default:
the active profile's session, or the only one). Needs a sign-in (credd login).
  --config   print ready-to-paste [profile] stanzas instead
  --json     print one JSON document
`,
};

/** Help for one verb. */
export function helpFor(verb: string): string {
  return VERBS[verb] ?? HELP;
}
