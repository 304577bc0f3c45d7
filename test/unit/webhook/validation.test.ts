// The webhooks' decisions (metallb-behaviour W2, W3, A36) and the AdmissionReview shape
// (controller-runtime admission.Denied / Allowed / Errored), without an API server.
import { describe, expect, it } from 'vitest';
import type { Fields } from '../../../src/config/index.js';
import { logger as processLogger } from '../../../src/log.js';
import { createAdmissionHandler } from '../../../src/webhook/handler.js';
import {
  reviewL2Advertisement,
  reviewPool,
  reviewUnsupported,
  withCandidate,
} from '../../../src/webhook/validation.js';

const NS = 'metallb-system';
const logger = processLogger.child({ test: 'webhook' }, { level: 'silent' });

function pool(name: string, addresses: string[], namespace = NS): Fields {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace },
    spec: { addresses },
  };
}

function advertisement(name: string, spec: Fields = {}, namespace = NS): Fields {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace }, spec };
}

const create = (object: Fields) => ({ operation: 'CREATE' as const, object, systemNamespace: NS });

describe('reviewPool', () => {
  it.each([
    {
      rule: 'W2: a create outside the MetalLB namespace is denied',
      object: pool('p', ['10.0.0.0/24'], 'default'),
      live: [],
      want: { allowed: false, message: 'resource must be created in metallb-system namespace' },
    },
    {
      rule: 'V1: no addresses',
      object: pool('p', []),
      live: [],
      want: { allowed: false, message: 'parsing address pool p: pool has no prefixes defined' },
    },
    {
      rule: 'V8, W3: the new pool is appended to the live list, so it is the one named as overlapping',
      object: pool('a', ['10.0.0.128/25']),
      live: [pool('z', ['10.0.0.0/24'])],
      want: {
        allowed: false,
        message: 'CIDR "10.0.0.128/25" in pool "a" overlaps with already defined CIDR "10.0.0.0/24"',
      },
    },
    {
      rule: 'W3: a pool under update replaces its live version (no overlap with its old self)',
      object: pool('z', ['10.0.0.0/23']),
      live: [pool('z', ['10.0.0.0/24'])],
      want: { allowed: true },
    },
    {
      rule: 'W3: an invalid live pool refuses any new pool with its own message (MetalLB validates the whole list)',
      object: pool('new', ['10.1.0.0/24']),
      live: [pool('old', ['10.0.0.0/33'])],
      want: {
        allowed: false,
        message:
          'parsing address pool old: invalid CIDR "10.0.0.0/33" in pool "old": invalid CIDR "10.0.0.0/33"',
      },
    },
    {
      rule: 'W3: namespaceSelectors resolve against no Namespaces (MetalLB passes none), so they never fail',
      object: pool('s', ['10.2.0.0/24']),
      live: [],
      want: { allowed: true },
    },
  ])('$rule', ({ object, live, want }) => {
    expect(reviewPool(create(object), live)).toEqual(want);
  });

  it('A36: a delete is never refused', () => {
    expect(reviewPool({ operation: 'DELETE', object: pool('p', []), systemNamespace: NS }, [])).toEqual({
      allowed: true,
    });
  });

  it('W2: an update in another namespace is not refused for its namespace (MetalLB checks creates only)', () => {
    const object = pool('old', ['10.3.0.0/24'], 'default');
    expect(reviewPool({ operation: 'UPDATE', object, systemNamespace: NS }, [])).toEqual({ allowed: true });
  });
});

describe('reviewL2Advertisement', () => {
  it.each([
    {
      rule: 'W2: wrong namespace',
      object: advertisement('a', {}, 'default'),
      want: { allowed: false, message: 'resource must be created in metallb-system namespace' },
    },
    {
      rule: 'V9: duplicate pool names',
      object: advertisement('a', { ipAddressPools: ['p', 'p'] }),
      want: { allowed: false, message: 'duplicate definition of ipAddressPools "p"' },
    },
    {
      rule: 'V10: a missing pool name is no error',
      object: advertisement('a', { ipAddressPools: ['nope'] }),
      want: { allowed: true },
    },
  ])('$rule', ({ object, want }) => {
    expect(
      reviewL2Advertisement(create(object), { pools: [pool('p', ['10.0.0.0/24'])], advertisements: [] }),
    ).toEqual(want);
  });

  it('W3: the live pools are validated with it (a broken pool refuses the advertisement)', () => {
    const verdict = reviewL2Advertisement(create(advertisement('a')), {
      pools: [pool('p', [])],
      advertisements: [],
    });
    expect(verdict).toEqual({
      allowed: false,
      message: 'parsing address pool p: pool has no prefixes defined',
    });
  });
});

describe('withCandidate', () => {
  it('replaces the namesake in place, else appends', () => {
    const live = [pool('a', ['1.0.0.0/8']), pool('b', ['2.0.0.0/8'])];
    expect(
      withCandidate(live, pool('a', ['3.0.0.0/8'])).map(
        (item) => (item.spec as { addresses: string[] }).addresses,
      ),
    ).toEqual([['3.0.0.0/8'], ['2.0.0.0/8']]);
    expect(withCandidate(live, pool('c', [])).length).toBe(3);
  });
});

describe('admission handler (AdmissionReview v1)', () => {
  const handle = createAdmissionHandler({
    live: { listPools: async () => [pool('z', ['10.0.0.0/24'])], listAdvertisements: async () => [] },
    systemNamespace: NS,
    logger,
  });
  const review = (object: Fields, operation = 'CREATE') =>
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'u-1', operation, object },
    });

  it('admission.Denied: allowed false, 403 Forbidden with the message, uid echoed', async () => {
    const answer = await handle(
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review(pool('a', ['10.0.0.0/25'])),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: 'u-1',
        allowed: false,
        status: {
          metadata: {},
          code: 403,
          reason: 'Forbidden',
          message: 'CIDR "10.0.0.0/25" in pool "a" overlaps with already defined CIDR "10.0.0.0/24"',
        },
      },
    });
  });

  it("a failing list is a denial naming it (fail closed, MetalLB's wording)", async () => {
    const failing = createAdmissionHandler({
      live: {
        listPools: async () => Promise.reject(new Error('HTTP 403')),
        listAdvertisements: async () => [],
      },
      systemNamespace: NS,
      logger,
    });
    const answer = await failing(
      '/validate-metallb-io-v1beta1-ipaddresspool',
      review(pool('a', ['10.9.0.0/24'])),
    );
    expect(answer.body?.response).toMatchObject({
      allowed: false,
      status: { message: 'Error: HTTP 403\nfailed to get existing IPAddressPool objects' },
    });
  });

  it('admission.Errored(400) for an unreadable review; 404 for an unknown path', async () => {
    expect((await handle('/validate-metallb-io-v1beta1-ipaddresspool', '{')).body?.response).toMatchObject({
      allowed: false,
      status: { code: 400 },
    });
    expect((await handle('/nope', review(pool('a', [])))).status).toBe(404);
  });

  it('DESIGN BGP ignored with a warning: BGP kinds are allowed and kubectl is told they are not supported here', async () => {
    const answer = await handle(
      '/validate-metallb-io-v1beta2-bgppeer',
      review({ metadata: { name: 'p', namespace: NS } }),
    );
    expect(answer.body?.response).toMatchObject({
      allowed: true,
      warnings: reviewUnsupported('BGPPeer').allowed
        ? [expect.stringContaining('BGPPeer is not supported here')]
        : [],
    });
  });
});
