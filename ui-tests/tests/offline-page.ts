/**
 * A page of its own for HTML that must work with no kernel and no network: a fresh browser context,
 * every request aborted and recorded, page errors collected.
 */
import type { Browser, Page } from '@playwright/test';

export interface OfflinePage {
  page: Page;
  /** URLs the page tried to load (all were aborted). */
  requests: string[];
  /** Uncaught errors on the page. */
  errors: string[];
  close(): Promise<void>;
}

export async function openOffline(browser: Browser, html: string): Promise<OfflinePage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  await page.route('**/*', route => {
    requests.push(route.request().url());
    return route.abort();
  });
  const errors: string[] = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests, errors, close: () => context.close() };
}
