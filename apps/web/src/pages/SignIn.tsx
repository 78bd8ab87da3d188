import { Alert, Button, Checkbox, Container, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { useNavigate } from 'react-router';

import { api, ApiProblem } from '../api/client';
import type { components } from '../api/schema';
import { CLERK_PUBLISHABLE_KEY } from '../clerk';
import { fieldError, formError, Loading } from '../components/States';

type Permission = components['schemas']['DevSessionDto']['permissions'][number];

const PERMISSIONS: { value: Permission; label: string }[] = [
  { value: 'org:admin', label: 'Org admin (domains, members, dead letters)' },
  { value: 'content:read', label: 'Read content' },
  { value: 'content:write', label: 'Write content' },
  { value: 'content:review', label: 'Review content' },
  { value: 'content:publish', label: 'Publish content' },
  { value: 'publishing:write', label: 'Manage publishing' },
  { value: 'media:write', label: 'Upload media' },
  { value: 'analytics:read', label: 'Read analytics' },
];

/**
 * Sign-in: Clerk's own when the gateway has a Clerk instance; otherwise the
 * local sign-in (the gateway runs with the development key, no Clerk
 * account): choose who to be. The gateway answers with an httpOnly session
 * cookie. With a real Clerk instance this endpoint does not exist.
 */
const ClerkSignIn = lazy(() =>
  import('../components/ClerkWidgets').then((m) => ({ default: m.ClerkSignIn })),
);

export default function SignIn() {
  return CLERK_PUBLISHABLE_KEY ? (
    <Container size={460} py={60}>
      <Suspense fallback={<Loading />}>
        <ClerkSignIn />
      </Suspense>
    </Container>
  ) : (
    <DevSignIn />
  );
}

function DevSignIn() {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [orgId, setOrgId] = useState('org_demo');
  const [userId, setUserId] = useState('user_demo');
  const [email, setEmail] = useState('demo@example.com');
  const [permissions, setPermissions] = useState<Permission[]>(PERMISSIONS.map((p) => p.value));
  const signIn = useMutation({
    mutationFn: async () =>
      api.POST('/api/dev/session', { body: { orgId, userId, email: email || undefined, permissions } }),
    onSuccess: () => {
      queries.clear();
      navigate('/');
    },
  });
  const absent = signIn.error instanceof ApiProblem && signIn.error.status === 404;
  return (
    <Container size={460} py={60}>
      <Title order={1} size="h2" mb="xs">
        Sign in to SmartBeak
      </Title>
      <Text c="dimmed" size="sm" mb="lg">
        Local development sign-in: pick an organisation, a user and what they may do.
      </Text>
      <Paper withBorder p="lg" component="form" onSubmit={(e) => (e.preventDefault(), signIn.mutate())}>
        <Stack>
          {absent && (
            <Alert color="yellow" title="Development sign-in is off">
              This gateway verifies real Clerk sessions: sign in through your Clerk instance.
            </Alert>
          )}
          {!absent && formError(signIn.error) && (
            <Alert color="red" role="alert">
              {formError(signIn.error)}
            </Alert>
          )}
          <TextInput
            label="Organisation id"
            value={orgId}
            onChange={(e) => setOrgId(e.currentTarget.value)}
            error={fieldError(signIn.error, 'orgId')}
            required
          />
          <TextInput
            label="User id"
            value={userId}
            onChange={(e) => setUserId(e.currentTarget.value)}
            error={fieldError(signIn.error, 'userId')}
            required
          />
          <TextInput
            label="Email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldError(signIn.error, 'email')}
          />
          <Checkbox.Group
            label="Permissions"
            value={permissions}
            onChange={(value) => setPermissions(value as Permission[])}
            error={fieldError(signIn.error, 'permissions')}
          >
            <Stack gap={6} mt={6}>
              {PERMISSIONS.map((p) => (
                <Checkbox key={p.value} value={p.value} label={p.label} />
              ))}
            </Stack>
          </Checkbox.Group>
          <Button type="submit" loading={signIn.isPending}>
            Sign in
          </Button>
        </Stack>
      </Paper>
    </Container>
  );
}
