import createClient from 'openapi-fetch';

import type { paths } from './schema';

/** An RFC 9457 problem from the API, with its per-field errors. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string | null,
    readonly fields: { field: string; message: string }[],
  ) {
    super(detail || title);
  }

  /** The message for one form field, if the API named it. */
  field(name: string): string | undefined {
    return this.fields.find((f) => f.field === name)?.message;
  }
}

/**
 * The gateway's API, typed from its OpenAPI document (`schema.d.ts`, made by
 * `npm run web:api`; a test fails when it drifts). Same origin: the session
 * is the httpOnly `__session` cookie, never a token in script reach.
 */
export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' });

api.use({
  async onResponse({ response }) {
    if (response.ok) return response;
    let body: Record<string, unknown> = {};
    try {
      body = await response.clone().json();
    } catch {
      // not JSON: the status says it
    }
    throw new ApiProblem(
      response.status,
      String(body['title'] ?? response.statusText),
      String(body['detail'] ?? ''),
      typeof body['code'] === 'string' ? body['code'] : null,
      Array.isArray(body['errors']) ? (body['errors'] as { field: string; message: string }[]) : [],
    );
  },
});

/** The data of an answer (errors were thrown by the middleware above). */
export function data<T>(answer: { data?: T }): T {
  return answer.data as T;
}
