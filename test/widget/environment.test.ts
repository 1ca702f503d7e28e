// Where Plaid does not support Layer, told from real user-agent strings of the browsers, webviews
// and in-app browsers visitors use; and what about a page stops Link.
import { expect } from '@open-wc/testing';

import { pageProblems, unsupportedEnvironment } from '../../widget/environment.js';

const SUPPORTED: Record<string, string> = {
  'Chrome on Windows':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Safari on iPhone':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Chrome on iPhone':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
  'Firefox on iPhone':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15',
  'Safari on iPad (desktop mode)':
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Chrome on Android':
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Samsung Internet':
    'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  'Firefox on Android': 'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
  'Safari on macOS':
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
  'Firefox on Linux': 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
};

const UNSUPPORTED: Record<string, [userAgent: string, name: string]> = {
  'an Android app’s WebView': [
    'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.64 Mobile Safari/537.36',
    'Android WebView',
  ],
  'an iOS app’s WKWebView': [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
    'iOS WebView',
  ],
  'Facebook on iOS': [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/450.0.0.38.108;FBBV/573178475;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.3.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/575284312]',
    'Facebook in-app browser',
  ],
  'Facebook on Android': [
    'Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/121.0.6167.178 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/449.0.0.41.111;]',
    'Facebook in-app browser',
  ],
  'Instagram on iOS': [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 321.0.2.19.105 (iPhone14,5; iOS 17_3; en_US; en; scale=3.00; 1170x2532; 567220162)',
    'Instagram in-app browser',
  ],
  'Instagram on Android': [
    'Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/AP1A.240305.019.A1; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.105 Mobile Safari/537.36 Instagram 320.0.0.42.101 Android (34/14; 420dpi; 1080x2400; Google/google; Pixel 7; panther; panther; en_US; 580136010)',
    'Instagram in-app browser',
  ],
  'TikTok on iOS': [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_33.4.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US ByteFullLocale/en-US isDarkMode/0 WKWebView/1 BytedanceWebview/d8a21c6',
    'TikTok in-app browser',
  ],
  'TikTok on Android': [
    'Mozilla/5.0 (Linux; Android 12; SM-A525F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36 trill_330404 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/33.4.4 ByteLocale/en ByteFullLocale/en Region/US BytedanceWebview/d8a21c6',
    'TikTok in-app browser',
  ],
  'LinkedIn on iOS': [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.8000',
    'LinkedIn in-app browser',
  ],
  'WeChat on Android': [
    'Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64',
    'WeChat in-app browser',
  ],
};

describe('unsupportedEnvironment', () => {
  for (const [browser, userAgent] of Object.entries(SUPPORTED))
    it(`lets ${browser} through`, () => {
      expect(unsupportedEnvironment(userAgent)).to.equal(null);
    });

  for (const [where, [userAgent, name]] of Object.entries(UNSUPPORTED))
    it(`names ${where}`, () => {
      expect(unsupportedEnvironment(userAgent)).to.equal(name);
    });

  it('lets this test browser through', () => {
    expect(unsupportedEnvironment(navigator.userAgent)).to.equal(null);
  });
});

describe('pageProblems', () => {
  const page = {};

  it('finds none on a secure top-level page', () => {
    expect(pageProblems({ isSecureContext: true, self: page, top: page })).to.deep.equal([]);
  });

  it('names an insecure context and a nested frame', () => {
    const problems = pageProblems({ isSecureContext: false, self: page, top: {} });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.contain('https');
    expect(problems[1]).to.contain('nested iframe');
  });

  // Every request from such a page carries `Origin: null`, which an API must never allow: any
  // sandboxed page anywhere sends it.
  it('names an opaque origin, a sandboxed frame without allow-same-origin, and what to do instead', () => {
    const problems = pageProblems({ isSecureContext: true, self: page, top: {}, origin: 'null' });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.contain('allow-same-origin');
    expect(problems[0]).to.contain('never add null to allowedOrigins');
  });

  it('finds none on this test page', () => {
    expect(pageProblems(globalThis)).to.deep.equal([]);
  });
});
