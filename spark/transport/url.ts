import net from 'node:net';

/**
 * A parsed Spark Connect URL:
 * `sc://host:port/;user_id=..;token=..;use_ssl=true;session_id=..;user_agent=..;grpc_max_message_size=..`.
 */
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
  /** The largest gRPC message sent or received, in bytes (one Arrow batch of a result must fit). */
  maxMessageSize: number;
}

const DEFAULT_PORT = 15002;
const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024 * 1024;
const KNOWN_PARAMS = new Set(['token', 'user_id', 'use_ssl', 'session_id', 'user_agent', 'grpc_max_message_size']);

export class ChannelUrlError extends Error {
  override name = 'ChannelUrlError';
}

export function parseChannelUrl(url: string): ChannelUrl {
  // Every message below names the URL this way, so a token never reaches a log.
  const display = url.replace(/token=[^;]*/, 'token=***');
  const match = /^sc:\/\/([^/:;]+|\[[0-9a-fA-F:]+\])(?::(\d+))?\/?(;.*)?$/.exec(url.trim());
  if (!match) throw new ChannelUrlError(`'${display}' is not a Spark Connect URL (expected sc://host:port/;key=value;...)`);
  const [, host = '', port, paramText] = match; // the pattern requires a host: it is never the default
  const params: Record<string, string> = {};
  for (const pair of (paramText ?? '').split(';').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ChannelUrlError(`parameter '${pair}' of ${display} is not key=value`);
    const key = pair.slice(0, eq);
    if (!KNOWN_PARAMS.has(key)) throw new ChannelUrlError(`unknown parameter '${key}' in ${display} (known: ${[...KNOWN_PARAMS].join(', ')})`);
    params[key] = decodeURIComponent(pair.slice(eq + 1));
  }
  const portNumber = port ? Number(port) : DEFAULT_PORT;
  if (!(portNumber > 0 && portNumber < 65536)) throw new ChannelUrlError(`port ${port} of ${display} is out of range`);
  const maxMessageSize = params.grpc_max_message_size === undefined ? DEFAULT_MAX_MESSAGE_SIZE : Number(params.grpc_max_message_size);
  // gRPC takes the limit as a 32-bit int.
  if (!Number.isInteger(maxMessageSize) || maxMessageSize <= 0 || maxMessageSize > 2 ** 31 - 1) {
    throw new ChannelUrlError(`grpc_max_message_size=${params.grpc_max_message_size} of ${display} is not a number of bytes from 1 to 2147483647`);
  }
  const useSsl = params.use_ssl === 'true';
  const bareHost = host.replace(/^\[|\]$/g, '');
  if (params.token && !useSsl && !isLoopback(bareHost)) {
    // A bearer token in plaintext to another machine would give it away to anyone on the path.
    throw new ChannelUrlError(`${display} sends a token without TLS to a remote host; add ;use_ssl=true`);
  }
  return {
    display,
    host: bareHost,
    port: portNumber,
    useSsl,
    token: params.token,
    userId: params.user_id ?? process.env.USER ?? 'flight-radar',
    userAgent: params.user_agent ?? 'flight-radar-ts',
    sessionId: params.session_id,
    maxMessageSize,
  };
}

function isLoopback(host: string): boolean {
  // A name that merely starts with '127.' (127.evil.example) can resolve anywhere: only an IPv4 literal is loopback.
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}
