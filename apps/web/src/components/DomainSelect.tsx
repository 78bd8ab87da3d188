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
  return (
    <Select
      label="Domain"
      placeholder="Pick the site it is for"
      data={(domains.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))}
      value={props.value}
      onChange={props.onChange}
      error={props.error}
      required
    />
  );
}
