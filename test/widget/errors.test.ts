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
  it('gives every backend code, answered with its status, the contract’s kind', () => {
    for (const code of API_ERROR_CODES)
      expect(errorKind(code, API_ERRORS[code].status), code).to.equal(API_ERRORS[code].kind);
  });

  it('gives the widget’s own codes the contract’s kind, with the statuses they come with', () => {
    // HTTP_ERROR: an error answer without the error body; BAD_RESPONSE: a 2xx without the route's body.
    const statuses: Partial<Record<string, number[]>> = {
      HTTP_ERROR: [400, 404, 429, 502],
      BAD_RESPONSE: [200],
    };
    for (const code of WIDGET_ERROR_CODES)
      for (const status of statuses[code] ?? [0])
        expect(errorKind(code, status), `${code} ${status}`).to.equal(WIDGET_ERRORS[code].kind);
  });

  it('judges a code it does not know by its status', () => {
    expect(errorKind('SOMETHING_NEW', 400)).to.equal('setup');
    expect(errorKind('SOMETHING_NEW', 401)).to.equal('session');
    expect(errorKind('SOMETHING_NEW', 429)).to.equal('retry');
    expect(errorKind('SOMETHING_NEW', 503)).to.equal('unavailable');
  });

  it('has a kind for Link’s own codes: start over after a refused token, unavailable otherwise', () => {
    expect(errorKind('INVALID_LINK_TOKEN')).to.equal('session');
    expect(errorKind('RATE_LIMIT_EXCEEDED')).to.equal('retry');
    expect(errorKind('INTERNAL_SERVER_ERROR')).to.equal('unavailable');
    expect(errorKind('toString')).to.equal('unavailable');
  });

  it('only ever answers a kind of the contract', () => {
    for (const code of [...API_ERROR_CODES, ...WIDGET_ERROR_CODES, 'ANYTHING'])
      for (const status of [0, 200, 400, 401, 403, 409, 429, 500, 503, 599, 600])
        expect(ERROR_KINDS).to.include(errorKind(code, status));
  });
});
