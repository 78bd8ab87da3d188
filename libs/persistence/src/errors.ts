/** Postgres SQLSTATE codes we act on. */
export const PG_UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError =
    (error as { driverError?: { code?: string; constraint?: string } })?.driverError ?? error;
  const pgError = driverError as { code?: string; constraint?: string };
  return pgError?.code === PG_UNIQUE_VIOLATION && (!constraint || pgError.constraint === constraint);
}
