import { expect } from '@open-wc/testing';

import { parseDateOfBirth } from '../../widget/date-of-birth.js';

describe('parseDateOfBirth', () => {
  const TODAY = new Date(2026, 10, 25);

  const VALID: [string, string][] = [
    ['1975-01-18', '1975-01-18'],
    ['01/18/1975', '1975-01-18'],
    ['1/8/1975', '1975-01-08'],
    ['01-18-1975', '1975-01-18'],
    ['01.18.1975', '1975-01-18'],
    ['01181975', '1975-01-18'],
    [' 02/29/2000 ', '2000-02-29'],
    ['11/25/2026', '2026-11-25'],
  ];
  for (const [input, iso] of VALID) {
    it(`reads ${JSON.stringify(input)} as ${iso}`, () => {
      expect(parseDateOfBirth(input, TODAY)).to.equal(iso);
    });
  }

  const INVALID = [
    '',
    '18/01/1975',
    '02/29/1999',
    '1975-13-01',
    '1975-1-18',
    '11/26/2026',
    '01/01/1899',
    'yesterday',
    '1975',
  ];
  for (const input of INVALID) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(parseDateOfBirth(input, TODAY)).to.equal(null);
    });
  }
});
