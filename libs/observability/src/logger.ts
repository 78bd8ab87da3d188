import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';

import { httpRequestDuration } from './metrics';
import { currentRequestScope, runInRequestScope } from './request-scope';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echoes a sane incoming `x-request-id`, or makes one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const value = Array.isArray(given) ? given[0] : given;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

export interface LoggingOptions {
  service: string;
  level: string;
  /** Pretty, single-line output is for people; JSON is for machines (the default). */
  pretty?: boolean;
}

/** Base pino options shared by HTTP and non-HTTP code: JSON, service name, request id from the scope. */
export function pinoOptions({ service, level }: LoggingOptions): pino.LoggerOptions {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.applicationPassword',
        '*.accessToken',
      ],
      censor: '[redacted]',
    },
    mixin() {
      const scope = currentRequestScope();
      return scope ? { requestId: scope.requestId, userId: scope.userId, orgId: scope.orgId } : {};
    },
  };
}

/**
 * Structured JSON logs for a Nest process. pino-http's per-request child
 * loggers cost more CPU than the rest of a gateway request (profiled), so
 * its middleware is not mounted: HTTP processes use httpRequestScope below,
 * and every line picks the request id up from the request scope instead.
 */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: pinoOptions(options), forRoutes: [] });
}

const QUIET_PATHS = /^\/(health|metrics)|^\/api\/health/;

/**
 * Express middleware: gives each request its id (echoed `x-request-id` or a
 * new one) and a request scope, records its duration per route, and logs
 * one access line at info level.
 */
export function httpRequestScope(log: pino.Logger) {
  return (
    req: IncomingMessage & { id?: string; route?: { path?: string }; baseUrl?: string },
    res: ServerResponse,
    next: () => void,
  ): void => {
    const requestId = requestIdOf(req);
    req.id = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      httpRequestDuration.observe(
        { method: req.method ?? '', route, status: String(res.statusCode) },
        seconds,
      );
      if (log.isLevelEnabled('info') && !QUIET_PATHS.test(req.url ?? '')) {
        log.info(
          {
            requestId,
            method: req.method,
            url: req.url,
            status: res.statusCode,
            ms: Math.round(seconds * 1000),
          },
          'request',
        );
      }
    });
    runInRequestScope({ requestId }, next);
  };
}
