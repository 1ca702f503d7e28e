// A server component: rendered on the server, with the client component inside it hydrated in
// the browser.
import { Onboarding } from './onboarding';

export default function Page() {
  return (
    <main>
      <h1>Open an account</h1>
      <Onboarding />
    </main>
  );
}
