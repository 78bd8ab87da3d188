import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';

import { ApiProblem } from '../api/client';

export function Loading() {
  return (
    <Center p="xl" role="status" aria-label="Loading" aria-busy="true">
      <Loader />
    </Center>
  );
}

/** A failed load: the API's problem (title and detail), and a way to try again. */
export function Failed({ error, retry }: { error: unknown; retry?: () => void }) {
  const problem = error instanceof ApiProblem ? error : null;
  return (
    <Alert color="red" title={problem?.title ?? 'Something went wrong'} role="alert">
      <Stack gap="xs">
        <Text size="sm">{problem?.detail || (error as Error)?.message || 'The request failed.'}</Text>
        {retry && (
          <Button size="xs" color="red" onClick={retry} w="fit-content">
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return (
    <Text c="dimmed" ta="center" p="xl">
      {children}
    </Text>
  );
}

/** A problem's per-field message, for a form field's `error`. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiProblem ? error.field(field) : undefined;
}

/** A problem that is not about one field, for the form's own alert. */
export function formError(error: unknown): string | null {
  if (!error) return null;
  if (error instanceof ApiProblem) return error.fields.length ? null : error.detail || error.title;
  return (error as Error).message;
}
