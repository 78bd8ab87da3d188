import {
  ActionIcon,
  Badge,
  AppShell,
  Burger,
  Button,
  Group,
  Menu,
  NavLink,
  Select,
  Text,
  Title,
  Tooltip,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { NavLink as RouterLink, Outlet, useLocation, useNavigate } from 'react-router';

import { api, ApiProblem, data } from '../api/client';
import { CLERK_PUBLISHABLE_KEY } from '../clerk';
import { useCurrentDomain, useMe } from '../session';
import { useDomains } from './DomainSelect';
import { Failed, Loading } from './States';

const PAGES = [
  { to: '/content', label: 'Content' },
  { to: '/publishing', label: 'Publishing' },
  { to: '/media', label: 'Media' },
  { to: '/domains', label: 'Domains' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/seo', label: 'SEO' },
  { to: '/notifications', label: 'Notifications' },
  { to: '/audit', label: 'Audit log' },
];

function DomainSwitcher() {
  const [domainId, setDomainId] = useCurrentDomain();
  const domains = useDomains();
  const options = (domains.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }));
  return (
    <Select
      aria-label="Current domain"
      placeholder="All domains"
      data={options}
      value={domainId}
      onChange={setDomainId}
      clearable
      w={220}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

/** Unread notifications (the API counts up to 1,000: "1000+" past it), refreshed every 30 s. */
function UnreadBadge() {
  const unread = useQuery({
    queryKey: ['notifications', 'unread-count'],
    queryFn: async () => data(await api.GET('/api/notifications/unread-count')),
    refetchInterval: 30_000,
  });
  if (!unread.data?.count) return null;
  return (
    <Badge size="sm" color="red">
      {unread.data.count}
      {unread.data.capped ? '+' : ''}
    </Badge>
  );
}

/** Clerk's organisation switcher and account menu (a chunk of its own, loaded only with Clerk). */
const ClerkAccount = lazy(() => import('./ClerkWidgets').then((m) => ({ default: m.ClerkAccount })));

export function Shell() {
  const [opened, { toggle, close }] = useDisclosure();
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const queries = useQueryClient();
  const { colorScheme, setColorScheme } = useMantineColorScheme();

  useEffect(close, [location.pathname, close]);
  useEffect(() => {
    if (me.error instanceof ApiProblem && me.error.status === 401) navigate('/sign-in', { replace: true });
  }, [me.error, navigate]);

  if (me.isPending) return <Loading />;
  if (me.error)
    return me.error instanceof ApiProblem && me.error.status === 401 ? null : <Failed error={me.error} />;

  const signOut = async () => {
    await fetch('/api/dev/session', { method: 'DELETE', credentials: 'same-origin' });
    queries.clear();
    navigate('/sign-in');
  };

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <Title order={1} size="h4">
              SmartBeak
            </Title>
          </Group>
          <Group wrap="nowrap" gap="sm">
            <DomainSwitcher />
            <Tooltip label="Light or dark">
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={`Switch to ${colorScheme === 'dark' ? 'light' : 'dark'} theme`}
                onClick={() => setColorScheme(colorScheme === 'dark' ? 'light' : 'dark')}
              >
                {colorScheme === 'dark' ? '☀' : '☾'}
              </ActionIcon>
            </Tooltip>
            {CLERK_PUBLISHABLE_KEY ? (
              <Suspense fallback={null}>
                <ClerkAccount />
              </Suspense>
            ) : (
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button variant="default" title="Account">
                    {me.data.name ?? me.data.userId}
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Label>{me.data.orgId}</Menu.Label>
                  <Menu.Item onClick={signOut}>Sign out</Menu.Item>
                </Menu.Dropdown>
              </Menu>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        {PAGES.map((page) => (
          <NavLink
            key={page.to}
            component={RouterLink}
            to={page.to}
            label={page.label}
            variant="filled"
            rightSection={page.to === '/notifications' ? <UnreadBadge /> : undefined}
          />
        ))}
        <Text size="xs" c="dimmed" mt="auto" p="xs">
          Signed in to {me.data.orgId}
        </Text>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
