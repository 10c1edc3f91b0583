import * as fs from "fs";
import * as path from "path";
import { Plan } from "../../core/plan";
import { configSet, loadProject, programConfig, StackConfig } from "../../local/pulumi-cli-config";
import { LETS_ENCRYPT, parseSettings, RawConfig, SettingsError } from "../../core/settings";
import { base, planOf } from "./plan-fixture";
import { Machine, runRecipe, shellBlocks } from "./readme-recipes";

/** HTTPS from an ACME server (domain, acmeEmail, acmeServer, acmeCaBundle): settings, plan, configs. */
const https: RawConfig = { ...base, domain: "example.com", acmeEmail: "admin@example.com" };
const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0E=\n-----END CERTIFICATE-----\n";

function problemsOf(raw: RawConfig): string[] {
  try {
    parseSettings(raw);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  return [];
}

const byName = (plan: Plan) => Object.fromEntries(plan.steps.map((s) => [s.name, s]));

describe("settings", () => {
  test("no domain: HTTP only", () => {
    expect(parseSettings(base).https).toBeUndefined();
  });

  test("one name, as `pulumi config set domain` stores it; Let's Encrypt's production by default", () => {
    expect(parseSettings(https).https).toEqual({
      domains: ["example.com"],
      email: "admin@example.com",
      server: LETS_ENCRYPT,
      caBundle: "",
    });
    expect(LETS_ENCRYPT).toBe("https://acme-v02.api.letsencrypt.org/directory");
  });

  test("a list, as `--path 'domain[0]'` stores it; another ACME server and its CA", () => {
    const staging = "https://acme-staging-v02.api.letsencrypt.org/directory";
    const settings = parseSettings({
      ...https,
      domain: '["example.com","www.example.com"]',
      acmeServer: staging,
      acmeCaBundle: CA,
    });
    expect(settings.https).toEqual({
      domains: ["example.com", "www.example.com"],
      email: "admin@example.com",
      server: staging,
      caBundle: CA,
    });
  });

  test("behind AWS's load balancer the certificate is the load balancer's: none on the servers", () => {
    const aws: RawConfig = {
      privateKey: base.privateKey,
      adminCidrs: '["203.0.113.7/32"]',
      publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHttpsKey admin@example",
      loadBalancer: "true",
      domain: "example.com",
      hostedZone: "example.com",
    };
    // No acmeEmail needed there either: ACM validates through the zone.
    expect(parseSettings(aws).https).toBeUndefined();
  });

  test.each<[string, RawConfig, string]>([
    [
      "a domain without acmeEmail",
      { ...base, domain: "example.com" },
      "hbnb-stack:acmeEmail is missing: domain is set, and the ACME account needs a contact; pulumi config set acmeEmail you@example.com",
    ],
    [
      "a malformed email",
      { ...https, acmeEmail: "admin" },
      'hbnb-stack:acmeEmail = "admin": expected an email address such as you@example.com',
    ],
    [
      "a name with a space",
      { ...https, domain: "exa mple.com" },
      `hbnb-stack:domain = "exa mple.com": not a domain name; expected a DNS name such as www.example.com, or a list of them: pulumi config set --path 'domain[0]' example.com`,
    ],
    [
      "an address",
      { ...https, domain: "192.0.2.10" },
      `hbnb-stack:domain = "192.0.2.10": not a domain name; expected a DNS name such as www.example.com, or a list of them: pulumi config set --path 'domain[0]' example.com`,
    ],
    [
      "a name without a dot",
      { ...https, domain: "localhost" },
      `hbnb-stack:domain = "localhost": not a domain name; expected a DNS name such as www.example.com, or a list of them: pulumi config set --path 'domain[0]' example.com`,
    ],
    [
      "a wildcard",
      { ...https, domain: "*.example.com" },
      'hbnb-stack:domain = "*.example.com": a wildcard name needs a DNS-01 challenge, which the stack does not make; list each name (www.example.com, api.example.com)',
    ],
    [
      "a name twice",
      { ...https, domain: '["example.com","example.com"]' },
      'hbnb-stack:domain = ["example.com","example.com"]: lists a name twice; each name once',
    ],
    [
      "a list of numbers",
      { ...https, domain: "[1]" },
      `hbnb-stack:domain = [1]: expected a DNS name such as www.example.com, or a list of them: pulumi config set --path 'domain[0]' example.com`,
    ],
    [
      "an ACME server over plain HTTP",
      { ...https, acmeServer: "http://acme.example/dir" },
      `hbnb-stack:acmeServer = "http://acme.example/dir": expected the https:// URL of an ACME directory, such as ${LETS_ENCRYPT}`,
    ],
    [
      "a CA bundle that is no PEM",
      { ...https, acmeCaBundle: "not a certificate" },
      'hbnb-stack:acmeCaBundle = "not a certificate": expected PEM certificates (-----BEGIN CERTIFICATE----- ...); set it with: pulumi config set acmeCaBundle < root.pem',
    ],
    [
      "servers behind HAProxy",
      {
        ...https,
        hosts: '["192.0.2.10","192.0.2.11"]',
        loadBalancerHost: "192.0.2.20",
        databaseUrl: "mysql+mysqldb://u:p@db/h",
      },
      'hbnb-stack:domain = ["example.com"]: HTTPS is not built for servers behind loadBalancerHost (HAProxy would send the ACME challenge to any server); remove domain, or loadBalancerHost',
    ],
  ])("%s is refused with the key, the value and the fix", (_, raw, message) => {
    expect(problemsOf(raw)).toEqual([message]);
  });
});

describe("the plan with a domain", () => {
  const plan = planOf(https);
  const steps = byName(plan);

  test("installs certbot, and gets the certificate after the switch: HTTP serves whatever the ACME server says", () => {
    expect(plan.steps.map((s) => s.name).slice(7, 10)).toEqual(["switch", "certificate", "harden"]);
    expect(steps.packages.stdin).toMatch(/export HBNB_PACKAGES='[^']* certbot'/);
    expect(steps.certificate.triggers).toEqual([
      expect.stringMatching(/^script=[0-9a-f]{12}$/),
      "HBNB_CERT_NAME=hbnb",
      "HBNB_ACME_WEBROOT=/var/www/hbnb-acme",
      "HBNB_TLS_LIVE_DIR=/etc/nginx/hbnb-https",
      "HBNB_ACME_EMAIL=admin@example.com",
      `HBNB_ACME_SERVER=${LETS_ENCRYPT}`,
      "HBNB_ACME_CA_BUNDLE=",
      "HBNB_DOMAINS=example.com",
      "HBNB_TLS_SNIPPET=/etc/nginx/snippets/hbnb-tls.conf",
    ]);
    expect(steps.certificate.undo?.name).toBe("undo-certificate");
  });

  test("a new name or ACME server re-runs the certificate step and no other", () => {
    for (const change of [
      { domain: '["example.com","www.example.com"]' },
      { acmeServer: "https://acme.example/dir" },
    ]) {
      const other = byName(planOf({ ...https, ...change }));
      const rerun = plan.steps.filter((s) => JSON.stringify(s.triggers) !== JSON.stringify(other[s.name].triggers));
      expect(rerun.map((s) => s.name)).toEqual(["certificate"]);
    }
  });

  test("the site serves the challenges and includes the live directory; the TLS settings are Mozilla's intermediate", () => {
    const { guards, https: maps, tls, headers } = plan.configs;
    expect(guards).toContain("location ^~ /.well-known/acme-challenge/ {\n    root /var/www/hbnb-acme;");
    expect(guards).toContain("include /etc/nginx/hbnb-https/*.conf;");
    expect(maps).toContain('map "$https$hbnb_http_stays" $hbnb_to_https {');
    expect(headers).toContain("add_header Strict-Transport-Security $hbnb_hsts always;");
    expect(tls).toContain("ssl_certificate /etc/letsencrypt/live/hbnb/fullchain.pem;");
    expect(tls).toContain("ssl_protocols TLSv1.2 TLSv1.3;");
    expect(tls).toContain("ssl_session_tickets off;");
    expect(tls).toContain("return 301 https://$host$request_uri;");
    expect(plan.configFiles.filter((f) => ["https", "tls"].includes(f.name)).map((f) => f.path)).toEqual([
      "/etc/nginx/conf.d/hbnb-https.conf",
      "/etc/nginx/snippets/hbnb-tls.conf",
    ]);
  });

  test("without a domain: no certificate step, no certbot, no HTTPS in any config", () => {
    const http = planOf();
    expect(http.steps.map((s) => s.name)).not.toContain("certificate");
    expect(byName(http).packages.stdin).not.toContain("certbot");
    expect(http.configFiles.map((f) => f.name)).not.toContain("tls");
    for (const f of http.configFiles)
      expect([f.path, f.text]).not.toEqual([f.path, expect.stringMatching(/acme|ssl_|hsts/i)]);
  });
});

describe("the README's recipe, as the Pulumi CLI applies it", () => {
  const root = path.join(__dirname, "..", "..");
  const project = loadProject(path.join(root, "Pulumi.yaml"));
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const machine: Machine = {
    substitutions: {
      "curl -s https://checkip.amazonaws.com": "203.0.113.7",
      "cat ~/.ssh/hbnb.pub": fs.readFileSync(path.join(root, "test", "fixtures", "id_ed25519.pub"), "utf8").trim(),
    },
    files: { "~/.ssh/hbnb": String(base.privateKey) },
  };
  const settingsOf = (config: StackConfig) => {
    const cli = programConfig(project, "dev", config);
    return parseSettings(
      Object.fromEntries(
        Object.entries(cli.config)
          .filter(([key]) => key.startsWith("hbnb-stack:"))
          .map(([key, value]) => [key.slice("hbnb-stack:".length), value]),
      ),
    );
  };
  const recipe = [
    shellBlocks(readme, "Run it on AWS")[0],
    ...shellBlocks(readme, "HTTPS: a certificate from Let's Encrypt"),
  ];
  const stack = runRecipe(recipe.join("\n"), project, root, machine);

  test("one name, Let's Encrypt's staging", () => {
    expect(settingsOf(stack.config).https).toEqual({
      domains: ["hbnb.example.com"],
      email: "you@example.com",
      server: "https://acme-staging-v02.api.letsencrypt.org/directory",
      caBundle: "",
    });
  });

  test("a list set with --path is taken too (the key has no type for the CLI to refuse either)", () => {
    let config = configSet(project, stack.config, ["--path", "domain[0]", "hbnb.example.com"]);
    config = configSet(project, config, ["--path", "domain[1]", "www.example.com"]);
    expect(settingsOf(config).https?.domains).toEqual(["hbnb.example.com", "www.example.com"]);
  });
});
