import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/**
 * The TLS of the database host (setting databaseHost): a CA the stack makes for it alone, and the
 * host's key and certificate signed by that CA, for the host's address or DNS name. Kept in the
 * stack's state, encrypted (the keys are secrets); MariaDB gets the certificate and key, the web
 * servers the CA's certificate, which the app checks MariaDB's against. `pulumi up --replace` on
 * the CA's key makes a new CA and certificate; every server then gets its new files.
 */
export interface DatabaseTlsArgs {
  /** The database host's address (an IP address) or DNS name, as the web servers connect to it. */
  host: string;
}

/** Ten years: the CA is the stack's own, trusted by the stack's servers only; rotate with --replace. */
const VALIDITY_HOURS = 10 * 365 * 24;

export class DatabaseTls extends pulumi.ComponentResource {
  readonly caCert: pulumi.Output<string>;
  readonly cert: pulumi.Output<string>;
  readonly key: pulumi.Output<string>;

  constructor(name: string, args: DatabaseTlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hbnb-stack:database:Tls", name, {}, opts);
    const parent = { parent: this };
    const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "RSA", rsaBits: 2048 }, parent);
    const ca = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: `hbnb-stack database CA for ${args.host}` },
        validityPeriodHours: VALIDITY_HOURS,
        allowedUses: ["cert_signing", "crl_signing"],
      },
      parent,
    );
    const key = new tls.PrivateKey(`${name}-key`, { algorithm: "RSA", rsaBits: 2048 }, parent);
    const ip = /^[\d.]+$/.test(args.host) || args.host.includes(":");
    const request = new tls.CertRequest(
      `${name}-request`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: args.host },
        ...(ip ? { ipAddresses: [args.host] } : { dnsNames: [args.host] }),
      },
      parent,
    );
    const cert = new tls.LocallySignedCert(
      `${name}-cert`,
      {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: VALIDITY_HOURS,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
      },
      parent,
    );
    this.caCert = ca.certPem;
    this.cert = cert.certPem;
    this.key = pulumi.secret(key.privateKeyPem);
    this.registerOutputs({ caCert: this.caCert, cert: this.cert });
  }
}
