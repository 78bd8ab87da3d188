import { Alert, Paper, Title } from '@mantine/core';
import { type ReactNode } from 'react';

import { formError } from './States';

/** A titled form in a card; a refusal that names no field shows above the fields. */
export function FormCard({
  title,
  error,
  onSubmit,
  children,
}: {
  title: string;
  error: unknown;
  onSubmit: () => void;
  children: ReactNode;
}) {
  const message = formError(error);
  return (
    <Paper withBorder p="md" component="form" onSubmit={(e) => (e.preventDefault(), onSubmit())}>
      <Title order={3} size="h5" mb="sm">
        {title}
      </Title>
      {message && (
        <Alert color="red" role="alert" mb="sm">
          {message}
        </Alert>
      )}
      {children}
    </Paper>
  );
}
