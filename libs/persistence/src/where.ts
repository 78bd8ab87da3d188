/**
 * A WHERE clause built from parts, with numbered parameters: `add` takes a
 * fragment whose `?` marks stand for the values given, in order.
 *
 *   const where = new Where().add('i.org_id = ?', scope.orgId).add('i.deleted_at IS NULL');
 *   if (status) where.add('i.status = ?', status);
 *   db.rows(`SELECT … FROM content_items i WHERE ${where.sql}`, where.params);
 */
export class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  add(fragment: string, ...values: unknown[]): this {
    let used = 0;
    const text = fragment.replace(/\?/g, () => {
      if (used >= values.length) throw new Error(`more ? marks than values in: ${fragment}`);
      this.params.push(values[used++]);
      return `$${this.params.length}`;
    });
    if (used !== values.length) throw new Error(`more values than ? marks in: ${fragment}`);
    this.clauses.push(text);
    return this;
  }

  /** The next parameter's placeholder, for a value used outside the clause (`LIMIT`). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get sql(): string {
    return this.clauses.length ? this.clauses.join(' AND ') : 'TRUE';
  }
}
