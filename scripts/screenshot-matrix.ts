// The screenshot matrix of `npm run screenshots` (see its header): `<layer-onboarding>` alone on a
// minimal page, in each state a visitor meets, at each width, on a light and a dark page, in each
// language. Every state is reached for real — the `npm start` server in emulator mode, Link's
// emulated UI, Chromium — and shaped only where a state needs it: Link's eligibility answer held
// back (checking), the session exchange answering 503 (error). Nothing waits a fixed time: each
// shot is taken once the element's `state` attribute says the state was reached.
import { mkdir, writeFile } from 'node:fs/promises';

import type { Browser, Locator, Page } from 'playwright-core';

import { LINK_SESSIONS_PATH } from '../emulator/link-protocol/messages.js';
import { STEP_TIMEOUT_MS } from '../test/support/browser.js';
import { PAGE_THEMES, routeHostPage, type PageTheme } from '../test/support/host-page.js';
import { linkClosed, shareInLink } from '../test/support/link.js';

export const MATRIX_WIDTHS = [320, 390, 1280] as const;
export const MATRIX_THEMES = ['light', 'dark'] as const satisfies readonly PageTheme[];
export const MATRIX_LANGS = ['en', 'es'] as const;
/** The states shot, in a visitor's order; `idle` is the element at rest, waiting for a number. */
export const MATRIX_STATES = ['idle', 'checking', 'dob', 'error', 'fallback', 'complete'] as const;

export type MatrixState = (typeof MATRIX_STATES)[number];

export interface MatrixOptions {
  browser: Browser;
  /** The running `npm start` server (emulator mode). */
  serverUrl: string;
  /** The folder the contact sheets go to. */
  out: URL;
  widths?: readonly number[];
  themes?: readonly PageTheme[];
  langs?: readonly string[];
  /** How many pages drive states at once. */
  concurrency?: number;
}

/** One state, shot at every width. */
interface StateShots {
  state: MatrixState;
  /** The element's `state` attribute when it was shot. */
  attribute: string;
  /** By width: the PNG of the page's `<main>` (the element and the page around it). */
  images: Map<number, Buffer>;
}

const US_ELIGIBLE = '415-555-0011'; // Leslie Knope: LAYER_READY, then the whole Link flow
const US_NOT_FOUND = '415-555-0000'; // no Plaid profile: LAYER_NOT_AVAILABLE → date of birth
const NON_US = '+44 20 7946 0958'; // Layer serves US numbers only

/** Writes one contact sheet per (width, theme, language); returns the files' paths. */
export async function shootMatrix({
  browser,
  serverUrl,
  out,
  widths = MATRIX_WIDTHS,
  themes = MATRIX_THEMES,
  langs = MATRIX_LANGS,
  concurrency = 3,
}: MatrixOptions): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const jobs = themes.flatMap((theme) =>
    langs.flatMap((lang) => MATRIX_STATES.map((state) => ({ theme, lang, state }))),
  );
  const started = Date.now();
  const results = await pool(jobs, concurrency, async (job) => {
    const shots = await shootState(browser, serverUrl, job.theme, job.lang, job.state, widths);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`  ${job.theme} ${job.lang} ${job.state} (state="${shots.attribute}") at ${seconds} s`);
    return { ...job, shots };
  });

  const written: string[] = [];
  const sheetPage = await browser.newPage({ deviceScaleFactor: 1 });
  try {
    for (const theme of themes)
      for (const lang of langs)
        for (const width of widths) {
          const shots = results
            .filter((result) => result.theme === theme && result.lang === lang)
            .map((result) => result.shots);
          const file = new URL(`widget-${width}-${theme}-${lang}.png`, out);
          await writeFile(file, await contactSheet(sheetPage, { width, theme, lang, shots }));
          written.push(file.pathname);
        }
  } finally {
    await sheetPage.close();
  }
  return written;
}

/** A fresh page on the minimal host page, driven into `state`, then shot at each width. */
async function shootState(
  browser: Browser,
  serverUrl: string,
  theme: PageTheme,
  lang: string,
  state: MatrixState,
  widths: readonly number[],
): Promise<StateShots> {
  const context = await browser.newContext({
    viewport: { width: widths[0]!, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: theme,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (error) =>
    console.warn(`  ! ${theme} ${lang} ${state}: page error: ${error.message}`),
  );
  const holds: Array<() => void> = [];
  try {
    const url = await routeHostPage(page, serverUrl, {
      lang,
      theme,
      // Held answers (checking) and a busy machine must not turn into a `timeout` fallback.
      attributes: { 'eligibility-timeout': '600000' },
    });
    await page.goto(url);
    const widget = page.locator('layer-onboarding');
    await DRIVERS[state](page, widget, holds);
    const attribute = (await widget.getAttribute('state')) ?? '';
    const images = new Map<number, Buffer>();
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      // The screenshot waits for the element to be visible and stable (laid out at the new width).
      // Animations are stopped (a spinner shows its first frame) so the sheets only change when
      // the element does.
      images.set(width, await page.locator('main').screenshot({ animations: 'disabled' }));
      for (const problem of await overflows(page))
        console.warn(`  ! ${theme} ${lang} ${state} at ${width} px: ${problem}`);
    }
    return { state, attribute, images };
  } finally {
    holds.forEach((release) => release());
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  }
}

type Driver = (page: Page, widget: Locator, holds: Array<() => void>) => Promise<void>;

/**
 * How a visitor gets to each state. Fields are found by role and the flow's progress by the
 * `state` attribute, never by the element's CSS classes or words, so this works whatever the UI
 * looks like and in every language. A number is submitted with Enter in its field.
 */
const DRIVERS: Record<MatrixState, Driver> = {
  async idle(page) {
    await untilState(page, ['ready']);
  },

  async checking(page, widget, holds) {
    // Link's answer to the number (the iframe's submit call) is held until the shots are taken.
    let arrived!: () => void;
    const submitted = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => holds.push(resolve));
    await page.route(`**${LINK_SESSIONS_PATH}/*/submit`, async (route) => {
      arrived();
      await released;
      await route.continue().catch(() => {}); // the page may be closing
    });
    await submitPhone(page, widget, US_ELIGIBLE);
    await submitted;
    await untilState(page, ['checking']);
  },

  async dob(page, widget) {
    await submitPhone(page, widget, US_NOT_FOUND);
    await untilState(page, ['dob']);
  },

  async error(page, widget) {
    // The backend's session exchange fails after the visitor went through Link: a mid-flow error,
    // the kind that offers both "Try again" and another number.
    await page.route('**/api/layer/session', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'PLAID_UNAVAILABLE', message: 'Plaid answered 503', request_id: 'screenshots' },
        }),
      }),
    );
    await submitPhone(page, widget, US_ELIGIBLE);
    await untilState(page, ['open']);
    await shareInLink(page);
    await untilState(page, ['error']);
    await linkClosed(page);
  },

  async fallback(page, widget) {
    await submitPhone(page, widget, NON_US);
    // A widget that still asks a non-US number for a date of birth gets one that matches nobody.
    if ((await untilState(page, ['fallback', 'dob'])) === 'dob') {
      await widget.evaluate((element) =>
        (element as HTMLElement & { submitDateOfBirth(date: string): boolean }).submitDateOfBirth(
          '1980-02-02',
        ),
      );
      await untilState(page, ['fallback']);
    }
  },

  async complete(page, widget) {
    await submitPhone(page, widget, US_ELIGIBLE);
    await untilState(page, ['open']);
    await shareInLink(page);
    await untilState(page, ['complete']);
    await linkClosed(page);
  },
};

async function submitPhone(page: Page, widget: Locator, phone: string): Promise<void> {
  await untilState(page, ['ready']);
  const field = widget.getByRole('textbox');
  await field.fill(phone);
  await field.press('Enter');
}

/**
 * Resolves with the element's state once it is one of `wanted`; fails at once if the flow ends
 * elsewhere (an error or a fallback that was not asked for).
 */
async function untilState(page: Page, wanted: readonly string[]): Promise<string> {
  const outcomes = ['error', 'fallback', 'complete'];
  const handle = await page.waitForFunction(
    ([states, ends]) => {
      const state = document.querySelector('layer-onboarding')?.getAttribute('state');
      return state && (states.includes(state) || ends.includes(state)) ? state : false;
    },
    [wanted, outcomes] as const,
  );
  const state = (await handle.jsonValue()) as string;
  if (!wanted.includes(state)) {
    const shown = await page.evaluate(
      () =>
        document.querySelector('layer-onboarding')?.shadowRoot?.querySelector('[part=error]')?.textContent,
    );
    throw new Error(`expected state ${wanted.join(' or ')}, the element is in ${state}: "${shown ?? ''}"`);
  }
  return state;
}

/**
 * What sticks out, for the eye to check on the sheet: the page scrolling sideways, a part of the
 * element past the element's own edges, or text cut off inside its box.
 */
function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      problems.push(`the page scrolls sideways (${root.scrollWidth} px wide in ${root.clientWidth} px)`);
    const host = document.querySelector('layer-onboarding');
    if (!host?.shadowRoot) return problems;
    const edge = host.getBoundingClientRect();
    // No named helper functions in here: tsx would wrap them in a `__name` the page lacks.
    for (const element of host.shadowRoot.querySelectorAll('*')) {
      const part = element.getAttribute('part');
      const label = `<${element.localName}${part ? ` part="${part}"` : ''}>`;
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const style = getComputedStyle(element);
      // A turning spinner's box grows and shrinks with its angle: not an overflow.
      if (style.transform !== 'none') continue;
      if (box.left < edge.left - 0.5 || box.right > edge.right + 0.5)
        problems.push(
          `${label} spans ${Math.round(box.left)}–${Math.round(box.right)} px, outside the element (${Math.round(edge.left)}–${Math.round(edge.right)} px)`,
        );
      if (
        element.scrollWidth > element.clientWidth + 1 &&
        element.clientWidth > 0 &&
        style.overflowX !== 'visible' &&
        !['input', 'svg'].includes(element.localName)
      )
        problems.push(`${label} cuts its content (${element.scrollWidth} px in ${element.clientWidth} px)`);
    }
    return problems;
  });
}

/** The shots of one width, theme and language on one PNG, labelled, states side by side. */
async function contactSheet(
  page: Page,
  { width, theme, lang, shots }: { width: number; theme: PageTheme; lang: string; shots: StateShots[] },
): Promise<Buffer> {
  const columns = width <= 200 ? 6 : width <= 400 ? 3 : 1;
  const gap = 16;
  await page.setViewportSize({ width: columns * (width + 2) + (columns + 1) * gap, height: 600 });
  const { background, color } = PAGE_THEMES[theme];
  const page_ =
    theme === 'dark'
      ? `dark page (${color} on ${background}, prefers-color-scheme: dark)`
      : `light page (${color} on ${background})`;
  const cells = MATRIX_STATES.flatMap((state) => {
    const shot = shots.find((candidate) => candidate.state === state);
    const image = shot?.images.get(width);
    if (!shot || !image) return [];
    const label = shot.attribute === state ? state : `${state} (state="${shot.attribute}")`;
    return [
      `<figure><figcaption>${label}</figcaption><img alt="${state}" src="data:image/png;base64,${image.toString('base64')}"></figure>`,
    ];
  });
  await page.setContent(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><style>
  body { margin: 0; background: #c9cdd3; color: #111; font: 14px/1.3 system-ui, sans-serif; }
  .sheet { padding: ${gap}px; display: grid; gap: ${gap}px; grid-template-columns: repeat(${columns}, ${width + 2}px); align-items: start; }
  h1 { grid-column: 1 / -1; margin: 0; font-size: 15px; }
  figure { margin: 0; }
  figcaption { font-weight: 600; margin-bottom: 4px; }
  img { display: block; border: 1px solid #555; }
</style></head><body><div class="sheet">
  <h1>&lt;layer-onboarding&gt; · ${width} px · ${page_} · lang="${lang}"</h1>
  ${cells.join('\n  ')}
</div></body></html>`);
  return page.locator('.sheet').screenshot();
}

/** Runs `task` over `items`, at most `limit` at a time; results in the items' order. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
