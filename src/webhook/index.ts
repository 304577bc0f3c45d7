// MetalLB's validating webhooks in the controller (DESIGN drop-in; metallb-behaviour W1–W5): the
// HTTPS server, its self-managed certificates and the caBundle, kept current by a sync loop.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fields } from '../config/index.js';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeClient,
} from '../k8s/api/index.js';
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

function liveObjects(config: KubeClient, namespace: string): LiveObjects {
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
  readonly config: KubeClient;
  readonly namespace: string;
  readonly settings: WebhookSettings;
  readonly logger: Logger;
}): Admission | undefined {
  if (options.settings.mode === 'disabled') return undefined;
  const service = new AdmissionService(options);
  service.loop();
  return { serving: service.serving, stop: () => service.stop() };
}

/** The sync loop: certificates, the server that serves them, and the caBundle that trusts them. */
class AdmissionService {
  readonly serving: Promise<void>;
  private markServing: () => void = () => {};
  private readonly logger: Logger;
  private readonly certificates: CertificateManagerOptions;
  private readonly handle: ReturnType<typeof createAdmissionHandler>;
  private server: WebhookServer | undefined;
  private served = '';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private registered = true;

  constructor(
    private readonly options: {
      readonly config: KubeClient;
      readonly namespace: string;
      readonly settings: WebhookSettings;
      readonly logger: Logger;
    },
  ) {
    const { config, namespace, settings } = options;
    this.logger = options.logger.child({ component: 'webhook' });
    this.certificates = {
      core: config.makeApiClient(CoreV1Api),
      admission: config.makeApiClient(AdmissionregistrationV1Api),
      namespace,
      secretName: settings.secretName,
      dnsName: `${settings.serviceName}.${namespace}.svc`,
      logger: this.logger,
    };
    const live = liveObjects(config, namespace);
    this.handle = createAdmissionHandler({ live, systemNamespace: namespace, logger: this.logger });
    this.serving = new Promise<void>((resolve) => {
      this.markServing = resolve;
    });
  }

  loop(): void {
    this.sync().then(
      () => this.schedule(WEBHOOK_SYNC_INTERVAL_MS),
      (error: unknown) => {
        const secret = `${this.options.namespace}/${this.options.settings.secretName}`;
        this.logger.error({ secret, error: String(error) }, 'webhook certificate sync failed; retrying');
        this.schedule(WEBHOOK_SYNC_RETRY_MS);
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.server?.close();
  }

  private schedule(delay: number): void {
    if (!this.stopped) this.timer = setTimeout(() => this.loop(), delay).unref();
  }

  private async sync(): Promise<void> {
    const { settings } = this.options;
    const { serving: pair, authorityPem } = settings.rotateCertificates
      ? await ensureCertificates(this.certificates)
      : { serving: readCertDir(settings.certDir), authorityPem: undefined };
    await this.serve(pair);
    if (authorityPem === undefined || this.stopped) return;
    const found = await injectAuthority(this.certificates, authorityPem);
    if (!found && this.registered) {
      this.logger.warn(
        { validatingWebhookConfiguration: VALIDATING_WEBHOOK_CONFIGURATION },
        'webhook configuration not found: webhooks are not registered',
      );
    }
    this.registered = found;
  }

  /** Starts the server with `pair`, or swaps `pair` in when it changed. */
  private async serve(pair: KeyPair): Promise<void> {
    const { settings } = this.options;
    if (this.server) {
      if (pair.certificatePem !== this.served) this.server.useCertificate(pair);
    } else {
      this.server = await startWebhookServer({
        host: '0.0.0.0',
        port: settings.port,
        minVersion: settings.tlsMinVersion,
        certificate: pair,
        handle: this.handle,
        logger: this.logger,
      });
      if (this.stopped) return void (await this.server.close());
      this.logger.info(
        { port: settings.port, dnsName: this.certificates.dnsName },
        'serving validating webhooks',
      );
      this.markServing();
    }
    this.served = pair.certificatePem;
  }
}
