import { useQuery } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';

import { api, data } from './api/client';
import type { components } from './api/schema';

export type Me = components['schemas']['MeDto'];

/** Who is signed in (`GET /api/me`); a 401 means nobody (the shell sends them to sign in). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => data(await api.GET('/api/me')),
    staleTime: 60_000,
  });
}

export function can(me: Me | undefined, permission: string): boolean {
  return Boolean(me?.permissions.includes(permission as Me['permissions'][number]));
}

const DOMAIN_KEY = 'smartbeak.domain';
const listeners = new Set<() => void>();

/**
 * The domain the header's switcher picked, per browser (only an id: nothing
 * secret is ever kept in localStorage). Null: all of the org's domains.
 */
export function useCurrentDomain(): [string | null, (id: string | null) => void] {
  const value = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => localStorage.getItem(DOMAIN_KEY),
  );
  const set = useCallback((id: string | null) => {
    if (id) localStorage.setItem(DOMAIN_KEY, id);
    else localStorage.removeItem(DOMAIN_KEY);
    listeners.forEach((listener) => listener());
  }, []);
  return [value, set];
}
