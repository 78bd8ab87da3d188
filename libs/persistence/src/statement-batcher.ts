/**
 * Group commit for a statement many callers run at once (a worker's
 * concurrent jobs claiming or settling): the first caller's item runs at
 * once; items that arrive while a batch is in flight wait for it and go
 * together, up to `max`, in the next. No timer: an idle process adds no
 * latency, a busy one pays one statement and one commit per batch instead of
 * one per item.
 *
 * `run` answers one result per item, in the items' order. A batch that fails
 * is run again item by item, so one bad item (or a deadlock between two
 * batches) fails only its own caller.
 */
export class StatementBatcher<I, O> {
  private readonly waiting: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: {
      /** Items per statement. */
      max: number;
      /** Batches in flight at once (each holds one connection while it runs). */
      parallel?: number;
    },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < (this.options.parallel ?? 1) && this.waiting.length) {
      const batch = this.waiting.splice(0, this.options.max);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async flush(batch: StatementBatcher<I, O>['waiting']): Promise<void> {
    try {
      const results = await this.run(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      await Promise.all(
        batch.map(async (entry) => {
          try {
            entry.resolve((await this.run([entry.item]))[0]!);
          } catch (itemError) {
            entry.reject(itemError);
          }
        }),
      );
    }
  }
}
