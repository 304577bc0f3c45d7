export {
  type Address,
  canonicalAddress,
  FAMILY_BITS,
  type Family,
  formatAddress,
  isBuggyAddress,
  parseAddress,
} from './address.js';
export {
  describeUnknownAnnotation,
  isMetallbAnnotationKey,
  type UnknownAnnotation,
  unknownMetallbAnnotations,
} from './annotation-keys.js';
export { ALLOCATED_FROM_POOL, Annotation, DEPRECATED_PREFIX, readAnnotation } from './annotations.js';
export { type Cidr, cidrContains, cidrsOverlap, makeCidr, parseAddressesEntry, summarize } from './cidr.js';
export {
  advertisementsForPool,
  buildConfig,
  type Config,
  type ConfigBuild,
  type ConfigInput,
  type ConfigProblem,
  type ConfigScope,
  compareText,
  describeProblem,
  describeRefusal,
  EMPTY_CONFIG,
  poolFor,
  type SourceObject,
} from './config.js';
export { DEFAULT_NAMESPACE, DEFAULT_SERVICE_NAMESPACE, HUGE_CIDR_HOST_BITS, MAX_INT64 } from './defaults.js';
export { type Fields, isFields } from './fields.js';
export { goList, goQuote, goQuoteList } from './go-format.js';
export { NAMESPACE as NAMESPACE_SCHEMA, SERVICE as SERVICE_SCHEMA, withObjectMeta } from './kube-schemas.js';
export {
  type L2Advertisement,
  type PreferredNodeSelector,
  parseL2Advertisement,
} from './l2-advertisement.js';
export { type NamespaceInfo, type Parsed, type Pool, parsePool, type ServiceAllocation } from './pool.js';
export {
  type LabelSelector,
  type LabelSelectorRequirement,
  matchesSelector,
  selectorKey,
} from './selector.js';
export { type FamilyPolicy, parseService, type ServicePort, type ServiceSpec } from './service.js';
export {
  describeUnknownField,
  type FieldSchema,
  fromOpenApi,
  type UnknownField,
  unknownFields,
} from './strict-fields.js';
