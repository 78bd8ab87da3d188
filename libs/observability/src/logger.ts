import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';

import { currentRequestScope } from './request-scope';

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
 * its middleware is not mounted: the gateway sets the request scope itself
 * (apps/api-gateway/src/http/fastify-http.ts) and every line picks the
 * request id up from that scope.
 */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: pinoOptions(options), forRoutes: [] });
}
