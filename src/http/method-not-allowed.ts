/**
 * 405 with `Allow` for a known path asked with a method it does not have. The paths and their
 * methods come from the OpenAPI document, which a test keeps equal to the routes served.
 */
import type { RequestHandler } from 'express';
import { errorBody } from './errors.js';

export function methodNotAllowed(paths: Record<string, object>): RequestHandler {
  const known = Object.entries(paths).map(([path, ops]) => {
    const methods = Object.keys(ops).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD'); // express answers HEAD from the GET route
    const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+');
    return { re: new RegExp(`^${pattern}/?$`), methods };
  });
  return (req, res, next) => {
    // `/plans/drain` is both its own path and a `/plans/{id}`: Allow lists the methods of both
    const allowed = [...new Set(known.filter((k) => k.re.test(req.path)).flatMap((k) => k.methods))];
    if (!allowed.length) return next();
    const allow = allowed.join(', ');
    res.set('allow', allow);
    res
      .status(405)
      .json(
        errorBody('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`, [
          { path: 'method', message: `expected one of ${allow}, got ${req.method}` },
        ]),
      );
  };
}
