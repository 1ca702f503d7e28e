/**
 * What `Plaid.create(config)` returns in the partner's page: `{ open, exit, submit, destroy }`,
 * each a message to the handler's Link iframe, which runs the Link UI and talks to the emulator
 * (link-frame.ts). The iframe is added at create time, hidden, full-viewport, as real Link's is;
 * it is shown while Link is open. The page keeps the callbacks and calls them when the iframe says.
 *
 * Focus: when the iframe shows, the page remembers what had focus, focuses the iframe (the dialog
 * inside then focuses its first step) and keeps focus from wandering back onto the page; when it
 * hides, focus goes back where it was.
 */
import type {
  EmulatorLinkSettings,
  PlaidHandler,
  PlaidLinkOptions,
  PlaidSubmitData,
} from '../../contract/index.js';
import type { SubmitRequest } from '../link-protocol/messages.js';
import { callSafely } from './callbacks.js';
import {
  FRAME_MESSAGE_SOURCE,
  LINK_FRAME_TITLE,
  frameUrl,
  fromExpected,
  openEnvelope,
  type Envelope,
  type FrameToPage,
  type PageToFrame,
} from './frame-messages.js';

const E164 = /^\+[1-9]\d{6,14}$/;

/** Inline and `!important`, so a page rule such as `iframe { display: none !important }` cannot move or hide it. */
const FRAME_STYLE: Record<string, string> = {
  position: 'fixed',
  inset: '0',
  width: '100%',
  height: '100%',
  border: '0',
  margin: '0',
  padding: '0',
  'z-index': '2147483647',
  'background-color': 'transparent',
  'color-scheme': 'normal',
  display: 'none',
};

/** As real Link's iframe is sandboxed: scripts and its own origin, forms and popups, nothing else. */
const FRAME_SANDBOX =
  'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox';

let framesCreated = 0;

export function createFramedHandler(
  config: PlaidLinkOptions,
  emulatorUrl: string,
  page: EmulatorLinkSettings,
): PlaidHandler {
  const handler = new FramedHandler(config, emulatorUrl, page);
  return {
    open: () => handler.open(),
    exit: (options) => handler.exit(options),
    submit: (data) => handler.submit(data),
    destroy: () => handler.destroy(),
  };
}

class FramedHandler {
  private readonly config: PlaidLinkOptions;
  private readonly page: EmulatorLinkSettings;
  private readonly iframe: HTMLIFrameElement;
  private readonly emulatorOrigin: string;
  private readonly channel: string;
  /** `loading` until the iframe's session started (`onLoad`); `submit()` before that is dropped. */
  private state: 'loading' | 'loaded' | 'destroyed' = 'loading';
  private openQueued = false;
  /** `open()` was sent and the iframe has not closed since: `exit()` goes to the iframe. */
  private opening = false;
  private visible = false;
  private restoreFocus: HTMLElement | null = null;

  constructor(config: PlaidLinkOptions, emulatorUrl: string, page: EmulatorLinkSettings) {
    this.config = config;
    this.page = page;
    this.emulatorOrigin = new URL(emulatorUrl).origin;
    this.channel = randomChannel();
    framesCreated += 1;
    this.iframe = document.createElement('iframe');
    this.iframe.id = `plaid-link-iframe-${framesCreated}`;
    this.iframe.title = LINK_FRAME_TITLE;
    this.iframe.setAttribute('sandbox', FRAME_SANDBOX);
    for (const [property, value] of Object.entries(FRAME_STYLE))
      this.iframe.style.setProperty(property, value, 'important');
    this.iframe.src = frameUrl(emulatorUrl, location.origin, this.channel);
    window.addEventListener('message', this.handleMessage);
    (document.body ?? document.documentElement).append(this.iframe);
  }

  submit(data: PlaidSubmitData): void {
    if (this.state === 'destroyed') return;
    if (this.state === 'loading') {
      console.warn(
        '[Plaid emulator] submit() was called before onLoad and is dropped, as real Link drops it. Call it from onLoad or later.',
      );
      return;
    }
    const request = toSubmitRequest(data);
    if (!request) {
      console.error('Plaid Link: submit() takes either { phone_number } or { date_of_birth }, never both.');
      return;
    }
    if ('phone_number' in request && !E164.test(request.phone_number))
      console.warn(
        `[Plaid emulator] phone_number should be E.164 (like +14155550011); got "${request.phone_number}".`,
      );
    this.post({ type: 'submit', data: request });
  }

  open(): void {
    if (this.state === 'destroyed') return;
    if (this.state === 'loading') {
      // Real Link queues open() made before it loaded.
      this.openQueued = true;
      return;
    }
    this.opening = true;
    this.post({ type: 'open' });
  }

  exit(options: { force?: boolean } = {}): void {
    if (this.state === 'destroyed') return;
    if (!this.opening && !this.visible) {
      if (!options.force) console.warn('Plaid Link: attempted to exit Link when it was not open.');
      return;
    }
    this.post({ type: 'exit', force: options.force === true });
  }

  destroy(): void {
    if (this.state === 'destroyed') return;
    this.state = 'destroyed';
    window.removeEventListener('message', this.handleMessage);
    this.hide();
    this.iframe.remove();
  }

  private readonly handleMessage = (event: MessageEvent): void => {
    if (!fromExpected(event, this.iframe.contentWindow, this.emulatorOrigin)) return;
    const message = openEnvelope<FrameToPage>(event.data, this.channel);
    if (!message || this.state === 'destroyed') return;
    const { config } = this;
    switch (message.type) {
      case 'ready':
        return this.post({
          type: 'create',
          token: config.token ?? '',
          receivedRedirectUri: config.receivedRedirectUri ?? null,
          eventTiming: config.emulator?.eventTiming ?? this.page.eventTiming ?? null,
        });
      case 'load':
        this.state = 'loaded';
        callSafely(config.onLoad);
        if (this.openQueued) {
          this.openQueued = false;
          this.open();
        }
        return;
      case 'event':
        return callSafely(config.onEvent, message.name, message.metadata);
      case 'success':
        this.opening = false;
        return callSafely(config.onSuccess, message.publicToken, message.metadata);
      case 'exit':
        this.opening = false;
        return callSafely(config.onExit, message.error, message.metadata);
      case 'show':
        return this.show();
      case 'hide':
        this.opening = false;
        return this.hide();
      case 'redirect':
        return this.redirect(message.url);
      case 'console':
        console[message.level === 'error' ? 'error' : 'warn'](message.message);
        return;
    }
  };

  private show(): void {
    if (!this.visible) {
      this.visible = true;
      this.restoreFocus = deepActiveElement();
      this.iframe.style.setProperty('display', 'block', 'important');
      document.addEventListener('focusin', this.handleFocusIn);
    }
    this.iframe.focus();
    this.post({ type: 'shown' });
  }

  private hide(): void {
    if (!this.visible) return;
    this.visible = false;
    document.removeEventListener('focusin', this.handleFocusIn);
    this.iframe.style.setProperty('display', 'none', 'important');
    const restore = this.restoreFocus;
    this.restoreFocus = null;
    if (restore?.isConnected) restore.focus();
  }

  /** Link is modal: focus that lands on the page behind it goes back into the iframe. */
  private readonly handleFocusIn = (event: FocusEvent): void => {
    if (event.target !== this.iframe) this.iframe.focus();
  };

  /** Only to an http(s) URL: the iframe is trusted, but a page must never run a `javascript:` URL for it. */
  private redirect(url: string): void {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return;
    }
    if (target.protocol === 'https:' || target.protocol === 'http:') window.location.assign(target.href);
  }

  private post(message: PageToFrame): void {
    const envelope: Envelope<PageToFrame> = {
      ...message,
      source: FRAME_MESSAGE_SOURCE,
      channel: this.channel,
    };
    this.iframe.contentWindow?.postMessage(envelope, this.emulatorOrigin);
  }
}

function toSubmitRequest(data: PlaidSubmitData): SubmitRequest | null {
  const phone = (data as { phone_number?: unknown }).phone_number;
  const dateOfBirth = (data as { date_of_birth?: unknown }).date_of_birth;
  if (typeof phone === 'string' && dateOfBirth === undefined) return { phone_number: phone };
  if (typeof dateOfBirth === 'string' && phone === undefined) return { date_of_birth: dateOfBirth };
  return null;
}

/** Random enough to keep handlers apart; `crypto.randomUUID` needs a secure context, this does not. */
function randomChannel(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
}

function deepActiveElement(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}
