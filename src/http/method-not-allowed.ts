/**
 * 405 with `Allow` for a known path asked with a method it does not have. The paths and their
 * methods come from the OpenAPI document, which a test keeps equal to the routes served.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, pathOf } from './errors.js';

/** Answers 405 (true) when the path exists with other methods; false leaves the request to the 404. */
export function methodNotAllowed(paths: Record<string, object>): (req: FastifyRequest, reply: FastifyReply) => boolean {
  const known = Object.entries(paths).map(([path, ops]) => {
    const methods = Object.keys(ops).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD'); // HEAD is answered from the GET route
    const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+');
    return { re: new RegExp(`^${pattern}/?$`), methods };
  });
  return (req, reply) => {
    const path = pathOf(req.url);
    // `/plans/drain` is both its own path and a `/plans/{id}`: Allow lists the methods of both
    const allowed = [...new Set(known.filter((k) => k.re.test(path)).flatMap((k) => k.methods))];
    if (!allowed.length) return false;
    const allow = allowed.join(', ');
    void reply
      .code(405)
      .header('allow', allow)
      .send(
        errorBody('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}`, [
          { path: 'method', message: `expected one of ${allow}, got ${req.method}` },
        ]),
      );
    return true;
  };
}
