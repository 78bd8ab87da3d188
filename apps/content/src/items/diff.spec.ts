import { diffSnapshots, type Snapshot } from './diff';

const base: Snapshot = {
  title: 'A',
  slug: 'a',
  body: '<p>one</p>',
  excerpt: '',
  tags: ['x', 'y'],
  status: 'draft',
  scheduledFor: null,
};

describe(diffSnapshots.name, () => {
  it('is empty for equal snapshots', () => {
    expect(diffSnapshots(base, { ...base, tags: ['x', 'y'] })).toEqual([]);
  });

  it('names each changed field with both values, and tag additions and removals', () => {
    expect(diffSnapshots(base, { ...base, title: 'B', tags: ['y', 'z'], status: 'review' })).toEqual([
      { field: 'title', from: 'A', to: 'B' },
      { field: 'tags', from: ['x', 'y'], to: ['y', 'z'], added: ['z'], removed: ['x'] },
      { field: 'status', from: 'draft', to: 'review' },
    ]);
  });

  it('notices a reordering of tags', () => {
    expect(diffSnapshots(base, { ...base, tags: ['y', 'x'] })).toEqual([
      { field: 'tags', from: ['x', 'y'], to: ['y', 'x'], added: [], removed: [] },
    ]);
  });
});
