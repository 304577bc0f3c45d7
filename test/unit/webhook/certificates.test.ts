// The webhook's certificates, checked by an oracle nobody here wrote: `openssl verify` and
// `openssl x509 -text` read what the DER encoder produced (the API server's Go verifier is the
// second oracle, in test/k8s/webhook.test.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  createServingCertificate,
  isValidCertificate,
  type KeyPair,
} from '../../../src/webhook/certificates.js';
import * as der from '../../../src/webhook/der.js';

const DNS_NAME = 'metallb-webhook-service.metallb-system.svc';
const DAY = 24 * 3600 * 1000;
const now = Date.now();
const validity = { notBefore: new Date(now - 3600_000), notAfter: new Date(now + 365 * DAY) };

let directory: string;
let authority: KeyPair;
let serving: KeyPair;

function openssl(args: readonly string[]): string {
  return execFileSync('openssl', [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'ferrolb-certs-'));
  authority = await createCertificateAuthority({ commonName: 'cert', organization: 'metallb', validity });
  serving = await createServingCertificate(authority, { dnsNames: [DNS_NAME], validity });
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('webhook certificates (cert-controller shape)', () => {
  it('openssl verifies the serving certificate against the CA for purpose sslserver and the service name', () => {
    const ca = file('ca.crt', authority.certificatePem);
    const leaf = file('tls.crt', serving.certificatePem);
    const output = openssl([
      'verify',
      '-CAfile',
      ca,
      '-purpose',
      'sslserver',
      '-verify_hostname',
      DNS_NAME,
      leaf,
    ]);
    expect(output.trim()).toBe(`${leaf}: OK`);
  });

  it('openssl refuses the serving certificate for another host name', () => {
    const ca = file('ca.crt', authority.certificatePem);
    const leaf = file('tls.crt', serving.certificatePem);
    expect(() => openssl(['verify', '-CAfile', ca, '-verify_hostname', 'other.example', leaf])).toThrow();
  });

  it('the CA is CN=cert, O=metallb, CA:TRUE, with keyCertSign (cert-controller CreateCACert)', () => {
    const text = openssl(['x509', '-noout', '-text', '-in', file('ca.crt', authority.certificatePem)]);
    expect(text).toMatch(/Subject: O ?= ?metallb, CN ?= ?cert/);
    expect(text).toMatch(/CA:TRUE/);
    expect(text).toMatch(/Digital Signature, Key Encipherment, Certificate Sign/);
    expect(text).toMatch(/DNS:cert\b/);
  });

  it('the serving certificate names the service, serverAuth only, and keys are PKCS#1 PEM', () => {
    const text = openssl(['x509', '-noout', '-text', '-in', file('tls.crt', serving.certificatePem)]);
    expect(text).toContain(`Subject: CN ?= ?${DNS_NAME}`.replace(' ?= ?', ' = '));
    expect(text).toContain(`DNS:${DNS_NAME}`);
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(text).toMatch(/CA:FALSE/);
    expect(serving.keyPem.startsWith('-----BEGIN RSA PRIVATE KEY-----')).toBe(true);
  });

  it('isValidCertificate accepts the pair and refuses a wrong name, a foreign CA, a wrong key, or expiry inside the lookahead', async () => {
    const base = {
      authorityPem: authority.certificatePem,
      certificatePem: serving.certificatePem,
      keyPem: serving.keyPem,
      dnsName: DNS_NAME,
      at: new Date(now + 90 * DAY),
    };
    const foreign = await createCertificateAuthority({
      commonName: 'cert',
      organization: 'metallb',
      validity,
    });
    expect(isValidCertificate(base)).toBe(true);
    expect(isValidCertificate({ ...base, dnsName: 'other.metallb-system.svc' })).toBe(false);
    expect(isValidCertificate({ ...base, authorityPem: foreign.certificatePem })).toBe(false);
    expect(isValidCertificate({ ...base, keyPem: authority.keyPem })).toBe(false);
    expect(isValidCertificate({ ...base, at: new Date(now + 400 * DAY) })).toBe(false);
    expect(isValidCertificate({ ...base, certificatePem: 'garbage' })).toBe(false);
  });
});

describe('DER encoder (X.690)', () => {
  it.each([
    { name: 'INTEGER 0', bytes: der.integer(0n), hex: '020100' },
    { name: 'INTEGER 128 gets a sign byte', bytes: der.integer(128n), hex: '02020080' },
    { name: 'INTEGER strips redundant zeros', bytes: der.integer(Buffer.from([0, 0, 1])), hex: '020101' },
    {
      name: 'OID sha256WithRSAEncryption',
      bytes: der.oid('1.2.840.113549.1.1.11'),
      hex: '06092a864886f70d01010b',
    },
    { name: 'long-form length', bytes: der.octetString(Buffer.alloc(200)), hex: `0481c8${'00'.repeat(200)}` },
    {
      name: 'UTCTime before 2050',
      bytes: der.time(new Date('2026-12-05T18:00:00Z')),
      hex: Buffer.concat([Buffer.from([0x17, 13]), Buffer.from('261205180000Z')]).toString('hex'),
    },
    {
      name: 'GeneralizedTime from 2050',
      bytes: der.time(new Date('2050-01-01T00:00:00Z')),
      hex: Buffer.concat([Buffer.from([0x18, 15]), Buffer.from('20500101000000Z')]).toString('hex'),
    },
  ])('$name', ({ bytes, hex }) => {
    expect(bytes.toString('hex')).toBe(hex);
  });
});
