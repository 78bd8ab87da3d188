import { Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';

import { api, data } from '../api/client';
import { useCurrentDomain, useMe } from '../session';

/** The org's domains (up to 100: the header switcher's list too). */
export function useDomains() {
  return useQuery({
    queryKey: ['domains', 'switcher'],
    queryFn: async () => data(await api.GET('/api/domains', { params: { query: { limit: 100 } } })),
  });
}

/** Which site a new thing is for: the header's domain (or the session's) unless the form picks another. */
export function useTargetDomain(chosen: string | null): string | null {
  const [current] = useCurrentDomain();
  const me = useMe();
  return chosen ?? current ?? me.data?.domainId ?? null;
}

export function DomainSelect(props: {
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string;
}) {
  const domains = useDomains();
  // Until the list is in, the picker says so (an empty one would open on nothing); if it
  // cannot be had, it says that, and opening it asks again.
  const loading = domains.isPending;
  const failed = domains.isError && !domains.data;
  return (
    <Select
      label="Domain"
      placeholder={loading ? 'Loading your sites…' : 'Pick the site it is for'}
      data={(domains.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))}
      value={props.value}
      onChange={props.onChange}
      onDropdownOpen={() => failed && void domains.refetch()}
      error={props.error ?? (failed ? 'Could not load your sites: open the list to try again' : undefined)}
      nothingFoundMessage="No sites yet"
      disabled={loading}
      required
    />
  );
}
