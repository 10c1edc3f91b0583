import { HttpsSettings } from "./settings";

/**
 * Where HTTPS lives on a server with a domain: the names and paths the Nginx templates, the
 * certificate step and its undo share, derived in this one place. No domain: no HTTPS at all.
 */
export interface HttpsLayout {
  /** The certificate's names, the first its subject. */
  domains: string[];
  /** certbot's name of the certificate (its lineage): the app's service name. */
  certName: string;
  /** certbot's links to the current certificate and key (/etc/letsencrypt/live/NAME). */
  certDir: string;
  /**
   * The directory Nginx serves /.well-known/acme-challenge/ from, on port 80, before and after
   * HTTPS goes live: certbot's webroot plugin writes each challenge's file there.
   */
  webroot: string;
  /**
   * What makes HTTPS live: Nginx includes this directory's *.conf in the site's server block,
   * and it stays empty until a certificate exists (the certificate step fills it, its undo
   * empties it). An empty glob is no error to Nginx (ngx_conf_include, GLOB_NOMATCH).
   */
  liveDir: string;
}

export function httpsLayout(service: string, https: HttpsSettings | undefined): HttpsLayout | undefined {
  if (!https) return undefined;
  return {
    domains: https.domains,
    certName: service,
    certDir: `/etc/letsencrypt/live/${service}`,
    webroot: `/var/www/${service}-acme`,
    liveDir: `/etc/nginx/${service}-https`,
  };
}
