import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkDateOfBirth, checkPhone } from '../../emulator/eligibility.js';
import { AUTOFILL_DATE_OF_BIRTH, type LayerTemplate } from '../../emulator/index.js';

const NEEDS_EMAIL: LayerTemplate = { requiredFields: ['name', 'email'], accounts: 'required' };

describe('eligibility', () => {
  it('depends on the fields the template requires', () => {
    assert.equal(
      checkPhone('+15155550013', { requiredFields: ['name'], accounts: 'required' }).event,
      'LAYER_READY',
    );
    assert.equal(checkPhone('+15155550013', NEEDS_EMAIL).event, 'LAYER_NOT_AVAILABLE');
  });

  it('fills the missing field through Extended Autofill and says which', () => {
    const check = checkDateOfBirth('+15155550013', AUTOFILL_DATE_OF_BIRTH, NEEDS_EMAIL);
    assert.equal(check.event, 'LAYER_READY');
    assert.ok(check.event === 'LAYER_READY');
    assert.deepEqual(check.profile.autofilled, ['email']);
    assert.equal(check.profile.identity.email, 'leslie@knope.com');
    assert.equal(check.profile.identity.name?.first_name, 'Ben');
  });

  it('does not autofill when the template turns Extended Autofill off', () => {
    const check = checkDateOfBirth('+15155550013', AUTOFILL_DATE_OF_BIRTH, {
      ...NEEDS_EMAIL,
      extendedAutofill: false,
    });
    assert.equal(check.event, 'LAYER_AUTOFILL_NOT_AVAILABLE');
  });

  it('serves only North American +1 numbers', () => {
    const anything: LayerTemplate = { requiredFields: [], accounts: 'optional' };
    assert.equal(checkPhone('+14155550011', anything).event, 'LAYER_READY');
    for (const phoneNumber of ['+11155550011', '+4414155550011', '4155550011', '+1415555001']) {
      assert.equal(checkPhone(phoneNumber, anything).event, 'LAYER_NOT_AVAILABLE', phoneNumber);
      assert.equal(
        checkDateOfBirth(phoneNumber, AUTOFILL_DATE_OF_BIRTH, anything).event,
        'LAYER_AUTOFILL_NOT_AVAILABLE',
      );
    }
  });

  it('needs a phone number before a date of birth', () => {
    const check = checkDateOfBirth(null, AUTOFILL_DATE_OF_BIRTH, {
      requiredFields: [],
      accounts: 'optional',
    });
    assert.equal(check.event, 'LAYER_AUTOFILL_NOT_AVAILABLE');
  });
});
