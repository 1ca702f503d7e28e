// Types for the Express middleware partners' apps already run, which the adapter tests put in front
// of the API (devDependencies without bundled types; only what the tests call).
declare module 'express-4' {
  // Express 4.22 (body-parser 1.x, which sets `req.body = {}` on requests it does not parse): its
  // API is Express 5's as far as these tests use it.
  import express from 'express';
  export default express;
}

declare module 'compression' {
  import type { RequestHandler } from 'express';
  export default function compression(options?: { threshold?: number | string }): RequestHandler;
}

declare module 'cors' {
  import type { RequestHandler } from 'express';
  export default function cors(options?: {
    origin?: boolean | string | string[];
    credentials?: boolean;
  }): RequestHandler;
}
