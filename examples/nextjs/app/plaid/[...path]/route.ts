// The offline Plaid emulator at /plaid/*: the API calls it instead of Plaid, and the page loads
// Plaid Link's script and iframe from it. A real app has no such route.
import { plaidEmulator } from '../../../lib/layer-backend';

export const dynamic = 'force-dynamic';

export { plaidEmulator as GET, plaidEmulator as POST, plaidEmulator as OPTIONS };
