// Registers <layer-onboarding> and brings its types: the tag in JSX (props and `onlayer-*`
// handlers), the element class and its event details. No declarations of our own.
import 'layer-onboarding';
import type {} from 'layer-onboarding/react';
import type { BrowserProfile, LayerFallbackDetail, LayerSuccessDetail } from 'layer-onboarding';
import { useState } from 'react';

/** Where Plaid Link's script comes from: here the emulator that backend.mjs mounts at /plaid. */
const LINK_SCRIPT_SRC = '/plaid/link/v2/stable/link-initialize.js';

export function App() {
  const [profile, setProfile] = useState<BrowserProfile | null>(null);
  const [fallback, setFallback] = useState<string | null>(null);

  // React 19 passes `on<event-name>` props of a custom element to addEventListener as they are:
  // `onlayer-success` listens to `layer-success`. (After server rendering and hydration it does
  // not: see examples/nextjs.)
  const onSuccess = (event: CustomEvent<LayerSuccessDetail>) => setProfile(event.detail.profile);
  const onFallback = (event: CustomEvent<LayerFallbackDetail>) => setFallback(event.detail.reason);

  return (
    <main>
      <h1>Open an account</h1>
      {profile ? (
        <section aria-label="Your profile">
          <p>
            Welcome, <strong data-testid="first-name">{profile.name?.first_name}</strong>{' '}
            {profile.name?.last_name}
          </p>
          <p>Date of birth: {profile.date_of_birth}</p>
        </section>
      ) : (
        <layer-onboarding
          api="/api/layer"
          link-script-src={LINK_SCRIPT_SRC}
          onlayer-success={onSuccess}
          onlayer-fallback={onFallback}
        >
          <p slot="fallback">No problem: fill in the form below.</p>
        </layer-onboarding>
      )}
      {fallback && <p role="status">Layer could not help ({fallback}); the usual form follows.</p>}
    </main>
  );
}
