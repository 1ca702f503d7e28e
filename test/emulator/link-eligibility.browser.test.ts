/// <reference types="mocha" />
/**
 * Layer eligibility through the emulated Link script, as a page sees it: `submit()` a phone number
 * (then perhaps a date of birth) and read the `LAYER_*` event.
 */
import { expect } from '@open-wc/testing';

import { AUTOFILL_DATE_OF_BIRTH, SANDBOX_USERS } from '../../emulator/sandbox-users.js';
import { EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID, EMULATOR_TEMPLATE_ID } from '../../emulator/templates.js';
import {
  createLinkToken,
  createRecordedLink,
  loadLinkScript,
  type RecordedLink,
} from './support/link-harness.js';

const LAYER_EVENTS = ['LAYER_READY', 'LAYER_NOT_AVAILABLE', 'LAYER_AUTOFILL_NOT_AVAILABLE'];

type Outcome =
  'LAYER_READY' | 'LAYER_NOT_AVAILABLE → LAYER_READY' | 'LAYER_NOT_AVAILABLE → LAYER_AUTOFILL_NOT_AVAILABLE';

/** What each documented Sandbox number answers, per template (LAYER.md §5). */
const EXPECTED: Record<string, Record<string, Outcome>> = {
  [EMULATOR_TEMPLATE_ID]: {
    '+14155550000': 'LAYER_NOT_AVAILABLE → LAYER_AUTOFILL_NOT_AVAILABLE', // nothing to share, accounts required
    '+14155550011': 'LAYER_READY',
    '+14155550012': 'LAYER_NOT_AVAILABLE → LAYER_READY', // autofill fills the PII, banks stay
    '+14155550015': 'LAYER_READY',
    '+15155550013': 'LAYER_READY', // email is not required by this template
    '+15155550015': 'LAYER_NOT_AVAILABLE → LAYER_READY',
    '+15155550016': 'LAYER_NOT_AVAILABLE → LAYER_READY',
    '+15155550017': 'LAYER_NOT_AVAILABLE → LAYER_READY',
    '+15155550018': 'LAYER_NOT_AVAILABLE → LAYER_READY',
    '+15155550019': 'LAYER_READY',
    '+14155550031': 'LAYER_READY', // the emulator's OAuth user
  },
  [EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID]: {
    '+14155550000': 'LAYER_NOT_AVAILABLE → LAYER_READY', // identity alone is enough here
    '+14155550011': 'LAYER_READY',
    '+14155550012': 'LAYER_NOT_AVAILABLE → LAYER_READY',
    '+14155550015': 'LAYER_READY',
    '+15155550013': 'LAYER_READY',
    '+15155550015': 'LAYER_READY',
    '+15155550016': 'LAYER_READY',
    '+15155550017': 'LAYER_READY',
    '+15155550018': 'LAYER_NOT_AVAILABLE → LAYER_READY', // the one field this template needs
    '+15155550019': 'LAYER_READY',
    '+14155550031': 'LAYER_READY',
  },
};

const opened: RecordedLink[] = [];

async function loadedLink(templateId = EMULATOR_TEMPLATE_ID): Promise<RecordedLink> {
  const link = createRecordedLink(await createLinkToken(templateId));
  opened.push(link);
  await link.next('load');
  return link;
}

function layerEvents(link: RecordedLink): string[] {
  return link.eventNames().filter((name) => LAYER_EVENTS.includes(name));
}

async function submitAndWait(link: RecordedLink, data: { phone_number: string } | { date_of_birth: string }) {
  const before = layerEvents(link).length;
  link.handler.submit(data);
  await link.until(() => layerEvents(link).length > before);
  return layerEvents(link).at(-1)!;
}

/** Phone first; a date of birth only after LAYER_NOT_AVAILABLE, as an integration should. */
async function outcomeOf(phoneNumber: string, templateId: string): Promise<string> {
  const link = await loadedLink(templateId);
  const first = await submitAndWait(link, { phone_number: phoneNumber });
  if (first !== 'LAYER_NOT_AVAILABLE') return first;
  return `${first} → ${await submitAndWait(link, { date_of_birth: AUTOFILL_DATE_OF_BIRTH })}`;
}

before(async () => {
  await loadLinkScript();
});

afterEach(() => {
  opened.splice(0).forEach((link) => link.handler.destroy());
});

describe('Layer eligibility in the emulated Link script', () => {
  it('knows every documented Sandbox number, and the OAuth user', () => {
    expect(SANDBOX_USERS.map((user) => user.phone_number).sort()).to.deep.equal(
      Object.keys(EXPECTED[EMULATOR_TEMPLATE_ID]!).sort(),
    );
  });

  for (const [templateId, outcomes] of Object.entries(EXPECTED)) {
    describe(`with ${templateId}`, () => {
      for (const [phoneNumber, expected] of Object.entries(outcomes)) {
        it(`${phoneNumber} → ${expected}`, async () => {
          expect(await outcomeOf(phoneNumber, templateId)).to.equal(expected);
        });
      }
    });
  }

  it('never serves a number outside +1, even with the autofill date of birth', async () => {
    expect(await outcomeOf('+447700900123', EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID)).to.equal(
      'LAYER_NOT_AVAILABLE → LAYER_AUTOFILL_NOT_AVAILABLE',
    );
  });

  it('treats a +1 number Plaid does not know as not available, then autofills it when accounts are optional', async () => {
    expect(await outcomeOf('+14155551111', EMULATOR_TEMPLATE_ID)).to.equal(
      'LAYER_NOT_AVAILABLE → LAYER_AUTOFILL_NOT_AVAILABLE',
    );
    expect(await outcomeOf('+14155551111', EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID)).to.equal(
      'LAYER_NOT_AVAILABLE → LAYER_READY',
    );
  });

  it('answers a date of birth other than the Sandbox one with LAYER_AUTOFILL_NOT_AVAILABLE', async () => {
    const link = await loadedLink();
    expect(await submitAndWait(link, { phone_number: '+15155550015' })).to.equal('LAYER_NOT_AVAILABLE');
    expect(await submitAndWait(link, { date_of_birth: '1980-02-29' })).to.equal(
      'LAYER_AUTOFILL_NOT_AVAILABLE',
    );
  });

  it('lets the user correct the number on the same handler', async () => {
    const link = await loadedLink();
    expect(await submitAndWait(link, { phone_number: '+14155550000' })).to.equal('LAYER_NOT_AVAILABLE');
    expect(await submitAndWait(link, { phone_number: '+14155550011' })).to.equal('LAYER_READY');
  });

  it('gives LAYER_READY metadata every documented key, null where it has no value', async () => {
    const link = await loadedLink();
    await submitAndWait(link, { phone_number: '+14155550011' });
    const { metadata } = await link.event('LAYER_READY');
    expect(Object.keys(metadata).sort()).to.deep.equal(
      [
        'account_number_mask',
        'error_code',
        'error_message',
        'error_type',
        'exit_status',
        'institution_id',
        'institution_name',
        'institution_search_query',
        'is_update_mode',
        'link_session_id',
        'match_reason',
        'mfa_type',
        'request_id',
        'routing_number',
        'selection',
        'timestamp',
        'view_name',
      ].sort(),
    );
    expect(metadata.error_code).to.equal(null);
    expect(metadata.view_name).to.equal(null);
    expect(metadata.link_session_id).to.match(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(metadata.request_id).to.match(/^[A-Za-z0-9]{15}$/);
    expect(new Date(metadata.timestamp).toISOString()).to.equal(metadata.timestamp);
  });

  it('ignores a submit with both a phone number and a date of birth, and says why', async () => {
    const link = await loadedLink();
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      link.handler.submit({ phone_number: '+14155550011', date_of_birth: AUTOFILL_DATE_OF_BIRTH } as never);
    } finally {
      console.error = original;
    }
    expect(String(errors[0]?.[0])).to.contain('never both');
    // A later valid submit is answered, and is the only LAYER_* event.
    expect(await submitAndWait(link, { phone_number: '+14155550011' })).to.equal('LAYER_READY');
    expect(layerEvents(link)).to.deep.equal(['LAYER_READY']);
  });

  it('drops a submit made before onLoad, as real Link does', async () => {
    const link = createRecordedLink(await createLinkToken());
    opened.push(link);
    const warnings: unknown[][] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      link.handler.submit({ phone_number: '+14155550011' });
    } finally {
      console.warn = original;
    }
    await link.next('load');
    expect(String(warnings[0]?.[0])).to.contain('before onLoad');
    expect(await submitAndWait(link, { phone_number: '+14155550011' })).to.equal('LAYER_READY');
    expect(layerEvents(link)).to.deep.equal(['LAYER_READY']);
  });
});
