'use client';
// The element on a server-rendered page. Importing the package on the server does nothing (the
// tag is defined in the browser only); the server sends <layer-onboarding> with its attributes,
// and the element upgrades once this module runs in the browser.
//
// Events: React 19 attaches `onlayer-*` props of a custom element when it creates the element in
// the browser, but not when it hydrates one the server rendered: hydration only adopts the
// server's element and sets no custom-element props at all (react-dom 19.3's
// prepareToHydrateHostInstance has no custom-element case; facebook/react#35446). On this page an
// `onlayer-success` prop never fires (tried: the document sees the event, React's handler does
// not). Listen from a ref callback instead: React calls it after hydration as after a client
// render, and calls the cleanup it returns when the element goes.
import 'layer-onboarding';
import type {} from 'layer-onboarding/react';
import type {
  BrowserProfile,
  LayerFallbackDetail,
  LayerOnboarding,
  LayerSuccessDetail,
} from 'layer-onboarding';
import { useCallback, useState } from 'react';

/** Where Plaid Link's script comes from: here the emulator that app/plaid/[...path] serves. */
const LINK_SCRIPT_SRC = '/plaid/link/v2/stable/link-initialize.js';

export function Onboarding() {
  const [profile, setProfile] = useState<BrowserProfile | null>(null);
  const [fallback, setFallback] = useState<string | null>(null);

  const listen = useCallback((element: LayerOnboarding | null) => {
    if (!element) return;
    const onSuccess = (event: CustomEvent<LayerSuccessDetail>) => setProfile(event.detail.profile);
    const onFallback = (event: CustomEvent<LayerFallbackDetail>) => setFallback(event.detail.reason);
    element.addEventListener('layer-success', onSuccess);
    element.addEventListener('layer-fallback', onFallback);
    return () => {
      element.removeEventListener('layer-success', onSuccess);
      element.removeEventListener('layer-fallback', onFallback);
    };
  }, []);

  if (profile)
    return (
      <section aria-label="Your profile">
        <p>
          Welcome, <strong data-testid="first-name">{profile.name?.first_name}</strong>{' '}
          {profile.name?.last_name}
        </p>
        <p>Date of birth: {profile.date_of_birth}</p>
      </section>
    );
  return (
    <>
      <layer-onboarding ref={listen} api="/api/layer" link-script-src={LINK_SCRIPT_SRC}>
        <p slot="fallback">No problem: fill in the form below.</p>
      </layer-onboarding>
      {fallback && <p role="status">Layer could not help ({fallback}); the usual form follows.</p>}
    </>
  );
}
