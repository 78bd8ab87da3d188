import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, headless (`npm test` installs it; Playwright's own browsers cannot be downloaded here). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env['SMARTBEAK_CHROMIUM'];
  if (!executablePath)
    throw new Error(
      'SMARTBEAK_CHROMIUM is not set: `npm test` installs Debian chromium (apt-get install chromium)',
    );
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
