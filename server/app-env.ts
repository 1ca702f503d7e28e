import type { ErrorLogFields } from './errors.js';

/** The Hono environment of createLayerApi's app: what its middleware shares through `c.get()`. */
export interface LayerApiEnv {
  Variables: {
    /** Set first by the request-id middleware; in every error body and log line. */
    requestId: string;
    /** Set by the one onError, for the request log line. */
    errorLog: ErrorLogFields;
  };
}
