// Where Plaid does not support Layer: inside mobile apps' webviews and in-app browsers (Plaid's
// Layer integration guide; LAYER.md §4.5), where Link's phone verification and OAuth hand-offs
// break. Detected from the user agent, the only signal a page has; a partner who knows their app
// works sets `allow-webview`.

/** In-app browsers that name themselves, most specific first. */
const IN_APP_BROWSERS: ReadonlyArray<readonly [name: string, pattern: RegExp]> = [
  ['Facebook in-app browser', /\bFB(AN|AV|_IAB|IOS|DV|SV)\b|\[FB/],
  ['Instagram in-app browser', /\bInstagram\b/],
  ['TikTok in-app browser', /\b(musical_ly|BytedanceWebview|TikTok)\b/i],
  ['Snapchat in-app browser', /\bSnapchat\b/],
  ['LinkedIn in-app browser', /\bLinkedInApp\b/],
  ['Line in-app browser', /\bLine\/\d/],
  ['WeChat in-app browser', /\bMicroMessenger\b/],
];

/**
 * The name of the webview or in-app browser `userAgent` comes from, or null for a browser Plaid
 * supports. Android's WebView marks itself `; wv)`; an iOS WKWebView has WebKit's token but no
 * `Safari/` (Safari, Chrome, Firefox and Edge on iOS all keep it).
 */
export function unsupportedEnvironment(userAgent: string): string | null {
  for (const [name, pattern] of IN_APP_BROWSERS) if (pattern.test(userAgent)) return name;
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
export function pageProblems(scope: { isSecureContext?: boolean; self?: unknown; top?: unknown }): string[] {
  const problems: string[] = [];
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
