// The thin shell around validation.ts: route a review by path, fetch the live objects straight from
// the API server (MetalLB uses the manager's API reader, not a cache, so two objects applied in one
// `kubectl apply` see each other), decide, log, answer.
import type { Fields } from '../config/index.js';
import type { Logger } from '../log.js';
import { UNSUPPORTED_WEBHOOK_PATHS, WebhookPath } from './names.js';
import { errorResponse, parseReview, verdictResponse } from './review.js';
import {
  type Review,
  reviewL2Advertisement,
  reviewPool,
  reviewUnsupported,
  type Verdict,
} from './validation.js';

/** Where the live objects come from (the API server in the daemon, arrays in tests). */
export interface LiveObjects {
  listPools(): Promise<Fields[]>;
  listAdvertisements(): Promise<Fields[]>;
}

/** An HTTP answer: status and JSON body. */
export interface HandlerAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

type Decide = (review: Review) => Promise<Verdict>;

/** MetalLB joins the list error with "failed to get existing <Kind> objects" and denies (fail closed). */
async function listed<T>(list: () => Promise<T>, kind: string): Promise<T | { failure: string }> {
  try {
    return await list();
  } catch (error) {
    return { failure: `${String(error)}\nfailed to get existing ${kind} objects` };
  }
}

function routes(live: LiveObjects): ReadonlyMap<string, { kind: string; decide: Decide }> {
  const pools = () => listed(() => live.listPools(), 'IPAddressPool');
  const table = new Map<string, { kind: string; decide: Decide }>([
    [
      WebhookPath.ipAddressPool,
      {
        kind: 'IPAddressPool',
        decide: async (review) => {
          const existing = await pools();
          return 'failure' in existing ? deny(existing.failure) : reviewPool(review, existing);
        },
      },
    ],
    [
      WebhookPath.l2Advertisement,
      {
        kind: 'L2Advertisement',
        decide: async (review) => {
          const advertisements = await listed(() => live.listAdvertisements(), 'v1beta1.L2Advertisement');
          if ('failure' in advertisements) return deny(advertisements.failure);
          const existing = await pools();
          if ('failure' in existing) return deny(existing.failure);
          return reviewL2Advertisement(review, { pools: existing, advertisements });
        },
      },
    ],
  ]);
  for (const [path, kind] of Object.entries(UNSUPPORTED_WEBHOOK_PATHS))
    table.set(path, { kind, decide: async () => reviewUnsupported(kind) });
  return table;
}

function deny(message: string): Verdict {
  return { allowed: false, message };
}

function objectName(object: Fields): string {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return `${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`;
}

/** Builds the request handler for the webhook server; `systemNamespace` is `--namespace`. */
export function createAdmissionHandler(options: {
  readonly live: LiveObjects;
  readonly systemNamespace: string;
  readonly logger: Logger;
}): (path: string, body: string) => Promise<HandlerAnswer> {
  const table = routes(options.live);
  return async (path, body) => {
    const route = table.get(path);
    if (!route) return { status: 404, body: undefined };
    const parsed = parseReview(body);
    if (!parsed.ok) {
      options.logger.warn({ webhook: route.kind, reason: parsed.message }, 'unreadable admission review');
      return { status: 200, body: errorResponse('admission.k8s.io/v1', parsed.uid, parsed.message) };
    }
    const { request } = parsed;
    const verdict = await route.decide({
      operation: request.operation,
      object: request.object,
      systemNamespace: options.systemNamespace,
    });
    // The object under its kind's log key (`pool` for pools, as the controller logs them).
    const key =
      route.kind === 'IPAddressPool'
        ? 'pool'
        : route.kind === 'L2Advertisement'
          ? 'l2Advertisement'
          : 'object';
    const context = { webhook: route.kind, operation: request.operation, [key]: objectName(request.object) };
    if (verdict.allowed) options.logger.debug(context, 'admission allowed');
    else options.logger.warn({ ...context, reason: verdict.message }, 'admission denied');
    return { status: 200, body: verdictResponse(parsed.apiVersion, request.uid, verdict) };
  };
}
