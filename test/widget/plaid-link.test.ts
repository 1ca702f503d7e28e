import { expect } from '@open-wc/testing';

import {
  getPlaid,
  loadPlaidLink,
  safeEventMetadata,
  safeExitMetadata,
  safeLinkError,
} from '../../widget/plaid-link.js';
import { ScriptLoadError } from '../../widget/script-loader.js';
import { LINK_SCRIPT_SRC } from './support/backend.js';

const blobScript = (source: string) => URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));

describe('plaid-link', () => {
  afterEach(() => {
    delete (window as { Plaid?: unknown }).Plaid;
  });

  it('loads the emulator’s Link script and returns window.Plaid', async () => {
    const plaid = await loadPlaidLink(LINK_SCRIPT_SRC);
    expect(plaid.create).to.be.a('function');
    expect(getPlaid()).to.equal(plaid);
  });

  it('counts a script that defines no Plaid (a proxy’s page, a wrong URL) as a failed load', async () => {
    const src = blobScript('window.notPlaid = true;');
    let thrown: unknown;
    try {
      await loadPlaidLink(src);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ScriptLoadError);
    expect(getPlaid()).to.equal(undefined);
  });

  it('passes on only the event metadata that carries no personal data', () => {
    const safe = safeEventMetadata({
      link_session_id: 'link-session-1',
      view_name: 'CONSENT',
      institution_search_query: 'my bank',
      account_number_mask: '0000',
      routing_number: '011401533',
    });
    expect(safe).to.deep.equal({ link_session_id: 'link-session-1', view_name: 'CONSENT' });
    expect(safeEventMetadata(null)).to.deep.equal({});
  });

  it('keeps the documented exit metadata keys, each checked, and nothing else', () => {
    expect(
      safeExitMetadata({
        institution: { name: 'First Platypus Bank', institution_id: 'ins_109508' },
        status: 'requires_code',
        link_session_id: 'link-session-1',
        request_id: 42 as unknown as string,
        ...({ phone_number: '+14155550011' } as object),
      }),
    ).to.deep.equal({
      institution: { name: 'First Platypus Bank', institution_id: 'ins_109508' },
      status: 'requires_code',
      link_session_id: 'link-session-1',
      request_id: null,
    });
    expect(safeExitMetadata(undefined)).to.deep.equal({
      institution: null,
      status: null,
      link_session_id: null,
      request_id: null,
    });
  });

  it('reduces Link’s error to its four documented keys', () => {
    expect(safeLinkError(null)).to.equal(null);
    expect(
      safeLinkError({
        error_type: 'INVALID_INPUT',
        error_code: 'INVALID_LINK_TOKEN',
        error_message: null,
        display_message: null,
        ...({ extra: 'x' } as object),
      }),
    ).to.deep.equal({
      error_type: 'INVALID_INPUT',
      error_code: 'INVALID_LINK_TOKEN',
      error_message: '',
      display_message: null,
    });
  });
});
