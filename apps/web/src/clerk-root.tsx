import { ClerkProvider } from '@clerk/react';
import { type ReactNode } from 'react';

import { CLERK_PUBLISHABLE_KEY } from './clerk';

/**
 * Clerk around the console (loaded only when a publishable key is
 * configured, so the development build carries none of it). Clerk keeps the
 * session in its `__session` cookie on this origin, which the gateway reads.
 */
export default function ClerkRoot({ children }: { children: ReactNode }) {
  return (
    <ClerkProvider publishableKey={CLERK_PUBLISHABLE_KEY as string} afterSignOutUrl="/sign-in">
      {children}
    </ClerkProvider>
  );
}
