import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** Structured JSON logs for a Nest process; HTTP access logs carry the request id. */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      ...pinoOptions(options),
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = requestIdOf(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      customProps: (req: IncomingMessage) => ({ requestId: (req as IncomingMessage & { id?: string }).id }),
      autoLogging: {
        ignore: (req: IncomingMessage) => /^\/(health|metrics)|^\/api\/health/.test(req.url ?? ''),
      },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
}
