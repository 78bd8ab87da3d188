import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import request from 'supertest';

import { type Platform } from './platform';

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

/** A dev session's cookie for `who` (the gateway's own sign-in, as the console uses it). */
export async function devSession(
  platform: Platform,
  who: { orgId: string; userId: string; permissions: string[] },
): Promise<string> {
  const res = await request(platform.url).post('/api/dev/session').send(who).expect(201);
  const cookie = [res.headers['set-cookie']].flat()[0] as string;
  return cookie.split(';')[0]!;
}

/** Serious or critical accessibility violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page: page as never }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
