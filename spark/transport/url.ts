/** A parsed Spark Connect URL: `sc://host:port/;user_id=..;token=..;use_ssl=true;session_id=..`. */
export interface ChannelUrl {
  /** The URL as given, minus the token, for messages and logs. */
  display: string;
  host: string;
  port: number;
  useSsl: boolean;
  token?: string;
  userId: string;
  userAgent: string;
  sessionId?: string;
}

export const DEFAULT_PORT = 15002;
const KNOWN_PARAMS = new Set(['token', 'user_id', 'use_ssl', 'session_id', 'user_agent', 'grpc_max_message_size']);

export class ChannelUrlError extends Error {
  override name = 'ChannelUrlError';
}

export function parseChannelUrl(url: string): ChannelUrl {
  const match = /^sc:\/\/([^/:;]+|\[[0-9a-fA-F:]+\])(?::(\d+))?\/?(;.*)?$/.exec(url.trim());
  if (!match) throw new ChannelUrlError(`'${url}' is not a Spark Connect URL (expected sc://host:port/;key=value;...)`);
  const [, host, port, paramText] = match;
  const params: Record<string, string> = {};
  for (const pair of (paramText ?? '').split(';').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ChannelUrlError(`parameter '${pair}' of ${url} is not key=value`);
    const key = pair.slice(0, eq);
    if (!KNOWN_PARAMS.has(key)) throw new ChannelUrlError(`unknown parameter '${key}' in ${url} (known: ${[...KNOWN_PARAMS].join(', ')})`);
    params[key] = decodeURIComponent(pair.slice(eq + 1));
  }
  const portNumber = port ? Number(port) : DEFAULT_PORT;
  if (!(portNumber > 0 && portNumber < 65536)) throw new ChannelUrlError(`port ${port} of ${url} is out of range`);
  const useSsl = params.use_ssl === 'true';
  const bareHost = host!.replace(/^\[|\]$/g, '');
  if (params.token && !useSsl && !isLoopback(bareHost)) {
    // A bearer token in plaintext to another machine would give it away to anyone on the path.
    throw new ChannelUrlError(`${url.replace(/token=[^;]*/, 'token=***')} sends a token without TLS to a remote host; add ;use_ssl=true`);
  }
  return {
    display: url.replace(/token=[^;]*/, 'token=***'),
    host: bareHost,
    port: portNumber,
    useSsl,
    token: params.token,
    userId: params.user_id ?? process.env.USER ?? 'flight-radar',
    userAgent: params.user_agent ?? 'flight-radar-ts',
    sessionId: params.session_id,
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
