// MetalLB's validating webhooks in the controller (DESIGN drop-in; metallb-behaviour W1–W5): the
// HTTPS server, its self-managed certificates and the caBundle, kept current by a sync loop.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { Fields } from '../config/index.js';
import type { Logger } from '../log.js';
import {
  type CertificateManagerOptions,
  ensureCertificates,
  injectAuthority,
} from './certificate-manager.js';
import type { KeyPair } from './certificates.js';
import { createAdmissionHandler, type LiveObjects } from './handler.js';
import {
  SecretKey,
  VALIDATING_WEBHOOK_CONFIGURATION,
  WEBHOOK_SYNC_INTERVAL_MS,
  WEBHOOK_SYNC_RETRY_MS,
} from './names.js';
import { startWebhookServer, type WebhookServer } from './server.js';
import type { WebhookSettings } from './settings.js';

export {
  tlsMinVersion,
  WEBHOOK_BOOLEAN_FLAGS,
  WEBHOOK_VALUE_FLAGS,
  type WebhookSettings,
  webhookSettings,
} from './settings.js';

/** The running webhooks. */
export interface Admission {
  /** Resolves once the server listens with a certificate (for tests and logs). */
  readonly serving: Promise<void>;
  stop(): Promise<void>;
}

function liveObjects(config: KubeConfig, namespace: string): LiveObjects {
  const custom = config.makeApiClient(CustomObjectsApi);
  const list = async (plural: string) => {
    const result = (await custom.listNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace,
      plural,
    })) as {
      items?: Fields[];
    };
    return result.items ?? [];
  };
  return { listPools: () => list('ipaddresspools'), listAdvertisements: () => list('l2advertisements') };
}

/** `--disable-cert-rotation`: the certificate is whatever the user mounted in `--cert-dir`. */
function readCertDir(directory: string): KeyPair {
  return {
    certificatePem: readFileSync(join(directory, SecretKey.certificate), 'utf8'),
    keyPem: readFileSync(join(directory, SecretKey.key), 'utf8'),
  };
}

/** Starts the webhooks unless `--webhook-mode=disabled`; the first certificate may take a few tries. */
export function startAdmission(options: {
  readonly config: KubeConfig;
  readonly namespace: string;
  readonly settings: WebhookSettings;
  readonly logger: Logger;
}): Admission | undefined {
  const { settings, namespace } = options;
  if (settings.mode === 'disabled') return undefined;
  const logger = options.logger.child({ component: 'webhook' });
  const certificates: CertificateManagerOptions = {
    core: options.config.makeApiClient(CoreV1Api),
    admission: options.config.makeApiClient(AdmissionregistrationV1Api),
    namespace,
    secretName: settings.secretName,
    dnsName: `${settings.serviceName}.${namespace}.svc`,
    logger,
  };
  const handle = createAdmissionHandler({
    live: liveObjects(options.config, namespace),
    systemNamespace: namespace,
    logger,
  });
  let server: WebhookServer | undefined;
  let served = '';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let markServing: () => void = () => {};
  const serving = new Promise<void>((resolve) => {
    markServing = resolve;
  });
  let registered = true;

  const sync = async (): Promise<void> => {
    const { serving: pair, authorityPem } = settings.rotateCertificates
      ? await ensureCertificates(certificates)
      : { serving: readCertDir(settings.certDir), authorityPem: undefined };
    if (!server) {
      server = await startWebhookServer({
        host: '0.0.0.0',
        port: settings.port,
        minVersion: settings.tlsMinVersion,
        certificate: pair,
        handle,
        logger,
      });
      if (stopped) return void (await server.close());
      logger.info({ port: settings.port, dnsName: certificates.dnsName }, 'serving validating webhooks');
      markServing();
    } else if (pair.certificatePem !== served) server.useCertificate(pair);
    served = pair.certificatePem;
    if (authorityPem === undefined) return;
    const found = await injectAuthority(certificates, authorityPem);
    if (!found && registered)
      logger.warn(
        { validatingWebhookConfiguration: VALIDATING_WEBHOOK_CONFIGURATION },
        'webhook configuration not found: webhooks are not registered',
      );
    registered = found;
  };
  const loop = () => {
    sync().then(
      () => schedule(WEBHOOK_SYNC_INTERVAL_MS),
      (error: unknown) => {
        logger.error(
          { secret: `${namespace}/${settings.secretName}`, error: String(error) },
          'webhook certificate sync failed; retrying',
        );
        schedule(WEBHOOK_SYNC_RETRY_MS);
      },
    );
  };
  const schedule = (delay: number) => {
    if (!stopped) timer = setTimeout(loop, delay).unref();
  };
  loop();
  return {
    serving,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await server?.close();
    },
  };
}
