/** The request type of the API's routes: path parameters are strings (fastify decodes them). */
import type { FastifyRequest } from 'fastify';

export type ApiRequest = FastifyRequest<{ Params: Record<string, string> }>;
export type { FastifyInstance, FastifyReply } from 'fastify';
