/** Every ferrolb error code, once. A shipped code keeps its meaning for good; retired codes are never reused. */
export const ErrorCode = {
  configInvalid: 'FERROLB_CONFIG_INVALID',
  configFile: 'FERROLB_CONFIG_FILE',
  usage: 'FERROLB_CLI_USAGE',
  noAvailableAddress: 'FERROLB_IPAM_NO_AVAILABLE_ADDRESS',
  sharingConflict: 'FERROLB_IPAM_SHARING_CONFLICT',
  allocationInvalid: 'FERROLB_IPAM_ALLOCATION_INVALID',
  kubernetes: 'FERROLB_K8S_API',
  native: 'FERROLB_NATIVE',
  membership: 'FERROLB_MEMBERSHIP',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error ferrolb throws; `code` is the contract, the message is for people. */
export class FerrolbError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid configuration or input file (exit code 2). */
export class ConfigError extends FerrolbError {}
/** Invalid command-line usage (exit code 2). */
export class UsageError extends FerrolbError {
  constructor(message: string) {
    super(ErrorCode.usage, message);
  }
}
/** A Kubernetes API failure that the caller could not recover from. */
export class KubernetesError extends FerrolbError {}
/** A failure reported by the native AF_PACKET addon. */
export class NativeError extends FerrolbError {}
