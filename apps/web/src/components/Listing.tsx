import { Button } from '@mantine/core';
import { type QueryKey, useInfiniteQuery } from '@tanstack/react-query';
import { type ReactNode } from 'react';

import { Empty, Failed, Loading } from './States';

interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/** A keyset-paged list of the API: `fetchPage(cursor)` is one `GET …?cursor=`. */
export function usePages<T>(
  key: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  options: {
    refetchInterval?: number | ((query: { state: { data?: { pages: Page<T>[] } } }) => number);
  } = {},
) {
  return useInfiniteQuery({
    queryKey: key,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    ...options,
  });
}

/** Loading, failed, empty or the items — then "Load more" while there are more pages. */
export function Listing<T>({
  pages,
  empty,
  children,
}: {
  pages: ReturnType<typeof usePages<T>>;
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  if (pages.isPending) return <Loading />;
  if (pages.error) return <Failed error={pages.error} retry={() => void pages.refetch()} />;
  const items = pages.data.pages.flatMap((p) => p.items);
  if (!items.length) return <Empty>{empty}</Empty>;
  return (
    <>
      {children(items)}
      {pages.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void pages.fetchNextPage()}
          loading={pages.isFetchingNextPage}
        >
          Load more
        </Button>
      )}
    </>
  );
}
