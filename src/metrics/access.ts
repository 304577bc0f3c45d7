// Who may read /metrics on the HTTPS port, decided as MetalLB 0.16 (controller-runtime's
// filters.WithAuthenticationAndAuthorization) decides it: the bearer token goes to a TokenReview,
// the user it names to a SubjectAccessReview for `get` on the non-resource URL `/metrics`.
// No token or an unknown one: 401. A known user without that right: 403.
import { createHash } from 'node:crypto';
import type { V1UserInfo } from '@kubernetes/client-node';
import type { AuthenticationV1Api, AuthorizationV1Api } from '../k8s/api/index.js';

/** The HTTP status a scrape gets. */
export type AccessDecision = 200 | 401 | 403;

/** The two reviews, behind a seam so the decision logic is testable without an API server. */
export interface AccessReviewer {
  /** The user a token belongs to, or undefined when the API server does not know it. */
  authenticate(token: string): Promise<V1UserInfo | undefined>;
  /** Whether `user` may `get` the non-resource URL `path`. */
  authorize(user: V1UserInfo, path: string): Promise<boolean>;
}

/** Decisions are cached per token, as controller-runtime's delegating authenticator and authorizer do. */
const ALLOWED_TTL_MS = 60_000;
const DENIED_TTL_MS = 10_000;
/** A scrape storm with random tokens must not grow memory: the cache is simply emptied when full. */
const MAXIMUM_CACHED = 1024;

/** The reviews through the API server, with the daemon's own credentials (RBAC: create both). */
export function apiReviewer(
  authentication: AuthenticationV1Api,
  authorization: AuthorizationV1Api,
): AccessReviewer {
  return {
    authenticate: async (token) => {
      const review = await authentication.createTokenReview({ body: { spec: { token } } });
      return review.status?.authenticated ? (review.status.user ?? {}) : undefined;
    },
    authorize: async (user, path) => {
      const review = await authorization.createSubjectAccessReview({
        body: {
          spec: {
            user: user.username,
            uid: user.uid,
            groups: user.groups,
            extra: user.extra,
            nonResourceAttributes: { path, verb: 'get' },
          },
        },
      });
      return review.status?.allowed === true;
    },
  };
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Decides each request; a review that fails (API server down) throws, and nothing is cached. */
export class AccessGate {
  private readonly cache = new Map<string, { decision: AccessDecision; expires: number }>();

  constructor(
    private readonly reviewer: AccessReviewer,
    private readonly now: () => number = Date.now,
  ) {}

  async decide(authorization: string | undefined, path: string): Promise<AccessDecision> {
    const token = bearerToken(authorization);
    if (token === undefined) return 401;
    const key = createHash('sha256').update(path).update('\0').update(token).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.expires > this.now()) return cached.decision;
    const decision = await this.review(token, path);
    if (this.cache.size >= MAXIMUM_CACHED) this.cache.clear();
    this.cache.set(key, {
      decision,
      expires: this.now() + (decision === 200 ? ALLOWED_TTL_MS : DENIED_TTL_MS),
    });
    return decision;
  }

  private async review(token: string, path: string): Promise<AccessDecision> {
    const user = await this.reviewer.authenticate(token);
    if (!user) return 401;
    return (await this.reviewer.authorize(user, path)) ? 200 : 403;
  }
}
