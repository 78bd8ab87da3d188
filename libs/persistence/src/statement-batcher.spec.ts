import { StatementBatcher } from './statement-batcher';

/** A `run` that records each batch it got and answers when the test lets it. */
function recorder(answer: (items: number[]) => number[] | Promise<number[]>) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    return answer(items);
  };
  const release = async () => {
    while (gates.length) gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, run, release };
}

describe('StatementBatcher', () => {
  it('runs the first item at once and groups the ones that arrive meanwhile', async () => {
    const { batches, run, release } = recorder((items) => items.map((n) => n * 10));
    const batcher = new StatementBatcher(run, { max: 3 });
    const results = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    expect(batches).toEqual([[1]]);
    await release();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    await release();
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    await release();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it('keeps `parallel` batches in flight', async () => {
    const { batches, run, release } = recorder((items) => items);
    const batcher = new StatementBatcher(run, { max: 10, parallel: 2 });
    const results = [1, 2, 3, 4].map((n) => batcher.submit(n));
    expect(batches).toEqual([[1], [2]]);
    await release();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    await release();
    await expect(Promise.all(results)).resolves.toEqual([1, 2, 3, 4]);
  });

  it('runs a failed batch again item by item, so only the bad item fails', async () => {
    const { batches, run, release } = recorder((items) => {
      if (items.includes(3)) throw new Error('item 3 is bad');
      return items.map((n) => -n);
    });
    const batcher = new StatementBatcher(run, { max: 10 });
    const results = [1, 2, 3, 4].map((n) => batcher.submit(n).catch((error: Error) => error.message));
    await release(); // [1]
    await release(); // [2, 3, 4] fails
    await release(); // [2], [3], [4] one by one
    await expect(Promise.all(results)).resolves.toEqual([-1, -2, 'item 3 is bad', -4]);
    expect(batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });
});
