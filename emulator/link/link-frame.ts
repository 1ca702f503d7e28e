/**
 * The Link iframe's script (link.html loads it; its CSP allows no inline script). It learns from
 * its URL which page embeds it (`origin`) and on which `channel`, accepts messages only from its
 * parent at that origin, and runs one Link session (link-handler.ts) with the UI in this document.
 * It talks to the emulator it was served from (same origin) and to nothing else.
 */
import { LINK_SCRIPT_PATH } from '../../contract/index.js';
import { LinkProtocolClient } from '../link-protocol/client.js';
import {
  FRAME_MESSAGE_SOURCE,
  LINK_FRAME_PATH,
  fromExpected,
  openEnvelope,
  type Envelope,
  type FrameToPage,
  type PageToFrame,
} from './frame-messages.js';
import { LinkHandler } from './link-handler.js';
import { LinkUi } from './link-ui.js';

function install(): void {
  const params = new URLSearchParams(location.search);
  const parentOrigin = params.get('origin');
  const channel = params.get('channel');
  if (!parentOrigin || !channel || window.parent === window || !location.pathname.endsWith(LINK_FRAME_PATH)) {
    console.error(
      `[Plaid emulator] this is Link's iframe: the Link script (${LINK_SCRIPT_PATH}) embeds it; it does nothing alone.`,
    );
    return;
  }
  const emulatorUrl = location.origin + location.pathname.slice(0, -LINK_FRAME_PATH.length);

  const post = (message: FrameToPage) => {
    const envelope: Envelope<FrameToPage> = { ...message, source: FRAME_MESSAGE_SOURCE, channel };
    window.parent.postMessage(envelope, parentOrigin);
  };
  const ui = new LinkUi(document.body, {
    show: () => post({ type: 'show' }),
    hide: () => post({ type: 'hide' }),
  });
  let handler: LinkHandler | null = null;

  window.addEventListener('message', (event) => {
    if (!fromExpected(event, window.parent, parentOrigin)) return;
    const message = openEnvelope<PageToFrame>(event.data, channel);
    if (!message) return;
    switch (message.type) {
      case 'create':
        if (handler) return;
        handler = new LinkHandler(
          {
            token: typeof message.token === 'string' ? message.token : '',
            receivedRedirectUri:
              typeof message.receivedRedirectUri === 'string' ? message.receivedRedirectUri : null,
            eventTiming: message.eventTiming ?? null,
          },
          new LinkProtocolClient(emulatorUrl),
          {
            load: () => post({ type: 'load' }),
            event: (name, metadata) => post({ type: 'event', name, metadata }),
            success: (publicToken, metadata) => post({ type: 'success', publicToken, metadata }),
            exit: (error, metadata) => post({ type: 'exit', error, metadata }),
            redirect: (url) => post({ type: 'redirect', url }),
            warn: (text) => post({ type: 'console', level: 'warn', message: text }),
          },
          ui,
        );
        return;
      case 'submit':
        return handler?.submit(message.data);
      case 'open':
        return handler?.open();
      case 'exit':
        return handler?.exit(message.force === true);
      case 'shown':
        return ui.shown();
    }
  });
  post({ type: 'ready' });
}

install();
