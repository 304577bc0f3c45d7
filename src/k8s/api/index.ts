export {
  AdmissionregistrationV1Api,
  AppsV1Api,
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
} from './groups.js';
export { type ApiGroup, KubeClient } from './kube-client.js';
export { inClusterTarget, type KubeTarget, kubeconfigTarget, resolveKubeTarget } from './target.js';
export {
  type CallOptions,
  type HttpVerb,
  KubeApiError,
  KubeTransport,
  MAX_CALL_SOCKETS,
} from './transport.js';
