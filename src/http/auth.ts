/**
 * Bearer-token authentication and roles. Tokens are compared as SHA-256 digests with
 * crypto.timingSafeEqual, against every configured token, so neither the comparison nor the
 * search leaks how much of a token was right. `read` tokens may only use GET (and HEAD).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { onRequestHookHandler } from 'fastify';
import type { TokenConfig } from '../config/index.js';
import { errorBody, pathOf } from './errors.js';

export type Role = TokenConfig['role'];

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The role of the presented token, or null when it matches none. */
export function tokenMatcher(tokens: TokenConfig[]): (presented: string) => Role | null {
  const known = tokens.map((t) => ({ hash: digest(t.token), role: t.role }));
  return (presented) => {
    const hash = digest(presented);
    let role: Role | null = null;
    for (const k of known) if (timingSafeEqual(hash, k.hash) && role === null) role = k.role;
    return role;
  };
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/** Paths reachable without a token (load balancer health checks). */
const PUBLIC_PATHS = new Set(['/healthz', '/readyz']);

export function authenticate(tokens: TokenConfig[]): onRequestHookHandler {
  const match = tokenMatcher(tokens);
  return (req, reply, done) => {
    const path = pathOf(req.url);
    if (PUBLIC_PATHS.has(path)) return done();
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const role = m ? match(m[1]) : null;
    if (!role) {
      const why = m ? 'the bearer token is not valid' : 'expected an "Authorization: Bearer <token>" header';
      reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer realm="rebalancer"')
        .send(errorBody('UNAUTHORIZED', why, [{ path: 'authorization', message: why }]));
      return;
    }
    if (role === 'read' && !READ_METHODS.has(req.method)) {
      reply
        .code(403)
        .send(errorBody('FORBIDDEN', `a read token cannot ${req.method} ${path}: expected an admin token`));
      return;
    }
    done();
  };
}
