import { type TargetType, type TargetTestResultDto } from '@smartbeak/contracts';
import {
  OutboundFailedError,
  type OutboundPolicy,
  OutboundRefusedError,
  type OutboundRequest,
  type OutboundResponse,
  outboundRequest,
  retryAfterMs,
} from '@smartbeak/outbound';

/** What a job publishes: the item as it was when the job was made. */
export interface PublishableContent {
  id: string;
  version: number;
  title: string;
  slug: string;
  body: string;
  excerpt: string;
  tags: string[];
  /** Where the item lives on its own site (`https://<domain hostname>/<slug>`). */
  url: string;
  /** A media-library image to feature (WordPress uploads it as the post's featured media). */
  featuredImage?: { url: string; filename: string; contentType: string } | null;
}

export interface ResolvedTarget {
  id: string;
  type: TargetType;
  config: Record<string, unknown>;
  secret: Record<string, unknown>;
}

export interface PostRef {
  externalId: string;
  externalUrl: string | null;
}

/**
 * How one call to a destination ended:
 * - `succeeded`: it holds the post;
 * - `refused`: it said no (4xx) — this target fails, the others go on;
 * - `transient`: worth retrying later (timeouts before sending, 429, 5xx);
 * - `unknown`: the request went out and no answer came — never retried blindly;
 * - `invalid`: the job cannot succeed as it is (bad configuration) — dead-lettered at once.
 */
export type Outcome =
  | ({ kind: 'succeeded' } & PostRef)
  | { kind: 'refused'; message: string }
  | { kind: 'transient'; message: string; retryAfterMs?: number }
  | { kind: 'unknown'; message: string }
  | { kind: 'invalid'; message: string };

/** Thrown by an adapter's `reconcile` when it could not tell whether the destination has the post. */
export class ReconcileFailed extends Error {
  constructor(readonly outcome: Outcome) {
    super('message' in outcome ? outcome.message : 'lookup failed');
  }
}

export interface PublishingAdapter {
  /** Creates the post, or updates `previous` when the destination already holds one for this item. */
  publish(content: PublishableContent, target: ResolvedTarget, previous: PostRef | null): Promise<Outcome>;
  /**
   * After an interrupted or unanswered try: the post that try made, if any.
   * Absent when the destination offers no way to look (the target goes `unconfirmed`).
   */
  reconcile?(content: PublishableContent, target: ResolvedTarget): Promise<PostRef | null>;
  /** Checks credentials and reachability without publishing. */
  test(target: ResolvedTarget): Promise<TargetTestResultDto>;
}

/** An HTTP answer that is not a success, as an outcome. */
export function outcomeOfStatus(res: OutboundResponse, what: string): Outcome {
  const detail = errorDetail(res);
  if (res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500) {
    return {
      kind: 'transient',
      message: `${what}: ${res.status} ${detail}`,
      retryAfterMs: retryAfterMs(res.headers['retry-after']),
    };
  }
  if (res.status === 401 || res.status === 403) {
    return { kind: 'refused', message: `${what}: ${res.status} authentication failed (${detail})` };
  }
  return { kind: 'refused', message: `${what}: ${res.status} ${detail}` };
}

/** A failed exchange, as an outcome. */
export function outcomeOfError(error: unknown, what: string): Outcome {
  if (error instanceof OutboundRefusedError) return { kind: 'invalid', message: `${what}: ${error.message}` };
  if (error instanceof OutboundFailedError) {
    return error.sent
      ? { kind: 'unknown', message: `${what}: no answer (${error.message})` }
      : { kind: 'transient', message: `${what}: ${error.message}` };
  }
  throw error;
}

function errorDetail(res: OutboundResponse): string {
  try {
    const body = res.json<{ code?: string; message?: string }>();
    if (body && typeof body === 'object')
      return [body.code, body.message].filter(Boolean).join(': ').slice(0, 500);
  } catch {
    // not JSON
  }
  return res.text().slice(0, 200);
}

/** The outbound client with a policy bound. */
export type Http = (url: string, request?: OutboundRequest) => Promise<OutboundResponse>;

export function httpWith(policy: OutboundPolicy): Http {
  return (url, request) => outboundRequest(url, request, policy);
}
