// When cert-controller replaces what (refreshCertIfNeeded): a CA that is missing, unreadable or
// expiring within the lookahead means a new CA and a new serving certificate; a serving certificate
// in that state means a new one from the same CA; otherwise nothing changes.
import { createCertificateAuthority, createServingCertificate, isValidCertificate } from './certificates.js';
import {
  BACKDATE_MS,
  CA_NAME,
  CA_ORGANIZATION,
  CA_VALIDITY_MS,
  ROTATION_LOOKAHEAD_MS,
  SERVING_VALIDITY_MS,
  SecretKey,
} from './names.js';

/** The Secret's four PEM entries (any may be missing). */
export type CertificateData = Partial<Record<(typeof SecretKey)[keyof typeof SecretKey], string>>;

/** What a rotation check decides. */
export type RotationPlan = 'keep' | 'newServingCertificate' | 'newAuthority';

/** Pure: what to replace at `now` for a serving certificate that must name `dnsName`. */
export function planRotation(data: CertificateData, dnsName: string, now: Date): RotationPlan {
  const at = new Date(now.getTime() + ROTATION_LOOKAHEAD_MS);
  const authorityPem = data[SecretKey.caCertificate] ?? '';
  const authorityValid = isValidCertificate({
    authorityPem,
    certificatePem: authorityPem,
    keyPem: data[SecretKey.caKey] ?? '',
    dnsName: CA_NAME,
    at,
    now,
  });
  if (!authorityValid) return 'newAuthority';
  const servingValid = isValidCertificate({
    authorityPem,
    certificatePem: data[SecretKey.certificate] ?? '',
    keyPem: data[SecretKey.key] ?? '',
    dnsName,
    at,
    now,
  });
  return servingValid ? 'keep' : 'newServingCertificate';
}

/** Carries out `plan` (never `keep`): the new Secret data. */
export async function rotate(
  plan: Exclude<RotationPlan, 'keep'>,
  data: CertificateData,
  context: { readonly dnsName: string; readonly now: Date },
): Promise<Required<CertificateData>> {
  const begin = new Date(context.now.getTime() - BACKDATE_MS);
  const authority =
    plan === 'newAuthority'
      ? await createCertificateAuthority({
          commonName: CA_NAME,
          organization: CA_ORGANIZATION,
          validity: { notBefore: begin, notAfter: new Date(context.now.getTime() + CA_VALIDITY_MS) },
        })
      : { certificatePem: data[SecretKey.caCertificate] ?? '', keyPem: data[SecretKey.caKey] ?? '' };
  const serving = await createServingCertificate(authority, {
    dnsNames: [context.dnsName],
    validity: { notBefore: begin, notAfter: new Date(context.now.getTime() + SERVING_VALIDITY_MS) },
  });
  return {
    [SecretKey.caCertificate]: authority.certificatePem,
    [SecretKey.caKey]: authority.keyPem,
    [SecretKey.certificate]: serving.certificatePem,
    [SecretKey.key]: serving.keyPem,
  };
}
