/**
 * Tenancy in the type. Every repository method that reads or writes tenant
 * data takes a scope as its first argument; scopes are branded, so only the
 * constructors below make one and a hand-written `{ orgId }` does not compile.
 *
 * System-wide work (sweeps, schedulers, relays) takes a `SystemScope` and
 * lives in files named `*.system.ts`: a reader finds every query that is not
 * limited to one org by its file name.
 */
declare const brand: unique symbol;

/** One org's data. */
export interface OrgScope {
  readonly orgId: string;
  readonly [brand]: 'org';
}

/** One domain of one org. */
export interface DomainScope {
  readonly orgId: string;
  readonly domainId: string;
  readonly [brand]: 'domain';
}

/** Work across every org, on purpose; `reason` says which. */
export interface SystemScope {
  readonly reason: string;
  readonly [brand]: 'system';
}

/** A scope that names at least an org (a domain scope is narrower, so it fits too). */
export type TenantScope = OrgScope | DomainScope;

export function orgScope(orgId: string): OrgScope {
  return { orgId } as OrgScope;
}

export function domainScope(orgId: string, domainId: string): DomainScope {
  return { orgId, domainId } as DomainScope;
}

/** The org of a request context (the RPC caller's, checked by the gateway). */
export function scopeOf(ctx: { orgId: string }): OrgScope {
  return orgScope(ctx.orgId);
}

export function systemScope(reason: string): SystemScope {
  return { reason } as SystemScope;
}

/**
 * The org check beside a key condition (`WHERE id = $1 AND
 * ${orgFilter('org_id', '$2')}`; the primary key, or a column with its own
 * index): the same test as `org_id = $2`, written so the planner cannot serve
 * it from an index led by org_id and keeps the key's. Lists keep a plain
 * `org_id = ?` (`Where`): their org-led indexes are the right ones.
 * PostgreSQL plans with the statistics of the last ANALYZE; an org that grew
 * since (estimated at one row, holding thousands) made `org_id = $2` look as
 * selective as the key, and a lookup by id read every row of the org
 * (content: 3–6 ms instead of 0.05; `apps/content/test/content-rules.spec.ts`).
 */
export function orgFilter(column: string, param: string): string {
  return `(${column} = ${param}) IS TRUE`;
}
