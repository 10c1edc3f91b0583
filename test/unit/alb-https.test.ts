import * as fs from "fs";
import * as path from "path";
import { TLS_POLICY } from "../../components/aws-load-balancer";
import { parseSettings, RawConfig, SettingsError } from "../../core/settings";
import { loadProject, programConfig } from "../../local/pulumi-cli-config";
import { Machine, runRecipe, shellBlocks } from "./readme-recipes";
import { Run, runProgram } from "./run-program";

/**
 * HTTPS at AWS's load balancer, in the whole program under Pulumi's mocks: with domain and
 * hostedZone, an ACM certificate for the names, validated by the DNS records ACM names, written
 * in the zone, a CertificateValidation that waits for the issue, an HTTPS listener on 443 with
 * AWS's recommended policy and that certificate, port 80 answering 301 to HTTPS, 443 open on the
 * load balancer's group, and the domains' alias records: the url is https://<first domain>/.
 */
const fixtures = path.join(__dirname, "..", "fixtures");
const privateKey = fs.readFileSync(path.join(fixtures, "id_ed25519"), "utf8");
const publicKey = fs.readFileSync(path.join(fixtures, "id_ed25519.pub"), "utf8").trim();
const base: RawConfig = {
  target: "aws",
  adminCidrs: '["203.0.113.7/32"]',
  publicKey,
  privateKey,
  instanceCount: "2",
  database: "rds",
};
const NAME = "hbnb-stack-dev";
const run = (raw: RawConfig) =>
  runProgram("dev", {
    config: Object.fromEntries(Object.entries(raw).map(([key, value]) => [`hbnb-stack:${key}`, value!])),
    secretKeys: ["hbnb-stack:privateKey"],
  });

let named: Run;
let byId: Run;
let plain: Run;
beforeAll(async () => {
  named = await run({ ...base, domain: '["example.com","www.example.com"]', hostedZone: "example.com" });
  byId = await run({ ...base, domain: "shop.example.org", hostedZone: "Z0123456789ABCDEFGHIJ" });
  plain = await run(base);
  expect([named.error, byId.error, plain.error]).toEqual([undefined, undefined, undefined]);
});
const ofType = (r: Run, type: string) => r.resources.filter((x) => x.type === type);

test("an ACM certificate for every domain, validated by DNS", () => {
  const [certificate] = ofType(named, "aws:acm/certificate:Certificate");
  expect(certificate.inputs).toEqual({
    domainName: "example.com",
    subjectAlternativeNames: ["www.example.com"],
    validationMethod: "DNS",
  });
  expect(ofType(byId, "aws:acm/certificate:Certificate")[0].inputs).toEqual({
    domainName: "shop.example.org",
    validationMethod: "DNS",
  });
});

test("ACM's validation records written in the hosted zone, looked up by name or taken by id", () => {
  const records = ofType(named, "aws:route53/record:Record").filter((r) => r.name.includes("-validation-"));
  expect(records.map((r) => r.inputs)).toEqual(
    ["example.com", "www.example.com"].map((domain) => ({
      zoneId: "Z0EXAMPLEZONE",
      name: `_${domain.length}a1b2.${domain}.`,
      type: "CNAME",
      records: [`_${domain.length}c3d4.acm-validations.aws.`],
      ttl: 300,
      allowOverwrite: true,
    })),
  );
  const zoneLookups = (r: Run) => r.invokes.filter((i) => i.token === "aws:route53/getZone:getZone").map((i) => i.args);
  expect(zoneLookups(named)).toEqual([{ name: "example.com", privateZone: false }]);
  expect(zoneLookups(byId)).toEqual([{ zoneId: "Z0123456789ABCDEFGHIJ" }]);
  const [validation] = ofType(named, "aws:acm/certificateValidation:CertificateValidation");
  expect(validation.inputs).toEqual({
    certificateArn: ofType(named, "aws:acm/certificate:Certificate")[0].state.arn,
    validationRecordFqdns: ["_11a1b2.example.com", "_15a1b2.www.example.com"],
  });
});

test("an HTTPS listener on 443 with AWS's recommended policy and the validated certificate, forwarding to the servers", () => {
  const [alb] = ofType(named, "aws:lb/loadBalancer:LoadBalancer");
  const [targetGroup] = ofType(named, "aws:lb/targetGroup:TargetGroup");
  const https = ofType(named, "aws:lb/listener:Listener").find((l) => l.inputs.port === 443)!;
  expect(TLS_POLICY).toBe("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09");
  expect(https.inputs).toMatchObject({
    loadBalancerArn: alb.state.arn,
    protocol: "HTTPS",
    sslPolicy: TLS_POLICY,
    // The validation's ARN: the listener waits until ACM issued the certificate.
    certificateArn: ofType(named, "aws:acm/certificateValidation:CertificateValidation")[0].state.certificateArn,
    defaultActions: [{ type: "forward", targetGroupArn: targetGroup.state.arn }],
  });
});

test("HTTP answers 301 to HTTPS at the load balancer; without a domain it forwards, and 443 stays closed", () => {
  const http = ofType(named, "aws:lb/listener:Listener").find((l) => l.inputs.port === 80)!;
  expect(http.inputs.defaultActions).toEqual([
    { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
  ]);
  const listeners = ofType(plain, "aws:lb/listener:Listener");
  expect(listeners.map((l) => [l.inputs.port, l.inputs.defaultActions[0].type])).toEqual([[80, "forward"]]);
  expect(ofType(plain, "aws:acm/certificate:Certificate")).toEqual([]);
  expect(ofType(plain, "aws:route53/record:Record")).toEqual([]);
});

test("the load balancer's group admits 443 too, from anywhere; the servers still take port 80 from it alone", () => {
  const ingress = (r: Run, group: string) =>
    ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((x) => x.inputs.securityGroupId === group)
      .map((x) => [x.inputs.fromPort, x.inputs.cidrIpv4 ?? x.inputs.cidrIpv6 ?? x.inputs.referencedSecurityGroupId]);
  expect(ingress(named, `${NAME}-lb-sg_id`)).toEqual([
    [80, "0.0.0.0/0"],
    [80, "::/0"],
    [443, "0.0.0.0/0"],
    [443, "::/0"],
  ]);
  expect(ingress(plain, `${NAME}-lb-sg_id`)).toEqual([
    [80, "0.0.0.0/0"],
    [80, "::/0"],
  ]);
  expect(ingress(named, `${NAME}-sg_id`)).toEqual([
    [22, "203.0.113.7/32"],
    [80, `${NAME}-lb-sg_id`],
  ]);
});

test("each domain an alias of the load balancer in the zone; the url is https://<first domain>/", () => {
  const [alb] = ofType(named, "aws:lb/loadBalancer:LoadBalancer");
  const aliases = ofType(named, "aws:route53/record:Record").filter((r) => r.name.includes("-alias-"));
  expect(aliases.map((r) => r.inputs)).toEqual(
    ["example.com", "www.example.com"].map((domain) => ({
      zoneId: "Z0EXAMPLEZONE",
      name: domain,
      type: "A",
      aliases: [{ name: alb.state.dnsName, zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }],
    })),
  );
  expect(named.outputs.url).toBe("https://example.com/");
  expect(byId.outputs.url).toBe("https://shop.example.org/");
  expect(plain.outputs.url).toBe(`http://${ofType(plain, "aws:lb/loadBalancer:LoadBalancer")[0].state.dnsName}/`);
});

test("autoscaling behind the load balancer takes the same HTTPS", async () => {
  const scaled = await run({
    ...base,
    instanceCount: "1",
    autoscaling: '{"min":2,"max":4,"cpuTarget":60}',
    domain: "example.com",
    hostedZone: "example.com",
  });
  expect(scaled.error).toBeUndefined();
  expect(ofType(scaled, "aws:lb/listener:Listener").map((l) => [l.inputs.port, l.inputs.protocol])).toEqual([
    [80, "HTTP"],
    [443, "HTTPS"],
  ]);
  expect(scaled.outputs.url).toBe("https://example.com/");
});

test("the README's recipe, after its AWS and many-servers ones, as the Pulumi CLI hands it over", async () => {
  const root = path.join(__dirname, "..", "..");
  const project = loadProject(path.join(root, "Pulumi.yaml"));
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const machine: Machine = {
    substitutions: { "curl -s https://checkip.amazonaws.com": "203.0.113.7", "cat ~/.ssh/hbnb.pub": publicKey },
    files: { "~/.ssh/hbnb": privateKey },
  };
  // (The first block of "Run it on AWS": its section holds every other recipe's too.)
  const recipe = [
    shellBlocks(readme, "Run it on AWS")[0],
    ...shellBlocks(readme, "Many servers on AWS"),
    ...shellBlocks(readme, "HTTPS at the load balancer"),
  ];
  const stack = runRecipe(recipe.join("\n"), project, root, machine);
  const fromReadme = await runProgram(stack.name, programConfig(project, stack.name, stack.config));
  expect(fromReadme.error).toBeUndefined();
  expect(ofType(fromReadme, "aws:acm/certificate:Certificate")[0].inputs.domainName).toBe("www.example.com");
  expect(fromReadme.outputs.url).toBe("https://www.example.com/");
});

describe("bad input, before any resource", () => {
  const problems = (raw: RawConfig): string[] => {
    try {
      parseSettings(raw);
      return [];
    } catch (error) {
      return (error as SettingsError).problems;
    }
  };
  test.each([
    [
      "a domain behind the load balancer without a hosted zone",
      { domain: "example.com" },
      "hbnb-stack:domain = \"example.com\" behind the load balancer needs hbnb-stack:hostedZone: ACM validates the certificate through DNS records the stack writes in the domain's Route 53 hosted zone; set it to the zone's name or id (pulumi config set hostedZone example.com), or remove domain (pulumi config rm domain) for HTTP only",
    ],
    [
      "a hosted zone without a domain",
      { hostedZone: "example.com" },
      'hbnb-stack:hostedZone = "example.com" and no hbnb-stack:domain: the zone holds the records of the load balancer\'s certificate for the domain; set domain (pulumi config set domain www.example.com), or remove hostedZone (pulumi config rm hostedZone)',
    ],
    [
      "a domain outside the zone",
      { domain: '["example.com","shop.example.org"]', hostedZone: "example.com" },
      'hbnb-stack:domain "shop.example.org" is not in hbnb-stack:hostedZone "example.com": the stack can write its validation record only in that zone; list names under example.com, or set hostedZone to their zone',
    ],
    [
      "a hosted zone that is neither an id nor a name",
      { domain: "example.com", hostedZone: "not a zone" },
      'hbnb-stack:hostedZone = "not a zone": expected the Route 53 hosted zone of the domain, by name (example.com) or id (Z0123456789ABCDEFGHIJ): aws route53 list-hosted-zones',
    ],
    [
      "a domain that is not a name",
      { domain: "https://example.com/", hostedZone: "example.com" },
      "hbnb-stack:domain = \"https://example.com/\": not a domain name; expected a DNS name such as www.example.com, or a list of them: pulumi config set --path 'domain[0]' example.com",
    ],
    [
      "a name twice",
      { domain: '["example.com","EXAMPLE.com"]', hostedZone: "example.com" },
      'hbnb-stack:domain = ["example.com","example.com"]: lists a name twice; each name once',
    ],
  ])("%s", (_, raw, problem) => {
    expect(problems({ ...base, ...raw })).toEqual([problem]);
  });

  test("a hosted zone with no load balancer: it serves the load balancer's certificate only", () => {
    // The servers themselves would get certificates (ACME), hence acmeEmail.
    const raw = {
      ...base,
      instanceCount: "1",
      domain: "example.com",
      hostedZone: "example.com",
      acmeEmail: "a@example.com",
    };
    expect(problems(raw)).toEqual([
      'hbnb-stack:hostedZone = "example.com" without a load balancer: the zone serves the load balancer\'s ACM certificate only; set loadBalancer to true (pulumi config set loadBalancer true), or remove hostedZone (pulumi config rm hostedZone)',
    ]);
  });

  test("on servers you already have, hostedZone is AWS's only", () => {
    expect(problems({ target: "existing", hosts: '["192.0.2.10"]', privateKey, hostedZone: "example.com" })).toEqual([
      'hbnb-stack:hostedZone = "example.com": only applies to target aws, but target is existing; remove it (pulumi config rm hostedZone), or set target to aws',
    ]);
  });

  test("domain as text or as a list: the same names, lowercase, a trailing dot dropped", () => {
    const domains = (domain: string) => parseSettings({ ...base, domain, hostedZone: "Z0ABC" }).aws!.domains;
    expect(domains("Example.COM.")).toEqual(["example.com"]);
    expect(domains('["a.example.com", "b.example.com"]')).toEqual(["a.example.com", "b.example.com"]);
    expect(parseSettings(base).aws!.domains).toEqual([]);
  });
});
