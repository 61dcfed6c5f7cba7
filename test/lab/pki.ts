/**
 * The lab's certificate authorities: a stand-in for Microsoft's public chain and the kind of
 * root a TLS-inspecting proxy installs, generated at test start (STYLE.md: "generated
 * certificates"). RSA keys come from node:crypto because forge's pure-JS keygen takes seconds
 * per key; forge only builds and signs the certificates.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { spkiSha256FromPem } from '../../probes/certs/spki.ts';

/** A certificate authority of the lab. */
export interface LabCa {
  /** The subject common name. */
  name: string;
  certPem: string;
  keyPem: string;
  /** SHA-256 over the DER SubjectPublicKeyInfo, lowercase hex (CONTRACTS.md). */
  spkiSha256: string;
  /** This CA and the CAs above it, excluding the root; '' for a root. Appended to leaf chains. */
  chainPem: string;
}

/** A server certificate and its key, ready for `tls.createSecureContext({ cert: chainPem, key: keyPem })`. */
export interface LabLeaf {
  certPem: string;
  keyPem: string;
  /** The leaf, then the intermediates; never the root (servers do not send it). */
  chainPem: string;
}

export interface IssueLeafOptions {
  /** 'microsoft': issued by the lab Azure intermediate; 'inspection': directly by the Zscaler-like root. */
  issuer: 'microsoft' | 'inspection' | LabCa;
  /** DNS names and IP literals for the subjectAltName; the first is also the subject CN. */
  hosts: string[];
  /** Default: an hour ago (a little slack for clocks). */
  notBefore?: Date;
  /** Default: 30 days from now. */
  notAfter?: Date;
}

export interface CreateCaOptions {
  name: string;
  organization?: string;
  /** Omit for a self-signed root. */
  issuer?: LabCa;
}

export interface LabPki {
  /** "Lab Microsoft RSA Root Certificate Authority 2017": what a genuine chain ends at. */
  microsoftRoot: LabCa;
  /** "Lab Microsoft Azure TLS Issuing CA 01", issued by microsoftRoot. */
  microsoftIntermediate: LabCa;
  /** "Lab Zscaler Root CA": the root a TLS-inspecting proxy installs on managed devices. */
  inspectionRoot: LabCa;
  issueLeaf(options: IssueLeafOptions): LabLeaf;
  /** Another CA (e.g. an unknown root for `unknown_ca`). */
  createCa(options: CreateCaOptions): LabCa;
  /** Microsoft chain whose leaf expired 30 days ago. */
  expiredLeaf(hosts: string[]): LabLeaf;
  /** Microsoft chain whose leaf becomes valid in 30 days. */
  notYetValidLeaf(hosts: string[]): LabLeaf;
  /** A valid Microsoft chain for a name other than the one asked for (default `unrelated.lab.test`). */
  wrongHostLeaf(host?: string): LabLeaf;
  /** A self-signed leaf (no CA anywhere): `DEPTH_ZERO_SELF_SIGNED_CERT` for a client. */
  selfSigned(hosts: string[]): LabLeaf;
}

interface KeyPair {
  privatePem: string;
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
}

const DAY = 24 * 60 * 60 * 1000;
/** Keys cost ~100 ms each on this machine; every createLabPki in a process reuses them. */
const keyCache: KeyPair[] = [];
/** Index 0 is the one key every leaf shares; CAs take 1.. so a leaf never shares a CA's key. */
const LEAF_KEY = 0;
const FIRST_CA_KEY = 1;

function labKey(index: number): KeyPair {
  while (keyCache.length <= index) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    keyCache.push({
      privatePem: privateKey,
      publicKey: forge.pki.publicKeyFromPem(publicKey),
      privateKey: forge.pki.privateKeyFromPem(privateKey),
    });
  }
  return keyCache[index];
}

/** Positive, unique serial: the top bit cleared so DER never reads it as negative. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function pem(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

interface SignedCa extends LabCa {
  cert: forge.pki.Certificate;
  key: KeyPair;
}

/** Create a fresh set of lab CAs. Key pairs are cached per process; certificates are new each call. */
export function createLabPki(): LabPki {
  // Track forge objects for our own CAs so leaves can be signed without re-parsing PEM.
  const signers = new Map<string, SignedCa>();
  let nextCaKey = 0;

  function createCa(options: CreateCaOptions): LabCa {
    const key = labKey(FIRST_CA_KEY + nextCaKey++);
    const parent = options.issuer ? signerOf(options.issuer) : undefined;
    const cert = forge.pki.createCertificate();
    cert.publicKey = key.publicKey;
    cert.serialNumber = serial();
    cert.validity.notBefore = new Date(Date.now() - 365 * DAY);
    cert.validity.notAfter = new Date(Date.now() + 10 * 365 * DAY);
    const subject = [
      { name: 'commonName', value: options.name },
      { name: 'organizationName', value: options.organization ?? 'Lab' },
      { name: 'countryName', value: 'US' },
    ];
    cert.setSubject(subject);
    cert.setIssuer(parent ? parent.cert.subject.attributes : subject);
    cert.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true, ...(parent ? { pathLenConstraint: 0 } : {}) },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      { name: 'subjectKeyIdentifier' },
      ...(parent ? [authorityKeyId(parent.cert)] : []),
    ]);
    cert.sign(parent ? parent.key.privateKey : key.privateKey, forge.md.sha256.create());
    const certPem = pem(cert);
    const ca: SignedCa = {
      name: options.name,
      certPem,
      keyPem: key.privatePem,
      spkiSha256: spkiSha256FromPem(certPem),
      chainPem: parent ? certPem + parent.chainPem : '',
      cert,
      key,
    };
    signers.set(certPem, ca);
    return publicView(ca);
  }

  function signerOf(ca: LabCa): SignedCa {
    const signer = signers.get(ca.certPem);
    if (!signer) {
      throw new Error(`lab pki: CA "${ca.name}" was not created by this createLabPki(); pass one of its CAs`);
    }
    return signer;
  }

  const microsoftRoot = createCa({
    name: 'Lab Microsoft RSA Root Certificate Authority 2017',
    organization: 'Microsoft Corporation',
  });
  const microsoftIntermediate = createCa({
    name: 'Lab Microsoft Azure TLS Issuing CA 01',
    organization: 'Microsoft Corporation',
    issuer: microsoftRoot,
  });
  const inspectionRoot = createCa({ name: 'Lab Zscaler Root CA', organization: 'Zscaler Inc.' });

  function issueLeaf(options: IssueLeafOptions): LabLeaf {
    const issuer =
      options.issuer === 'microsoft'
        ? microsoftIntermediate
        : options.issuer === 'inspection'
          ? inspectionRoot
          : options.issuer;
    return signLeaf(options, signerOf(issuer));
  }

  return {
    microsoftRoot,
    microsoftIntermediate,
    inspectionRoot,
    issueLeaf,
    createCa,
    expiredLeaf: (hosts) =>
      issueLeaf({
        issuer: 'microsoft',
        hosts,
        notBefore: new Date(Date.now() - 60 * DAY),
        notAfter: new Date(Date.now() - 30 * DAY),
      }),
    notYetValidLeaf: (hosts) =>
      issueLeaf({
        issuer: 'microsoft',
        hosts,
        notBefore: new Date(Date.now() + 30 * DAY),
        notAfter: new Date(Date.now() + 60 * DAY),
      }),
    wrongHostLeaf: (host = 'unrelated.lab.test') => issueLeaf({ issuer: 'microsoft', hosts: [host] }),
    selfSigned: (hosts) => signLeaf({ issuer: 'microsoft', hosts }, undefined),
  };
}

/** Sign a server leaf; `issuer` undefined means self-signed. */
function signLeaf(options: IssueLeafOptions, issuer: SignedCa | undefined): LabLeaf {
  if (options.hosts.length === 0) throw new Error('lab pki: issueLeaf needs at least one host, got []');
  const key = labKey(LEAF_KEY);
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 30 * DAY);
  const subject = [{ name: 'commonName', value: options.hosts[0] }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      // type 2 = dNSName, 7 = iPAddress (RFC 5280 GeneralName).
      altNames: options.hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
    { name: 'subjectKeyIdentifier' },
    ...(issuer ? [authorityKeyId(issuer.cert)] : []),
  ]);
  cert.sign(issuer ? issuer.key.privateKey : key.privateKey, forge.md.sha256.create());
  const certPem = pem(cert);
  return { certPem, keyPem: key.privatePem, chainPem: certPem + (issuer?.chainPem ?? '') };
}

function authorityKeyId(issuerCert: forge.pki.Certificate) {
  return {
    name: 'authorityKeyIdentifier',
    keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes(),
  };
}

function publicView(ca: SignedCa): LabCa {
  return {
    name: ca.name,
    certPem: ca.certPem,
    keyPem: ca.keyPem,
    spkiSha256: ca.spkiSha256,
    chainPem: ca.chainPem,
  };
}
