import { expect } from '@open-wc/testing';

import { normalizePhone } from '../../widget/phone.js';

describe('normalizePhone', () => {
  const US_FORMS = [
    '(415) 555-0011',
    '415.555.0011',
    '415-555-0011',
    '415 555 0011',
    '4155550011',
    '+1 415 555 0011',
    '+1 (415) 555-0011',
    '+14155550011',
    '1-415-555-0011',
    '1 (415) 555-0011',
    '14155550011',
    '  415 555 0011  ',
    '415\u2013555\u20130011',
  ];
  for (const input of US_FORMS) {
    it(`normalises the US form ${JSON.stringify(input)} to E.164`, () => {
      expect(normalizePhone(input)).to.equal('+14155550011');
    });
  }

  const OTHER_COUNTRIES: [string, string][] = [
    ['+44 7700 900123', '+447700900123'],
    ['+52 55 1234 5678', '+525512345678'],
    ['+49 (30) 1234-5678', '+493012345678'],
  ];
  for (const [input, e164] of OTHER_COUNTRIES) {
    it(`passes ${JSON.stringify(input)} on in E.164`, () => {
      expect(normalizePhone(input)).to.equal(e164);
    });
  }

  const INVALID = [
    '',
    '555-0011',
    '415-555-001',
    '415-555-00111',
    '015-555-0011',
    '415-055-0011',
    '2-415-555-0011',
    '+1 415 555 001',
    '+0 123 456 789',
    '+44 12',
    '+1234567890123456',
    '415-555-0011 ext 2',
    'call me',
    '415+555+0011',
    '++14155550011',
  ];
  for (const input of INVALID) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(normalizePhone(input)).to.equal(null);
    });
  }
});
