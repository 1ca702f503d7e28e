import { expect } from '@open-wc/testing';

import type { ReceivedLinkToken } from '../../widget/api-client.js';
import { createLinkHandle, type LinkCallbacks, type LinkHandle } from '../../widget/link-handle.js';
import { FakePlaid } from './support/fake-plaid.js';

const TOKEN: ReceivedLinkToken = {
  link_token: 'link-sandbox-handle-test',
  expiration: '2030-01-01T04:00:00Z',
  session_handle: 'handle-1',
  expiresAt: Date.parse('2030-01-01T04:00:00Z'),
};

function recording(): { calls: string[]; callbacks: LinkCallbacks } {
  const calls: string[] = [];
  return {
    calls,
    callbacks: {
      onLoad: () => calls.push('load'),
      onEvent: (name) => calls.push(`event ${name}`),
      onSuccess: (publicToken) => calls.push(`success ${publicToken}`),
      onExit: (error) => calls.push(`exit ${error?.error_code ?? null}`),
    },
  };
}

function created(): { link: LinkHandle; plaid: FakePlaid; calls: string[] } {
  const plaid = new FakePlaid();
  plaid.autoLoad = false;
  const { calls, callbacks } = recording();
  const link = createLinkHandle();
  link.create(plaid, TOKEN, callbacks);
  return { link, plaid, calls };
}

describe('LinkHandle', () => {
  afterEach(() => document.querySelectorAll('[data-fake-plaid-link]').forEach((node) => node.remove()));

  it('creates Link with the token and keeps its session handle', () => {
    const { link, plaid } = created();
    expect(plaid.last.token).to.equal(TOKEN.link_token);
    expect(link.sessionHandle).to.equal('handle-1');
    expect(createLinkHandle().sessionHandle).to.equal('');
  });

  it('holds a submit until Link has loaded (Link drops earlier ones), and only the last one', () => {
    const { link, plaid, calls } = created();
    link.submit({ phone_number: '+14155550000' });
    link.submit({ phone_number: '+14155550011' });
    expect(plaid.last.submitted).to.deep.equal([]);
    plaid.last.load();
    expect(calls).to.deep.equal(['load']);
    expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
    link.submit({ date_of_birth: '1975-01-18' });
    expect(plaid.last.submitted).to.have.length(2);
  });

  it('handles an onLoad that Link calls inside Plaid.create()', () => {
    const plaid = new FakePlaid();
    const original = plaid.create.bind(plaid);
    plaid.create = (config) => {
      const handler = original(config);
      handler.load();
      return handler;
    };
    const { calls, callbacks } = recording();
    const link = createLinkHandle();
    link.submit({ phone_number: '+14155550011' });
    link.create(plaid, TOKEN, callbacks);
    expect(calls).to.deep.equal(['load']);
    expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
    link.destroy();
  });

  it('remembers the Link session id from Link’s events', () => {
    const { link, plaid, calls } = created();
    plaid.last.event('OPEN');
    expect(link.linkSessionId).to.equal(plaid.last.linkSessionId);
    expect(calls).to.deep.equal(['event OPEN']);
    link.destroy();
  });

  it('exits Link on destroy only while it is showing', () => {
    const closed = created();
    closed.plaid.last.load();
    closed.link.destroy();
    expect(closed.plaid.last.exitCalls).to.deep.equal([]);
    expect(closed.plaid.last.destroyed).to.equal(true);

    const open = created();
    open.plaid.last.load();
    open.link.open();
    open.link.destroy();
    expect(open.plaid.last.exitCalls).to.deep.equal([{ force: true }]);
    expect(open.plaid.last.destroyed).to.equal(true);

    const exited = created();
    exited.plaid.last.load();
    exited.link.open();
    exited.plaid.last.close(); // the visitor closed Link before
    exited.link.destroy();
    expect(exited.plaid.last.exitCalls).to.deep.equal([]);
  });

  it('lets nothing through after destroy, and cancels its requests', () => {
    const { link, plaid, calls } = created();
    plaid.last.load();
    link.destroy();
    plaid.last.event('HANDOFF');
    plaid.last.succeed('public-sandbox-1');
    plaid.last.close();
    link.submit({ phone_number: '+14155550011' });
    expect(calls).to.deep.equal(['load']);
    expect(plaid.last.submitted).to.deep.equal([]);
    expect(link.requests.signal.aborted).to.equal(true);
  });

  it('when retired, still forwards Link’s late events but drops a waiting submit', () => {
    const { link, plaid, calls } = created();
    link.submit({ phone_number: '+14155550011' });
    link.retire();
    expect(link.requests.signal.aborted).to.equal(true);
    plaid.last.load();
    plaid.last.event('EXIT');
    expect(plaid.last.submitted).to.deep.equal([]);
    expect(calls).to.deep.equal(['load', 'event EXIT']);
    link.destroy();
  });
});
