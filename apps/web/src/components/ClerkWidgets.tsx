import { OrganizationSwitcher, SignIn, UserButton } from '@clerk/react';

/** Clerk's sign-in; back to the console once signed in. */
export function ClerkSignIn() {
  return <SignIn routing="hash" forceRedirectUrl="/" signUpForceRedirectUrl="/" />;
}

/**
 * Clerk's organisation switcher and account menu for the header. Switching
 * org changes the session token, and so every answer: Clerk loads the
 * console afresh at `/` in the new org.
 */
export function ClerkAccount() {
  return (
    <>
      <OrganizationSwitcher
        hidePersonal
        afterSelectOrganizationUrl="/"
        afterCreateOrganizationUrl="/domains"
      />
      <UserButton />
    </>
  );
}
