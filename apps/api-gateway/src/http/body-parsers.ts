import { CommonError } from '@smartbeak/contracts';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

import { problem, sendProblem } from '../problem/problem';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Wraps an Express body parser so that its errors are problem+json too:
 * an oversized body is a 413, bad JSON a 400 — never Express's HTML page.
 */
function withProblems(parser: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (error?: unknown) => {
      if (!error) return next();
      const failure = error as BodyParserError;
      if (failure.type === 'entity.too.large') {
        return sendProblem(
          res,
          problem(
            413,
            CommonError.PAYLOAD_TOO_LARGE,
            `The body is larger than the limit of ${failure.limit} bytes`,
            {
              limit: failure.limit,
            },
          ),
        );
      }
      if (failure.type === 'entity.parse.failed') {
        return sendProblem(
          res,
          problem(400, CommonError.VALIDATION, 'The body is not valid JSON (or holds a NUL character)'),
        );
      }
      if (failure.type === 'encoding.unsupported' || failure.type === 'charset.unsupported') {
        return sendProblem(res, problem(415, 'HTTP.415', failure.message));
      }
      return sendProblem(
        res,
        problem(
          failure.status && failure.status < 500 ? failure.status : 400,
          CommonError.VALIDATION,
          'The body could not be read',
        ),
      );
    });
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** PostgreSQL text cannot hold U+0000: refuse it at the door rather than fail deep inside. */
function refuseNul(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.includes('\u0000'))
    throw new SyntaxError('NUL character in a string');
  return value;
}

/** JSON bodies only: a body of any other type is a 415, not a silently empty object. */
export function jsonBody(limit: number): RequestHandler {
  const parse = withProblems(express.json({ limit, strict: true, type: JSON_TYPES, reviver: refuseNul }));
  return (req, res, next) => {
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is(JSON_TYPES)) {
      return sendProblem(res, problem(415, 'HTTP.415', 'Send the body as application/json'));
    }
    return parse(req, res, next);
  };
}

/** Webhooks are verified over their exact bytes. */
export function rawBody(limit: number): RequestHandler {
  return withProblems(express.raw({ limit, type: () => true }));
}
