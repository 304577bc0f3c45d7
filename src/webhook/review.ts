// AdmissionReview (admission.k8s.io/v1) in and out, as controller-runtime's admission package
// reads and writes it: a denial is HTTP 200 with `allowed: false` and status 403 Forbidden carrying
// the message (admission.Denied); an unreadable review is status 400 (admission.Errored).
import { type Fields, isFields } from '../config/index.js';
import type { Operation, Verdict } from './validation.js';

/** The parts of an AdmissionRequest the webhooks read. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly operation: Operation;
  readonly object: Fields;
  /** `request.namespace`, which the API server fills for namespaced objects. */
  readonly namespace: string | undefined;
}

export type ParsedReview =
  | { readonly ok: true; readonly apiVersion: string; readonly request: AdmissionRequest }
  | { readonly ok: false; readonly uid: string; readonly message: string };

const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** Parses a review body; the object is `oldObject` for DELETE, as MetalLB decodes it. */
export function parseReview(body: string): ParsedReview {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (error) {
    return { ok: false, uid: '', message: `couldn't decode AdmissionReview: ${String(error)}` };
  }
  const request = isFields(review) && isFields(review.request) ? review.request : undefined;
  const uid = typeof request?.uid === 'string' ? request.uid : '';
  if (!request || !isFields(review)) return { ok: false, uid, message: 'AdmissionReview has no request' };
  const operation = typeof request.operation === 'string' ? request.operation : '';
  if (!OPERATIONS.has(operation)) return { ok: false, uid, message: `unknown operation "${operation}"` };
  const object = operation === 'DELETE' ? request.oldObject : request.object;
  if (!isFields(object)) return { ok: false, uid, message: 'AdmissionReview request has no object' };
  const namespace = typeof request.namespace === 'string' ? request.namespace : undefined;
  const metadata = isFields(object.metadata) ? object.metadata : {};
  // kubectl may leave metadata.namespace out of a create; the API server's request names it.
  const withNamespace =
    namespace && metadata.namespace === undefined
      ? { ...object, metadata: { ...metadata, namespace } }
      : object;
  const apiVersion = typeof review.apiVersion === 'string' ? review.apiVersion : 'admission.k8s.io/v1';
  return {
    ok: true,
    apiVersion,
    request: { uid, operation: operation as Operation, object: withNamespace, namespace },
  };
}

function review(apiVersion: string, response: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion, kind: 'AdmissionReview', response };
}

/** admission.Allowed / admission.Denied for `verdict` (ValidationResponse). */
export function verdictResponse(apiVersion: string, uid: string, verdict: Verdict): Record<string, unknown> {
  if (verdict.allowed) {
    const warnings =
      verdict.warnings && verdict.warnings.length > 0 ? { warnings: [...verdict.warnings] } : {};
    return review(apiVersion, { uid, allowed: true, status: { metadata: {}, code: 200 }, ...warnings });
  }
  return review(apiVersion, {
    uid,
    allowed: false,
    status: { metadata: {}, code: 403, reason: 'Forbidden', message: verdict.message },
  });
}

/** admission.Errored(400, …) for a review that cannot be read. */
export function errorResponse(apiVersion: string, uid: string, message: string): Record<string, unknown> {
  return review(apiVersion, { uid, allowed: false, status: { metadata: {}, code: 400, message } });
}
