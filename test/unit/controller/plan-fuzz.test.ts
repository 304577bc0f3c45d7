// "Invalid input yields a clear error; daemons never crash on input": planDocuments (used by the
// standalone daemon on every SIGHUP) must return, never throw, whatever the documents hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planDocuments } from '../../../src/controller/index.js';

const RUNS = { numRuns: 300, interruptAfterTimeLimit: 8000 };

const text = fc.oneof(
  fc.constantFrom(
    '198.51.100.0/30',
    '2001:db8:1::/126',
    '198.51.100.4-198.51.100.9',
    'x',
    '',
    'LoadBalancer',
    'IPv6',
    'TCP',
  ),
  fc.string({ maxLength: 12 }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    tie('list'),
    tie('object'),
  ),
  list: fc.array(tie('node'), { maxLength: 3 }),
  object: fc.dictionary(
    fc.constantFrom(
      'name',
      'namespace',
      'addresses',
      'ports',
      'port',
      'ip',
      'ingress',
      'labels',
      'matchLabels',
      'annotations',
      'type',
      'priority',
    ),
    tie('node'),
    { maxKeys: 4 },
  ),
})).node;

const document = fc.record(
  {
    apiVersion: fc.constantFrom('metallb.io/v1beta1', 'v1', 'other'),
    kind: fc.constantFrom('IPAddressPool', 'L2Advertisement', 'Service', 'Namespace', 'BGPPeer', 'Thing'),
    metadata: value,
    spec: value,
    status: value,
  },
  { requiredKeys: ['apiVersion', 'kind'] },
);

describe('planDocuments on arbitrary input', () => {
  it('DESIGN plan contract: never throws on any value', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 6 }), (documents) => {
        expect(() => planDocuments(documents, { namespace: 'metallb-system' })).not.toThrow();
      }),
      RUNS,
    );
  });

  it('DESIGN plan contract: never throws on CRD-shaped documents with arbitrary fields', () => {
    fc.assert(
      fc.property(fc.array(document, { maxLength: 6 }), fc.boolean(), (documents, anyNamespace) => {
        const result = planDocuments(documents, { namespace: 'metallb-system', anyNamespace });
        expect(Array.isArray(result.warnings)).toBe(true);
      }),
      RUNS,
    );
  });
});
