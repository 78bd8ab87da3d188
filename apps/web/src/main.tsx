import '@mantine/core/styles.css';

import { ColorSchemeScript, createTheme, type CSSVariablesResolver, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';

import { ApiProblem } from './api/client';
import { CLERK_PUBLISHABLE_KEY } from './clerk';
import { router } from './router';

// Shade 8 and a darker "dimmed": text on buttons and secondary text keep WCAG AA contrast (4.5:1).
const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  defaultRadius: 'md',
  // Filled badges and buttons pick black or white text by their colour's luminance.
  autoContrast: true,
  luminanceThreshold: 0.2,
});
const contrast: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
});

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A refusal (4xx) will not change by asking again; an outage might.
      retry: (count, error) => !(error instanceof ApiProblem && error.status < 500) && count < 2,
    },
  },
});

// With a Clerk instance, Clerk wraps the console (its own chunk: the development build loads none of it).
const ClerkRoot = CLERK_PUBLISHABLE_KEY ? lazy(() => import('./clerk-root')) : null;
const app = <RouterProvider router={router} />;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ColorSchemeScript defaultColorScheme="auto" />
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={contrast}>
      <QueryClientProvider client={queries}>
        {ClerkRoot ? (
          <Suspense fallback={null}>
            <ClerkRoot>{app}</ClerkRoot>
          </Suspense>
        ) : (
          app
        )}
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
