// Self-managed webhook certificates, as MetalLB's cert-controller keeps them: every replica reads the
// Secret, replaces what expires within the lookahead (optimistic concurrency: a replica that loses
// the race re-reads the winner's), serves the Secret's certificate, and writes the CA into the
// caBundle of every webhook of the configuration, then switches them to the failurePolicy the
// configuration asks for once served (names.ts FAILURE_POLICY_ANNOTATION).
import type { V1Secret } from '@kubernetes/client-node';
import type { AdmissionregistrationV1Api, CoreV1Api } from '../k8s/api/index.js';
import { statusCodeOf } from '../k8s/client.js';
import type { Logger } from '../log.js';
import type { KeyPair } from './certificates.js';
import { FAILURE_POLICY_ANNOTATION, SecretKey, VALIDATING_WEBHOOK_CONFIGURATION } from './names.js';
import { type CertificateData, planRotation, rotate } from './rotation.js';

/** What the manager needs. */
export interface CertificateManagerOptions {
  readonly core: CoreV1Api;
  readonly admission: AdmissionregistrationV1Api;
  readonly namespace: string;
  readonly secretName: string;
  /** `<cert-service-name>.<namespace>.svc`. */
  readonly dnsName: string;
  readonly logger: Logger;
}

const MAXIMUM_ATTEMPTS = 5;

function decode(secret: V1Secret | undefined): CertificateData {
  const data: CertificateData = {};
  for (const key of Object.values(SecretKey)) {
    const value = secret?.data?.[key];
    if (value) data[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return data;
}

function encode(data: Required<CertificateData>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  );
}

async function readSecret(options: CertificateManagerOptions): Promise<V1Secret | undefined> {
  try {
    return await options.core.readNamespacedSecret({
      name: options.secretName,
      namespace: options.namespace,
    });
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}

async function writeSecret(
  options: CertificateManagerOptions,
  live: V1Secret | undefined,
  data: Required<CertificateData>,
): Promise<void> {
  const { namespace, secretName: name } = options;
  if (!live) {
    const body = { metadata: { name, namespace }, type: 'Opaque', data: encode(data) };
    await options.core.createNamespacedSecret({ namespace, body });
    return;
  }
  // resourceVersion travels with the body: a concurrent rotation makes this a 409, never a lost write.
  await options.core.replaceNamespacedSecret({ name, namespace, body: { ...live, data: encode(data) } });
}

/**
 * Makes the Secret hold a valid CA and serving certificate; returns the serving pair and the CA.
 * A 409 or a 404-then-409 means another replica wrote first: its certificates are re-read and used.
 */
export async function ensureCertificates(
  options: CertificateManagerOptions,
  now: () => Date = () => new Date(),
): Promise<{ serving: KeyPair; authorityPem: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const live = await readSecret(options);
    const data = decode(live);
    const plan = planRotation(data, options.dnsName, now());
    if (plan === 'keep') {
      return {
        serving: { certificatePem: data[SecretKey.certificate] ?? '', keyPem: data[SecretKey.key] ?? '' },
        authorityPem: data[SecretKey.caCertificate] ?? '',
      };
    }
    const next = await rotate(plan, data, { dnsName: options.dnsName, now: now() });
    try {
      await writeSecret(options, live, next);
      const secret = `${options.namespace}/${options.secretName}`;
      options.logger.info({ secret, rotated: plan }, 'webhook certificates written');
      return {
        serving: { certificatePem: next[SecretKey.certificate], keyPem: next[SecretKey.key] },
        authorityPem: next[SecretKey.caCertificate],
      };
    } catch (error) {
      if (statusCodeOf(error) !== 409 || attempt >= MAXIMUM_ATTEMPTS) throw error;
    }
  }
}

interface WebhookEntry {
  clientConfig?: { caBundle?: string };
  failurePolicy?: string;
}

/**
 * Writes `authorityPem` into every webhook's caBundle and, when the configuration's annotation asks
 * for it, the failurePolicy. Returns whether the configuration exists (absent: webhooks not
 * registered, e.g. turned off in the chart, and nothing to do).
 */
export async function injectAuthority(
  options: CertificateManagerOptions,
  authorityPem: string,
): Promise<boolean> {
  const name = VALIDATING_WEBHOOK_CONFIGURATION;
  for (let attempt = 1; ; attempt += 1) {
    let live: Awaited<ReturnType<AdmissionregistrationV1Api['readValidatingWebhookConfiguration']>>;
    try {
      live = await options.admission.readValidatingWebhookConfiguration({ name });
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      throw error;
    }
    const bundle = Buffer.from(authorityPem).toString('base64');
    const policy = live.metadata?.annotations?.[FAILURE_POLICY_ANNOTATION];
    const webhooks = (live.webhooks ?? []) as WebhookEntry[];
    const stale = webhooks.filter(
      (webhook) =>
        webhook.clientConfig?.caBundle !== bundle ||
        (policy !== undefined && webhook.failurePolicy !== policy),
    );
    if (stale.length === 0) return true;
    for (const webhook of webhooks) {
      webhook.clientConfig = { ...webhook.clientConfig, caBundle: bundle };
      if (policy !== undefined) webhook.failurePolicy = policy;
    }
    try {
      await options.admission.replaceValidatingWebhookConfiguration({ name, body: live });
      options.logger.info(
        { validatingWebhookConfiguration: name, failurePolicy: policy, webhooks: webhooks.length },
        'webhook caBundle updated',
      );
      return true;
    } catch (error) {
      if (statusCodeOf(error) !== 409 || attempt >= MAXIMUM_ATTEMPTS) throw error;
    }
  }
}
