// Self-signed CA and serving certificates as MetalLB's cert-controller (open-policy-agent/
// cert-controller, pkg/rotator) makes them: RSA 2048, SHA-256, a CA named `cert` (organisation
// `metallb`) that also lists `cert` as a DNS name, and a server certificate for
// `<service>.<namespace>.svc` with serverAuth. Keys are PKCS#1 PEM ("RSA PRIVATE KEY"), so a Secret
// written by either project is read by the other.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import * as der from './der.js';

/** A PEM certificate and its PEM private key. */
export interface KeyPair {
  readonly certificatePem: string;
  readonly keyPem: string;
}

/** When a certificate starts and stops being valid. */
export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** keyUsage bits, numbered from the most significant bit of the first byte (RFC 5280 §4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0x80, keyEncipherment: 0x20, keyCertSign: 0x04 } as const;

const generateRsa = promisify(generateKeyPair);

async function newRsaKey(): Promise<KeyObject> {
  const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  return privateKey;
}

/** A Name with an optional organisation then the common name, in Go pkix's RDN order. */
function distinguishedName(commonName: string, organization?: string): Buffer {
  const attribute = (type: string, value: string) =>
    der.set(der.sequence(der.oid(type), der.directoryString(value)));
  const rdns = organization === undefined ? [] : [attribute(OID.organization, organization)];
  return der.sequence(...rdns, attribute(OID.commonName, commonName));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.oid(id), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/** keyUsage as a DER BIT STRING with the trailing zero bits declared unused. */
function keyUsage(bits: number): Buffer {
  let unused = 0;
  while (unused < 7 && (bits & (1 << unused)) === 0) unused += 1;
  return extension(OID.keyUsage, true, der.bitString(Buffer.from([bits]), unused));
}

function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === 'public' ? key : createPublicKey(key);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (for RSA, the PKCS#1 key). */
function keyIdentifier(key: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKeyOf(key).export({ type: 'pkcs1', format: 'der' }))
    .digest();
}

interface CertificateTemplate {
  readonly subject: Buffer;
  readonly issuer: Buffer;
  readonly validity: Validity;
  readonly subjectKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly extensions: readonly Buffer[];
}

function signCertificate(template: CertificateTemplate): string {
  const algorithm = der.sequence(der.oid(OID.sha256WithRsa), der.nullValue());
  const publicKey = publicKeyOf(template.subjectKey).export({ type: 'spki', format: 'der' });
  // A random positive 127-bit serial: unique without bookkeeping (RFC 5280 §4.1.2.2 allows 20 octets).
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = der.sequence(
    der.explicit(0, der.integer(2n)),
    der.integer(serial),
    algorithm,
    template.issuer,
    der.sequence(der.time(template.validity.notBefore), der.time(template.validity.notAfter)),
    template.subject,
    publicKey,
    der.explicit(3, der.sequence(...template.extensions)),
  );
  const signature = sign('sha256', tbs, template.signingKey);
  const certificate = der.sequence(tbs, algorithm, der.bitString(signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function keyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs1', format: 'pem' }).toString();
}

function subjectAltName(dnsNames: readonly string[]): Buffer {
  const names = dnsNames.map((name) => der.implicitPrimitive(2, Buffer.from(name, 'ascii')));
  return extension(OID.subjectAltName, false, der.sequence(...names));
}

/** cert-controller's CreateCACert: CA:TRUE, digitalSignature + keyEncipherment + keyCertSign. */
export async function createCertificateAuthority(options: {
  readonly commonName: string;
  readonly organization: string;
  readonly validity: Validity;
}): Promise<KeyPair> {
  const key = await newRsaKey();
  const name = distinguishedName(options.commonName, options.organization);
  const certificatePem = signCertificate({
    subject: name,
    issuer: name,
    validity: options.validity,
    subjectKey: key,
    signingKey: key,
    extensions: [
      keyUsage(KEY_USAGE.digitalSignature | KEY_USAGE.keyEncipherment | KEY_USAGE.keyCertSign),
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true))),
      extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(key))),
      subjectAltName([options.commonName]),
    ],
  });
  return { certificatePem, keyPem: keyPem(key) };
}

/** cert-controller's CreateCertPEM: a serverAuth certificate for `dnsNames`, signed by `authority`. */
export async function createServingCertificate(
  authority: KeyPair,
  options: { readonly dnsNames: readonly string[]; readonly validity: Validity },
): Promise<KeyPair> {
  const key = await newRsaKey();
  const authorityCertificate = new X509Certificate(authority.certificatePem);
  const authorityKey = createPrivateKey(authority.keyPem);
  const authorityName = Buffer.from(authorityCertificate.raw);
  const certificatePem = signCertificate({
    subject: distinguishedName(options.dnsNames[0] ?? ''),
    issuer: subjectNameOf(authorityName),
    validity: options.validity,
    subjectKey: key,
    signingKey: authorityKey,
    extensions: [
      keyUsage(KEY_USAGE.digitalSignature | KEY_USAGE.keyEncipherment),
      extension(OID.extendedKeyUsage, false, der.sequence(der.oid(OID.serverAuth))),
      extension(OID.basicConstraints, true, der.sequence()),
      extension(
        OID.authorityKeyIdentifier,
        false,
        der.sequence(der.implicitPrimitive(0, keyIdentifier(authorityCertificate.publicKey))),
      ),
      subjectAltName(options.dnsNames),
    ],
  });
  return { certificatePem, keyPem: keyPem(key) };
}

/** Reads the TLV at `offset`: where its content starts and ends. */
function readTlv(bytes: Buffer, offset: number): { contentStart: number; end: number } {
  const first = bytes[offset + 1] ?? 0;
  if (first < 0x80) return { contentStart: offset + 2, end: offset + 2 + first };
  const count = first & 0x7f;
  let length = 0;
  for (let index = 0; index < count; index += 1) length = length * 256 + (bytes[offset + 2 + index] ?? 0);
  return { contentStart: offset + 2 + count, end: offset + 2 + count + length };
}

/**
 * The subject Name of a DER certificate, byte for byte (Go matches an issuer by these bytes):
 * Certificate → tbsCertificate → [version, serial, signature, issuer, validity, subject].
 */
function subjectNameOf(certificate: Buffer): Buffer {
  const tbs = readTlv(certificate, readTlv(certificate, 0).contentStart);
  let offset = tbs.contentStart;
  for (let field = 0; field < 5; field += 1) offset = readTlv(certificate, offset).end;
  return certificate.subarray(offset, readTlv(certificate, offset).end);
}

/**
 * cert-controller's ValidCert: `certificate` chains to `authority`, matches `key`, names `dnsName`,
 * has started by `now` and is still valid at `at` (now plus the rotation lookahead). Anything
 * unreadable is invalid.
 */
export function isValidCertificate(input: {
  readonly authorityPem: string;
  readonly certificatePem: string;
  readonly keyPem: string;
  readonly dnsName: string;
  readonly at: Date;
  /** The present, for notBefore; defaults to the clock. */
  readonly now?: Date;
}): boolean {
  try {
    const authority = new X509Certificate(input.authorityPem);
    const certificate = new X509Certificate(input.certificatePem);
    if (!authority.ca || !certificate.checkPrivateKey(createPrivateKey(input.keyPem))) return false;
    if (!certificate.checkIssued(authority) || !certificate.verify(authority.publicKey)) return false;
    if (certificate.checkHost(input.dnsName) === undefined) return false;
    const now = (input.now ?? new Date()).getTime();
    return [authority, certificate].every(
      (item) =>
        new Date(item.validFrom).getTime() <= now && new Date(item.validTo).getTime() > input.at.getTime(),
    );
  } catch {
    return false;
  }
}
