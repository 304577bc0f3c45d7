// Where the daemons' API calls go and how they authenticate, resolved as client-go resolves it for
// MetalLB: `--kubeconfig`, else KUBECONFIG, else the in-cluster ServiceAccount. Only what a daemon
// needs: a server, a CA, and a bearer token, token file or client certificate. A kubeconfig whose
// user needs a credential plugin or a proxy is refused with a clear error rather than half used.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The resolved connection: everything an API call needs. */
export interface KubeTarget {
  /** `https://host:port` (or `http://`), without a trailing slash. */
  readonly server: string;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly token?: string | undefined;
  /** Read again while the process runs: bound ServiceAccount tokens rotate (client-go re-reads each minute). */
  readonly tokenFile?: string | undefined;
  readonly insecureSkipTlsVerify?: boolean | undefined;
  readonly tlsServerName?: string | undefined;
  /** Where it came from, for logs and error messages. */
  readonly source: string;
}

const SERVICE_ACCOUNT_DIRECTORY = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The in-cluster configuration, as client-go's rest.InClusterConfig builds it. */
export function inClusterTarget(directory = SERVICE_ACCOUNT_DIRECTORY): KubeTarget {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error(
      'no --kubeconfig, no KUBECONFIG and not in a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT unset)',
    );
  }
  const tokenFile = `${directory}/token`;
  // Fail closed at start: a pod without its token cannot authenticate later either.
  readFileSync(tokenFile);
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(`${directory}/ca.crt`),
    tokenFile,
    source: 'in-cluster ServiceAccount',
  };
}

type Entry = Record<string, unknown>;

function named(list: unknown, name: string, what: string, path: string): Entry {
  const found = Array.isArray(list)
    ? (list as Entry[]).find((item) => item && typeof item === 'object' && item.name === name)
    : undefined;
  if (!found) throw new Error(`kubeconfig ${path}: ${what} "${name}" not found`);
  const body = found[what];
  return body && typeof body === 'object' ? (body as Entry) : {};
}

function text(entry: Entry, field: string): string | undefined {
  const value = entry[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `<field>-data` (base64) or `<field>` (a file, relative to the kubeconfig's directory). */
function material(entry: Entry, field: string, directory: string): Buffer | undefined {
  const data = text(entry, `${field}-data`);
  if (data) return Buffer.from(data, 'base64');
  const file = text(entry, field);
  if (!file) return undefined;
  return readFileSync(file.startsWith('/') ? file : `${directory}/${file}`);
}

function refuseUnsupported(user: Entry, cluster: Entry, where: string): void {
  for (const field of ['exec', 'auth-provider', 'username']) {
    if (user[field] !== undefined) {
      throw new Error(
        `${where}: user field "${field}" is not supported by ferrolb's daemons; use token, tokenFile or client-certificate`,
      );
    }
  }
  if (cluster['proxy-url'] !== undefined) {
    throw new Error(`${where}: cluster field "proxy-url" is not supported by ferrolb's daemons`);
  }
}

/** The current context of one kubeconfig file. */
export function kubeconfigTarget(path: string): KubeTarget {
  const document = (parse(readFileSync(path, 'utf8')) ?? {}) as Entry;
  const contextName = text(document, 'current-context');
  if (!contextName) throw new Error(`kubeconfig ${path}: no current-context`);
  const context = named(document.contexts, contextName, 'context', path);
  const cluster = named(document.clusters, String(context.cluster ?? ''), 'cluster', path);
  const user = context.user === undefined ? {} : named(document.users, String(context.user), 'user', path);
  const where = `kubeconfig ${path}, context "${contextName}"`;
  refuseUnsupported(user, cluster, where);
  const server = text(cluster, 'server');
  if (!server) throw new Error(`${where}: the cluster has no server`);
  const directory = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '.';
  return {
    server: server.replace(/\/+$/, ''),
    ca: material(cluster, 'certificate-authority', directory),
    cert: material(user, 'client-certificate', directory),
    key: material(user, 'client-key', directory),
    token: text(user, 'token'),
    tokenFile: text(user, 'tokenFile'),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: text(cluster, 'tls-server-name'),
    source: `kubeconfig ${path}`,
  };
}

/** `--kubeconfig`, else the first file of KUBECONFIG, else in-cluster (DESIGN command-line contract). */
export function resolveKubeTarget(kubeconfigPath?: string): KubeTarget {
  if (kubeconfigPath) return kubeconfigTarget(kubeconfigPath);
  const fromEnvironment = process.env.KUBECONFIG?.split(':').find((file) => file !== '');
  if (fromEnvironment) return kubeconfigTarget(fromEnvironment);
  return inClusterTarget();
}
