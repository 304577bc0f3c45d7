// Every flag of MetalLB's controller and speaker (controller/main.go, speaker/main.go; `--kubeconfig`
// comes from controller-runtime) and the flags older MetalLB releases had, with what ferrolb does
// with each. The one list: the parser's accepted-and-ignored sets and docs/flags.md come from it.

/** `honoured`: implemented with MetalLB's meaning; `ignored`: accepted, named in one warning. */
export type Handling = 'honoured' | 'ignored';

export interface MetalLBFlag {
  readonly type: 'string' | 'boolean';
  readonly controller?: Handling;
  readonly speaker?: Handling;
  /** MetalLB's environment variable default for the flag. */
  readonly env?: string;
  /** True for flags current MetalLB no longer has (accepted so older manifests keep working). */
  readonly removed?: boolean;
}

const both = (handling: Handling) => ({ controller: handling, speaker: handling });

export const METALLB_FLAGS: Readonly<Record<string, MetalLBFlag>> = {
  kubeconfig: { type: 'string', ...both('honoured'), env: 'KUBECONFIG' },
  namespace: { type: 'string', ...both('honoured'), env: 'METALLB_NAMESPACE' },
  port: { type: 'string', ...both('honoured') },
  'log-level': { type: 'string', ...both('honoured') },
  'lb-class': { type: 'string', ...both('honoured') },
  'pod-name': { type: 'string', ...both('honoured'), env: 'METALLB_POD_NAME' },
  'ml-secret-name': { type: 'string', controller: 'honoured', env: 'METALLB_ML_SECRET_NAME' },
  deployment: { type: 'string', controller: 'honoured', env: 'METALLB_DEPLOYMENT' },
  'node-name': { type: 'string', speaker: 'honoured', env: 'METALLB_NODE_NAME' },
  'ml-bindaddr': { type: 'string', speaker: 'honoured', env: 'METALLB_ML_BIND_ADDR' },
  'ml-bindport': { type: 'string', speaker: 'honoured', env: 'METALLB_ML_BIND_PORT' },
  'ml-labels': { type: 'string', speaker: 'honoured', env: 'METALLB_ML_LABELS' },
  'ml-secret-key-path': { type: 'string', speaker: 'honoured', env: 'METALLB_ML_SECRET_KEY_PATH' },
  'ignore-exclude-lb': { type: 'boolean', speaker: 'honoured' },
  'health-probe-port': { type: 'string', ...both('honoured') },
  'pprof-bind-address': { type: 'string', ...both('ignored') },
  'tls-min-version': { type: 'string', ...both('ignored') },
  'tls-cipher-suites': { type: 'string', ...both('ignored') },
  'tls-curve-preferences': { type: 'string', ...both('ignored') },
  'metrics-cert-dir': { type: 'string', ...both('ignored') },
  'disable-cert-rotation': { type: 'boolean', controller: 'ignored' },
  'cert-dir': { type: 'string', controller: 'ignored' },
  'cert-service-name': { type: 'string', controller: 'ignored' },
  'webhook-mode': { type: 'string', controller: 'ignored' },
  'webhook-secret': { type: 'string', controller: 'ignored' },
  'webhook-http2': { type: 'boolean', controller: 'ignored' },
  host: { type: 'string', speaker: 'ignored', env: 'METALLB_HOST' },
  'ml-wan-config': { type: 'boolean', speaker: 'ignored' },
  'bgp-debounce-timeout': { type: 'string', speaker: 'ignored', env: 'METALLB_BGP_DEBOUNCE_TIMEOUT' },
  'frrk8s-namespace': { type: 'string', speaker: 'ignored', env: 'FRRK8S_NAMESPACE' },
  'frrk8s-secret-passthrough': { type: 'boolean', speaker: 'ignored' },
  'enable-pprof': { type: 'boolean', ...both('ignored'), removed: true },
  'disable-epslices': { type: 'boolean', ...both('ignored'), removed: true },
  'enable-l2-service-status': { type: 'boolean', speaker: 'ignored', removed: true },
  'ml-secret-key': { type: 'string', speaker: 'ignored', removed: true },
};

/**
 * MetalLB environment variables ferrolb does not use (BGP and FRR mode, the deprecated host),
 * by component: named in the one warning when set. The flags' own variables are in METALLB_FLAGS.
 */
export const IGNORED_METALLB_ENV: Readonly<Record<'controller' | 'speaker', readonly string[]>> = {
  controller: ['METALLB_BGP_TYPE'],
  speaker: [
    'METALLB_BGP_TYPE',
    'METALLB_HOST',
    'METALLB_BGP_DEBOUNCE_TIMEOUT',
    'FRRK8S_NAMESPACE',
    'FRR_CONFIG_FILE',
    'FRR_RELOADER_PID_FILE',
  ],
};

/** The MetalLB flags `component` accepts without implementing them, by name and type. */
export function ignoredFlagsOf(component: 'controller' | 'speaker'): Record<string, 'string' | 'boolean'> {
  const ignored: Record<string, 'string' | 'boolean'> = {};
  for (const [name, flag] of Object.entries(METALLB_FLAGS)) {
    if (flag[component] === 'ignored') ignored[name] = flag.type;
  }
  return ignored;
}
