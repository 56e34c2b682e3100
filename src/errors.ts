/*
 * Error replies, with Redis's exact texts. Every handler takes its error
 * strings from here; the writer adds the leading '-' and CRLF.
 */

export const E = {
  SYNTAX: 'ERR syntax error',
  WRONGTYPE: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  NOT_INTEGER: 'ERR value is not an integer or out of range',
  NOT_FLOAT: 'ERR value is not a valid float',
  OVERFLOW: 'ERR increment or decrement would overflow',
  INCR_NAN: 'ERR increment would produce NaN or Infinity',
  NO_SUCH_KEY: 'ERR no such key',
  OUT_OF_RANGE: 'ERR index out of range',
  INVALID_DB: 'ERR DB index is out of range',
  SAME_OBJECT: 'ERR source and destination objects are the same',
  INVALID_EXPIRE: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  STRING_TOO_LONG: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  BIT_OFFSET: 'ERR bit offset is not an integer or out of range',
  BIT_VALUE: 'ERR bit is not an integer or out of range',
  NOAUTH: 'NOAUTH Authentication required.',
  WRONGPASS: 'WRONGPASS invalid username-password pair or user is disabled.',
  AUTH_NOPASS: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  UNKNOWN_CMD: (name: string, args: string[]) => {
    let a = '';
    for (let i = 1; i < args.length && a.length < 128; i++) a += `'${sanitize(args[i], 128 - a.length)}' `;
    return `ERR unknown command '${sanitize(name, 128)}', with args beginning with: ${a}`;
  },
  UNKNOWN_SUBCMD: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${sanitize(sub, 128)}'. Try ${cmd.toUpperCase()} HELP.`,
  WRONG_ARITY: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  NOT_IN_MULTI: 'ERR EXEC without MULTI',
  MULTI_NESTED: 'ERR MULTI calls can not be nested',
  DISCARD_NO_MULTI: 'ERR DISCARD without MULTI',
  WATCH_IN_MULTI: 'ERR WATCH inside MULTI is not allowed',
  EXECABORT: 'EXECABORT Transaction discarded because of previous errors.',
  NO_PROTO: 'NOPROTO unsupported protocol version',
  ONLY_PUBSUB: (cmd: string) =>
    `ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  OOM: "OOM command not allowed when used memory > 'maxmemory'.",
  BUSYKEY: 'BUSYKEY Target key name already exists.',
  TIMEOUT_NEG: 'ERR timeout is negative',
  TIMEOUT_INVALID: 'ERR timeout is not a float or out of range',
  TIMEOUT_RANGE: 'ERR timeout is out of range',
  NEG_LENGTH: 'ERR value is out of range, must be positive',
  LCS_STRINGS: 'ERR The specified keys must contain string values',
  // Transactions, client-side caching, client control.
  NO_MULTI: 'ERR Command not allowed inside a transaction',
  EXECABORT_BECAUSE: (err: string) => `EXECABORT Transaction discarded because of: ${err}`,
  TRACKING_REDIR_MISSING: 'ERR The client ID you want redirect to does not exist',
  TRACKING_REDIR_TWICE: 'ERR A client can only redirect to a single other client',
  TRACKING_PREFIX_NO_BCAST: 'ERR PREFIX option requires BCAST mode to be enabled',
  TRACKING_BCAST_SWITCH: "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
  TRACKING_OPT_BCAST: 'ERR OPTIN and OPTOUT are not compatible with BCAST',
  TRACKING_OPTIN_OPTOUT: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  TRACKING_OPT_SWITCH: "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
  TRACKING_PREFIX_EXISTING: (p: string, q: string) =>
    `ERR Prefix '${p}' overlaps with an existing prefix '${q}'. Prefixes for a single client must not overlap.`,
  TRACKING_PREFIX_OTHER: (p: string, q: string) =>
    `ERR Prefix '${p}' overlaps with another provided prefix '${q}'. Prefixes for a single client must not overlap.`,
  CACHING_NOT_TRACKING: 'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
  CACHING_YES_OPTIN: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.',
  CACHING_NO_OPTOUT: 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.',
  NO_SUCH_CLIENT: 'ERR No such client',
  NO_SUCH_USER: (u: string) => `ERR No such user '${u}'`,
  CLIENT_ID_POSITIVE: 'ERR client-id should be greater than 0',
  CLIENT_TYPE: (t: string) => `ERR Unknown client type '${t}'`,
  PAUSE_MODE: 'ERR CLIENT PAUSE mode must be WRITE or ALL',
  PAUSE_TIMEOUT: 'ERR timeout is not an integer or out of range',
};

/** Quote-safe excerpt of client input for error messages (as Redis's sdscatrepr-less truncation). */
function sanitize(s: string, max: number): string {
  let out = s.length > max ? s.slice(0, max) : s;
  // Errors must stay on one line.
  out = out.replace(/[\r\n]/g, ' ');
  return out;
}
