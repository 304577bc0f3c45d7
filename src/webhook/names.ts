// Every name, path and timing of the admission webhooks, once (metallb-behaviour W1, W4; cert-controller
// pkg/rotator defaults). deploy/webhook.yaml and the chart spell the same names.

/** The ValidatingWebhookConfiguration whose caBundle the controller keeps current (W4). */
export const VALIDATING_WEBHOOK_CONFIGURATION = 'metallb-webhook-configuration';

/** `--webhook-secret` default: the Secret holding ca.crt, ca.key, tls.crt, tls.key (W4). */
export const DEFAULT_WEBHOOK_SECRET = 'metallb-webhook-cert';

/** `--cert-service-name` default: the serving certificate names `<service>.<namespace>.svc` (W4). */
export const DEFAULT_CERT_SERVICE_NAME = 'metallb-webhook-service';

/** `--cert-dir` default, controller-runtime's: read when `--disable-cert-rotation` is set. */
export const DEFAULT_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';

/** The webhook server's port (W1); MetalLB hard-codes it, ferrolb's `--webhook-port` changes it. */
export const DEFAULT_WEBHOOK_PORT = 9443;

/** Secret keys, as cert-controller writes them. */
export const SecretKey = {
  caCertificate: 'ca.crt',
  caKey: 'ca.key',
  certificate: 'tls.crt',
  key: 'tls.key',
} as const;

/** cert-controller's CA subject (MetalLB's caName and caOrganization). */
export const CA_NAME = 'cert';
export const CA_ORGANIZATION = 'metallb';

const DAY_MS = 24 * 3600 * 1000;
/** cert-controller: a CA lasts 10 years, a serving certificate 1 year ... */
export const CA_VALIDITY_MS = 10 * 365 * DAY_MS;
export const SERVING_VALIDITY_MS = 365 * DAY_MS;
/** ... and both are replaced when they would expire within 90 days (the lookahead). */
export const ROTATION_LOOKAHEAD_MS = 90 * DAY_MS;
/** Certificates are back-dated an hour, for clocks a little behind (cert-controller's `begin`). */
export const BACKDATE_MS = 3600 * 1000;

/**
 * How often each replica re-reads the Secret and the webhook configuration: picks up a rotation by
 * the other replica and restores a caBundle or failurePolicy that an apply reset. cert-controller
 * watches both; a minute of polling costs two GETs.
 */
export const WEBHOOK_SYNC_INTERVAL_MS = 60_000;
/** After a failed sync (API server unreachable, RBAC), the next try comes sooner. */
export const WEBHOOK_SYNC_RETRY_MS = 5_000;

/**
 * The failurePolicy the controller sets on every webhook once it serves with a certificate the
 * caBundle trusts. The manifests ship `Ignore`, so objects applied before the controller runs (a
 * chart's default pool) are not refused by an unreachable webhook; the annotation says what to
 * switch to (`Fail`, MetalLB's policy, unless the user chose otherwise).
 */
export const FAILURE_POLICY_ANNOTATION = 'ferrolb.io/failure-policy-when-ready';

/** The largest review body read: the API server's request limit is 3 MiB, and the object comes twice on UPDATE. */
export const MAX_REVIEW_BYTES = 8 * 1024 * 1024;

/** Webhook paths (W1) and the kind each validates. */
export const WebhookPath = {
  ipAddressPool: '/validate-metallb-io-v1beta1-ipaddresspool',
  l2Advertisement: '/validate-metallb-io-v1beta1-l2advertisement',
} as const;

/** MetalLB's BGP-side webhook paths: answered, never validated (no BGP in ferrolb). */
export const UNSUPPORTED_WEBHOOK_PATHS: Readonly<Record<string, string>> = {
  '/validate-metallb-io-v1beta2-bgppeer': 'BGPPeer',
  '/validate-metallb-io-v1beta1-bgpadvertisement': 'BGPAdvertisement',
  '/validate-metallb-io-v1beta1-community': 'Community',
  '/validate-metallb-io-v1beta1-bfdprofile': 'BFDProfile',
};
