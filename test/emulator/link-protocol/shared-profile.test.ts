/**
 * The profile through a Link session: what the review step shows, what the partner gets after the
 * user's edits, and how those edits are counted in `identity_edit_history`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkPhone } from '../../../emulator/eligibility.js';
import { DEFAULT_TEMPLATES, EMULATOR_TEMPLATE_ID } from '../../../emulator/index.js';
import type { EditedProfile } from '../../../emulator/link-protocol/messages.js';
import {
  editedGroups,
  editHistory,
  reviewProfile,
  sharedIdentity,
  type ProfileEdit,
} from '../../../emulator/link-protocol/shared-profile.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Leslie Knope's profile, as a session finds it after LAYER_READY. */
function leslie() {
  const check = checkPhone('+14155550011', DEFAULT_TEMPLATES[EMULATOR_TEMPLATE_ID]!);
  assert.ok(check.event === 'LAYER_READY');
  return check.profile;
}

describe('shared profile', () => {
  it('shows the review step the last four digits of the SSN, never all nine', () => {
    const review = reviewProfile(leslie(), true);
    assert.equal(review.ssn_last_4, '4321');
    assert.ok(!JSON.stringify(review).includes('987654321'));
    assert.equal(review.phone_number, '+14155550011');
  });

  it('shows and shares no email unless the emulator returns it, as Plaid returns none yet', () => {
    const profile = leslie();
    assert.equal(reviewProfile(profile, false).email, null);
    assert.equal(reviewProfile(profile, true).email, 'leslie@knope.com');
    const edited = { ...reviewProfile(profile, true), email: 'leslie@pawnee.example' };
    assert.equal(sharedIdentity(profile, edited, false).email, null);
    assert.equal(sharedIdentity(profile, edited, true).email, 'leslie@pawnee.example');
    // An email the review step did not show was not edited.
    assert.deepEqual(editedGroups(profile, edited, false), []);
    assert.deepEqual(editedGroups(profile, edited, true), ['email']);
  });

  it('hands the partner the profile as the user left it, full SSN included', () => {
    const profile = leslie();
    const edited: EditedProfile = {
      ...reviewProfile(profile, true),
      name: { first_name: '  Leslie ', last_name: 'Knope-Wyatt' },
      email: '   ',
      address: { street: '', street2: null, city: '', region: '', postal_code: '', country: '' },
    };
    const identity = sharedIdentity(profile, edited, true);
    assert.deepEqual(identity.name, { first_name: 'Leslie', last_name: 'Knope-Wyatt' });
    // Blank fields are absent fields; an address with nothing in it is no address.
    assert.equal(identity.email, null);
    assert.equal(identity.address, null);
    assert.deepEqual([identity.ssn, identity.ssn_last_4], ['987654321', '4321']);
  });

  it('counts a change only where the user changed something', () => {
    const profile = leslie();
    const review = reviewProfile(profile, true);
    assert.deepEqual(editedGroups(profile, review, true), []);
    // Spaces around a value are not an edit.
    assert.deepEqual(
      editedGroups(
        profile,
        { ...review, name: { ...review.name!, first_name: ` ${review.name!.first_name} ` } },
        true,
      ),
      [],
    );
    assert.deepEqual(
      editedGroups(profile, { ...review, email: 'leslie@pawnee.example', date_of_birth: null }, true),
      ['email', 'date_of_birth'],
    );
  });

  it('counts edits per group over 1, 30 and 365 days and all time', () => {
    const now = Date.parse('2026-11-25T12:00:00.000Z');
    const log: ProfileEdit[] = [
      { group: 'email', at: now - 400 * DAY_MS },
      { group: 'email', at: now - 100 * DAY_MS },
      { group: 'email', at: now - 10 * DAY_MS },
      { group: 'email', at: now },
      { group: 'name', at: now - 2 * DAY_MS },
    ];
    const history = editHistory(log, ['email'], now);
    assert.deepEqual(history.email, {
      edits_current: 1,
      edits_1d: 1,
      edits_30d: 2,
      edits_365d: 3,
      edits_all_time: 4,
    });
    assert.deepEqual(history.name, {
      edits_current: 0,
      edits_1d: 0,
      edits_30d: 1,
      edits_365d: 1,
      edits_all_time: 1,
    });
    // The SSN cannot be edited in Link: always zero.
    assert.deepEqual(Object.values(history.official_document!.ssn!), [0, 0, 0, 0, 0]);
  });
});
