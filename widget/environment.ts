// Where Plaid does not support Layer: inside mobile apps' webviews and in-app browsers (Plaid's
// Layer integration guide; LAYER.md §4.5), where Link's phone verification and OAuth hand-offs
// break. Detected from the user agent, the only signal a page has; a partner who knows their app
// works sets `allow-webview`.

/** In-app browsers that name themselves (`<app> in-app browser`), most specific first. */
const IN_APP_BROWSERS: ReadonlyArray<readonly [app: string, pattern: RegExp]> = [
  ['Facebook', /\bFB(AN|AV|_IAB|IOS|DV|SV)\b|\[FB/],
  ['Instagram', /\bInstagram\b/],
  ['TikTok', /\b(musical_ly|BytedanceWebview|TikTok)\b/i],
  ['Snapchat', /\bSnapchat\b/],
  ['LinkedIn', /\bLinkedInApp\b/],
  ['Line', /\bLine\/\d/],
  ['WeChat', /\bMicroMessenger\b/],
];

/**
 * The name of the webview or in-app browser `userAgent` comes from, or null for a browser Plaid
 * supports. Android's WebView marks itself `; wv)`; an iOS WKWebView has WebKit's token but no
 * `Safari/` (Safari, Chrome, Firefox and Edge on iOS all keep it).
 */
export function unsupportedEnvironment(userAgent: string): string | null {
  for (const [app, pattern] of IN_APP_BROWSERS) if (pattern.test(userAgent)) return `${app} in-app browser`;
  if (/\bAndroid\b/.test(userAgent) && /;\s*wv\)/.test(userAgent)) return 'Android WebView';
  if (
    /\b(iPhone|iPad|iPod)\b/.test(userAgent) &&
    /AppleWebKit\//.test(userAgent) &&
    !/Safari\//.test(userAgent)
  )
    return 'iOS WebView';
  return null;
}

/** What about the page will stop Plaid Link, as one-line explanations for the console. */
export function pageProblems(scope: {
  isSecureContext?: boolean;
  self?: unknown;
  top?: unknown;
  origin?: string;
}): string[] {
  const problems: string[] = [];
  // The API then answers ORIGIN_NOT_ALLOWED for "null", whose own hint would open it to any
  // sandboxed page on the web.
  if (scope.origin === 'null')
    problems.push(
      'this page has an opaque origin (a sandboxed iframe without allow-same-origin, or a data: URL): it calls the API with Origin: null and cannot keep a Link token. Add allow-same-origin to the sandbox, and never add null to allowedOrigins.',
    );
  if (scope.isSecureContext === false)
    problems.push(
      'this page is not a secure context: Plaid Link needs https (http works only on localhost).',
    );
  let nested = false;
  try {
    nested = scope.top !== scope.self;
  } catch {
    nested = true; // a cross-origin top throws on some access: we are framed
  }
  if (nested)
    problems.push(
      'this page runs in a frame: Plaid does not support Link inside a nested iframe; embed the widget in the top-level page.',
    );
  return problems;
}
