// cert-controller's rotation rule (refreshCertIfNeeded), with the clock moved: a certificate is
// replaced once it would expire within the 90-day lookahead, the CA only when it must be.
import { beforeAll, describe, expect, it } from 'vitest';
import { SecretKey } from '../../../src/webhook/names.js';
import { type CertificateData, planRotation, rotate } from '../../../src/webhook/rotation.js';

const DNS = 'metallb-webhook-service.metallb-system.svc';
const DAY = 24 * 3600 * 1000;
const start = new Date('2026-12-05T00:00:00Z');
let issued: Required<CertificateData>;

beforeAll(async () => {
  issued = await rotate('newAuthority', {}, { dnsName: DNS, now: start });
});

describe('planRotation', () => {
  it.each([
    {
      rule: 'an empty Secret (as shipped) gets a CA and a certificate',
      data: () => ({}),
      days: 0,
      want: 'newAuthority',
    },
    { rule: 'a fresh pair is kept', data: () => issued, days: 0, want: 'keep' },
    {
      rule: 'kept while more than 90 days remain (day 270 of 365)',
      data: () => issued,
      days: 270,
      want: 'keep',
    },
    {
      rule: 'the serving certificate is renewed inside the lookahead (day 280), the CA kept',
      data: () => issued,
      days: 280,
      want: 'newServingCertificate',
    },
    {
      rule: 'a certificate for another Service name is replaced',
      data: () => ({ ...issued, [SecretKey.certificate]: '' }),
      days: 0,
      want: 'newServingCertificate',
    },
    {
      rule: 'the CA is replaced inside its own lookahead (10 years)',
      data: () => issued,
      days: 3600,
      want: 'newAuthority',
    },
  ])('$rule', ({ data, days, want }) => {
    expect(planRotation(data(), DNS, new Date(start.getTime() + days * DAY))).toBe(want);
  });

  it('a renewed serving certificate keeps the CA (so the caBundle stays valid) and is valid again', async () => {
    const later = new Date(start.getTime() + 280 * DAY);
    const renewed = await rotate('newServingCertificate', issued, { dnsName: DNS, now: later });
    expect(renewed[SecretKey.caCertificate]).toBe(issued[SecretKey.caCertificate]);
    expect(renewed[SecretKey.certificate]).not.toBe(issued[SecretKey.certificate]);
    expect(planRotation(renewed, DNS, later)).toBe('keep');
  });
});
