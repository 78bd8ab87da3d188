import { CommonError } from '@smartbeak/contracts';
import { httpRequestDuration, runInRequestScope } from '@smartbeak/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type pino from 'pino';

import { problem } from '../problem/problem';

/** application/json and application/*+json (problem+json, merge-patch+json, …). */
const JSON_TYPES = /^application\/([\w.+-]+\+)?json$/;
const QUIET_PATHS = /^\/(health|metrics)|^\/api\/health/;

/** PostgreSQL text cannot hold U+0000, and `__proto__` keys are a pollution vector: refuse both at the door. */
function strictReviver(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('__proto__ is not allowed');
  if (typeof value === 'string' && value.includes('\u0000'))
    throw new SyntaxError('NUL character in a string');
  return value;
}

/**
 * JSON bodies for the gateway: size-limited by Fastify (413 beyond
 * `bodyLimit`), parsed strictly, and kept as `rawBody` for webhooks, whose
 * signatures cover the exact bytes. Other content types get Fastify's 415.
 */
export function registerJsonBodies(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(
    JSON_TYPES,
    { parseAs: 'buffer', bodyLimit },
    (req, body: string | Buffer, done) => {
      const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
      (req as FastifyRequest & { rawBody?: Buffer }).rawBody = raw;
      try {
        done(null, raw.length ? JSON.parse(raw.toString('utf8'), strictReviver) : undefined);
      } catch {
        done(
          Object.assign(new Error('The body is not valid JSON (or holds a NUL character)'), {
            statusCode: 400,
            code: 'SMARTBEAK_BAD_JSON',
          }),
          undefined,
        );
      }
    },
  );
}

/**
 * Form bodies (`application/x-www-form-urlencoded`): only provider webhooks
 * send them (Twilio), so they are kept raw too and parsed into a flat object
 * of strings (a repeated name keeps its last value).
 */
export function registerFormBodies(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit },
    (req, body: string | Buffer, done) => {
      const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
      (req as FastifyRequest & { rawBody?: Buffer }).rawBody = raw;
      done(null, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
    },
  );
}

/** The headers a reply carries so far, for a head written on its raw response (a hijacked reply). */
export function headersOf(reply: FastifyReply): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) headers[name] = value;
  return headers;
}

/**
 * Writes the head of a server-sent event stream on a hijacked reply, with the
 * headers the reply already carries (request id, security headers).
 */
export function writeEventStreamHead(reply: FastifyReply): ServerResponse {
  return reply.raw.writeHead(200, {
    ...headersOf(reply),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
}

/** Fastify's own refusals (body too large, bad media type, bad JSON) as problems. */
export function fastifyErrorProblem(error: unknown) {
  const failure = error as { statusCode?: number; code?: string; message?: string };
  if (
    typeof failure?.statusCode !== 'number' ||
    failure.statusCode >= 500 ||
    typeof failure.code !== 'string'
  )
    return null;
  switch (failure.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, CommonError.PAYLOAD_TOO_LARGE, 'The body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'HTTP.415', 'Send the body as application/json');
    default:
      return problem(
        failure.statusCode,
        CommonError.VALIDATION,
        failure.message ?? 'The request could not be read',
      );
  }
}

/**
 * Helmet's headers, worked out once: without a CSP (the console's own is
 * web-app.ts's) they are the same on every reply. Running helmet's eleven
 * middlewares on each request, each setting its header on the raw response,
 * cost a cached read ~8 % of its CPU and put all of the reply's headers on
 * Node's slower path (set one by one, then merged).
 */
export function securityHeadersOf(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, collector as unknown as ServerResponse, () => undefined);
  return Object.freeze(headers);
}

/**
 * Of helmet's headers, those that mean something on an answer no browser
 * renders as a page (JSON, problem+json): HTTPS only, no type sniffing, not
 * readable cross-site without CORS, not framed. The others — opener and
 * agent-cluster isolation, referrer policy, DNS prefetch, IE's download
 * prompt, Flash and PDF policy files, the XSS auditor — act only on
 * documents, and cost each of the API's answers ~350 bytes.
 */
const NON_DOCUMENT_HEADERS = new Set([
  'strict-transport-security',
  'x-content-type-options',
  'cross-origin-resource-policy',
  'x-frame-options',
]);

/** The part of `headers` (securityHeadersOf's) an API answer carries. */
function apiSecurityHeadersOf(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return Object.freeze(
    Object.fromEntries(Object.entries(headers).filter(([name]) => NON_DOCUMENT_HEADERS.has(name))),
  );
}

/** The API's answers (JSON or problem+json); its HTML pages (OpenAPI's, the queue dashboard) are documents. */
const API_ANSWERS = /^\/(?:api\/(?!docs|admin\/queues)|health\/)/;

/**
 * Each request's id (echoed `x-request-id` or a new one) and the security
 * headers (all of `headers` on a document, apiSecurityHeadersOf's part on an
 * API answer) on its reply, its request scope for logs and RPC, its duration
 * per route, and one access line at info level.
 */
export function registerRequestScope(
  fastify: FastifyInstance,
  log: pino.Logger,
  headers: Readonly<Record<string, string>>,
): void {
  const apiHeaders = apiSecurityHeadersOf(headers);
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.headers(API_ANSWERS.test(req.url) ? apiHeaders : headers).header('x-request-id', req.id);
    runInRequestScope({ requestId: req.id }, done);
  });
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    httpRequestDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (log.isLevelEnabled('info') && !QUIET_PATHS.test(req.url)) {
      log.info(
        {
          requestId: req.id,
          method: req.method,
          url: req.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'request',
      );
    }
    done();
  });
}
