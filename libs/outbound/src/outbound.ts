import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

import ipaddr from 'ipaddr.js';

/**
 * What outbound calls to user-supplied URLs may reach. Private, loopback,
 * link-local and other non-public addresses are refused unless allowed by
 * name or range; plain http is refused unless allowed.
 */
export interface OutboundPolicy {
  /** Host names, addresses or CIDR ranges reachable even though they are not public. */
  allow: string[];
  allowHttp: boolean;
  /** For the whole exchange, redirects included. */
  timeoutMs: number;
  maxResponseBytes: number;
  maxRedirects: number;
}

export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = {
  allow: [],
  allowHttp: false,
  timeoutMs: 15_000,
  maxResponseBytes: 5 * 1024 * 1024,
  maxRedirects: 3,
};

/** The request was not sent: the destination is not allowed. Never worth retrying. */
export class OutboundRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

/**
 * The exchange failed. `sent` says whether the request may have reached the
 * destination (it was written in full before the failure): if so, its
 * outcome is unknown and a blind retry could do the thing twice.
 */
export class OutboundFailedError extends Error {
  constructor(
    message: string,
    readonly sent: boolean,
  ) {
    super(message);
    this.name = 'OutboundFailedError';
  }
}

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
  text(): string;
  json<T = unknown>(): T;
}

/** IPv6's global unicast block; everything outside it (IPv4-compatible `::a.b.c.d` included) is not the public internet. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Plain public unicast only, by allow-list rather than a list of what to
 * refuse: ipaddr.js's `unicast` range (every special-purpose block it knows
 * — private, loopback, link-local, CGNAT, site-local, discard, ORCHID,
 * documentation, NAT64, 6to4, Teredo… — has a name of its own), and for
 * IPv6 inside 2000::/3.
 */
function isPublicUnicast(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.range() !== 'unicast') return false;
  return address.kind() === 'ipv4' || address.match(GLOBAL_UNICAST_V6);
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Allow-list entries: a host name, an address or a CIDR range (any port), or
 * `host:port`, `address:port`, `[v6 address]:port` (that port only).
 */
function parsePolicyRanges(allow: string[]): {
  names: Map<string, number | null>[];
  ranges: [Range, number | null][];
} {
  const names: Map<string, number | null>[] = [];
  const ranges: [Range, number | null][] = [];
  for (const raw of allow.map((value) => value.trim().toLowerCase()).filter(Boolean)) {
    const withPort = /^\[([^\]]+)\]:(\d{1,5})$/.exec(raw) ?? /^([^:[\]]+):(\d{1,5})$/.exec(raw);
    const entry = withPort ? (withPort[1] as string) : raw.replace(/^\[|\]$/g, '');
    const port = withPort ? Number(withPort[2]) : null;
    if (entry.includes('/') && ipaddr.isValidCIDR(entry)) ranges.push([ipaddr.parseCIDR(entry), port]);
    else if (ipaddr.isValid(entry)) {
      const address = normalise(ipaddr.parse(entry));
      ranges.push([[address, address.kind() === 'ipv4' ? 32 : 128], port]);
    } else names.push(new Map([[entry, port]]));
  }
  return { names, ranges };
}

function normalise(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/**
 * Whether `address` (resolved for `host`) may be reached under `policy`, on
 * `port` (entries with a port match that port only; without `port`, only
 * entries for any port count).
 */
export function isAddressAllowed(
  address: string,
  host: string,
  policy: Pick<OutboundPolicy, 'allow'>,
  port?: number,
): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = normalise(ipaddr.parse(address));
  if (isPublicUnicast(parsed)) return true;
  const { names, ranges } = parsePolicyRanges(policy.allow);
  const portFits = (allowed: number | null) => allowed === null || allowed === port;
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (names.some((entry) => entry.has(name) && portFits(entry.get(name) ?? null))) return true;
  return ranges.some(
    ([[range, bits], allowed]) =>
      range.kind() === parsed.kind() && parsed.match(range, bits) && portFits(allowed),
  );
}

/** The port a URL connects to. */
function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Which address a name resolved to stays out of the message: a tenant learns nothing of our network. */
function notReachable(host: string): string {
  return `${host} is not a destination outbound calls may reach (it resolves to a non-public address)`;
}

/** A DNS lookup that answers only with addresses the policy allows (checked at connect: no rebinding). */
function guardedLookup(policy: OutboundPolicy, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const refused = addresses.find((entry) => !isAddressAllowed(entry.address, hostname, policy, port));
      if (refused || !addresses.length) {
        const refusal = new OutboundRefusedError(notReachable(hostname));
        return callback(refusal as NodeJS.ErrnoException, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/**
 * An HTTP(S) request to a URL someone else chose: checked against the
 * policy before it leaves (scheme, literal addresses) and at connect time
 * (every resolved address), redirects followed by hand and checked again,
 * bounded in time and in response size.
 */
export async function outboundRequest(
  url: string,
  request: OutboundRequest = {},
  policy: OutboundPolicy = DEFAULT_OUTBOUND_POLICY,
): Promise<OutboundResponse> {
  const deadline = Date.now() + policy.timeoutMs;
  let current = url;
  let method = (request.method ?? 'GET').toUpperCase();
  let body = request.body;
  for (let redirects = 0; ; redirects++) {
    const response = await exchange(current, { ...request, method, body }, policy, deadline);
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location && response.status !== 304) {
      if (redirects >= policy.maxRedirects) {
        throw new OutboundFailedError(`more than ${policy.maxRedirects} redirects from ${url}`, true);
      }
      const next = new URL(location, current);
      // Credentials are for the origin they were given to: never carried to another one.
      if (next.origin !== new URL(current).origin) request = withoutCredentials(request);
      current = next.toString();
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    return response;
  }
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

function withoutCredentials(request: OutboundRequest): OutboundRequest {
  if (!request.headers) return request;
  return {
    ...request,
    headers: Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
    ),
  };
}

function checkUrl(raw: string, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefusedError(`${raw} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new OutboundRefusedError(`${url.protocol.replace(':', '')} URLs are not allowed (https only)`);
  }
  if (url.username || url.password) throw new OutboundRefusedError('URLs with credentials are not allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isAddressAllowed(host, host, policy, portOf(url))) {
    throw new OutboundRefusedError(`${host} is not an address outbound calls may reach`);
  }
  return url;
}

/** An idle kept-alive connection is closed after this long (below the usual server's 5 s). */
const IDLE_SOCKET_MS = 4_000;

/**
 * Kept-alive connections, one pool per policy: a worker posting to one site
 * reuses its connection (and TLS session) instead of a new one per call.
 * A socket is checked by the policy's guarded lookup when it connects, and
 * only a call under the same policy reuses it.
 */
const agentsOf = new WeakMap<OutboundPolicy, { http: HttpAgent; https: HttpsAgent }>();

function agentFor(policy: OutboundPolicy, https: boolean): HttpAgent | HttpsAgent {
  let agents = agentsOf.get(policy);
  if (!agents) {
    const options = {
      keepAlive: true,
      timeout: IDLE_SOCKET_MS,
      maxFreeSockets: 64,
      scheduling: 'lifo' as const,
    };
    agents = { http: new HttpAgent(options), https: new HttpsAgent(options) };
    agentsOf.set(policy, agents);
  }
  return https ? agents.https : agents.http;
}

function exchange(
  raw: string,
  request: OutboundRequest & { method: string },
  policy: OutboundPolicy,
  deadline: number,
  reuse = true,
): Promise<OutboundResponse> {
  const url = checkUrl(raw, policy);
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new OutboundFailedError(`timed out calling ${url.host}`, false));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  return new Promise((resolve, reject) => {
    let written = false;
    let settled = false;
    let answered = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(
        error instanceof OutboundRefusedError || error instanceof OutboundFailedError
          ? error
          : new OutboundFailedError(`${url.host}: ${error.message}`, written),
      );
    };
    const req = send(url, {
      method: request.method,
      headers: {
        'user-agent': 'SmartBeak/1.0 (+https://smartbeak.example)',
        ...request.headers,
        ...(body ? { 'content-length': String(body.length) } : {}),
      },
      lookup: guardedLookup(policy, portOf(url)),
      // A retry after a stale kept-alive connection takes a new one of its own.
      agent: reuse ? agentFor(policy, url.protocol === 'https:') : false,
    });
    const timer = setTimeout(
      () =>
        fail(new OutboundFailedError(`${url.host} did not answer within ${policy.timeoutMs} ms`, written)),
      remaining,
    );
    req.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (
        req.reusedSocket &&
        !written &&
        !answered &&
        (code === 'ECONNRESET' || code === 'EPIPE') &&
        !settled
      ) {
        // A kept-alive connection the site had closed, found dead before the request was out:
        // nothing reached the site, so it goes once more on a new connection. Once written,
        // a reset is an unknown outcome like any other (never resent blindly).
        settled = true;
        clearTimeout(timer);
        resolve(exchange(raw, request, policy, deadline, false));
        return;
      }
      // The lookup's refusal surfaces here, wrapped by net; keep its meaning.
      const cause = (error as { cause?: unknown }).cause;
      fail(
        error instanceof OutboundRefusedError ? error : cause instanceof OutboundRefusedError ? cause : error,
      );
    });
    req.on('finish', () => {
      written = true;
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > policy.maxResponseBytes) {
          fail(
            new OutboundFailedError(`${url.host} answered more than ${policy.maxResponseBytes} bytes`, true),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => fail(error));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const payload = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: payload,
          url: url.toString(),
          text: () => payload.toString('utf8'),
          json: <T>() => JSON.parse(payload.toString('utf8') || 'null') as T,
        });
      });
    });
    req.end(body);
  });
}

/**
 * Whether `url` is a destination the policy allows (scheme, and every
 * address its host resolves to), without sending anything — to refuse a
 * bad destination when it is configured rather than when it is first used.
 */
export async function assertOutboundAllowed(url: string, policy: OutboundPolicy): Promise<void> {
  const parsed = checkUrl(url, policy);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return;
  const addresses = await new Promise<LookupAddress[]>((resolve) =>
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found)),
  );
  // An unresolvable name is for the connection test to report; the guard runs again at connect.
  const refused = addresses.find((entry) => !isAddressAllowed(entry.address, host, policy, portOf(parsed)));
  if (refused) throw new OutboundRefusedError(notReachable(host));
}

/** `OUTBOUND_ALLOWLIST`-style text → a policy (comma-separated hosts, addresses, CIDRs). */
export function outboundPolicy(options: Partial<OutboundPolicy> & { allowList?: string }): OutboundPolicy {
  const { allowList, ...rest } = options;
  return {
    ...DEFAULT_OUTBOUND_POLICY,
    ...rest,
    allow: [...(rest.allow ?? []), ...(allowList ?? '').split(',')]
      .map((value) => value.trim())
      .filter(Boolean),
  };
}

/** The `OUTBOUND_*` settings of a service that calls out (OutboundServiceConfig). */
export interface OutboundSettings {
  OUTBOUND_ALLOWLIST: string;
  OUTBOUND_ALLOW_HTTP: boolean;
  OUTBOUND_TIMEOUT_MS: number;
}

export function outboundPolicyOf(config: OutboundSettings): OutboundPolicy {
  return outboundPolicy({
    allowList: config.OUTBOUND_ALLOWLIST,
    allowHttp: config.OUTBOUND_ALLOW_HTTP,
    timeoutMs: config.OUTBOUND_TIMEOUT_MS,
  });
}

/** A `Retry-After` header (seconds, or an HTTP date) in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
