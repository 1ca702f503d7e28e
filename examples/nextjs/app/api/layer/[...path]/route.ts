// The Layer API at /api/layer/*: POST /api/layer/link-token, POST /api/layer/session, …
import { layerApi } from '../../../../lib/layer-backend';

export const dynamic = 'force-dynamic';

export { layerApi as GET, layerApi as POST, layerApi as OPTIONS };
