import { expect } from '@open-wc/testing';

import {
  API_ERROR_CODES,
  API_ERRORS,
  ERROR_KINDS,
  WIDGET_ERROR_CODES,
  WIDGET_ERRORS,
} from '../../contract/index.js';
import { errorKind } from '../../widget/errors.js';

describe('errorKind', () => {
  it('takes every backend and widget code’s kind from the contract', () => {
    for (const code of API_ERROR_CODES) expect(errorKind(code), code).to.equal(API_ERRORS[code].kind);
    for (const code of WIDGET_ERROR_CODES) expect(errorKind(code), code).to.equal(WIDGET_ERRORS[code].kind);
  });

  it('has a kind for Link’s own codes: start over after a refused token, unavailable otherwise', () => {
    expect(errorKind('INVALID_LINK_TOKEN')).to.equal('session');
    expect(errorKind('RATE_LIMIT_EXCEEDED')).to.equal('retry');
    expect(errorKind('INTERNAL_SERVER_ERROR')).to.equal('unavailable');
    expect(errorKind('toString')).to.equal('unavailable');
  });

  it('only ever answers a kind of the contract', () => {
    for (const code of [...API_ERROR_CODES, ...WIDGET_ERROR_CODES, 'ANYTHING'])
      expect(ERROR_KINDS).to.include(errorKind(code));
  });
});
