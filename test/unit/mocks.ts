import * as pulumi from "@pulumi/pulumi";

/**
 * One `newResource` call the program made, with the state the mocks answered.
 */
export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  state: Record<string, any>;
}

/** One provider function call (`aws.ec2.getAmiOutput` and the like). */
export interface RecordedInvoke {
  token: string;
  args: Record<string, any>;
}

/**
 * Resource options as seen by a transformation: the mock monitor is never shown
 * them.
 */
export interface RecordedOptions {
  type: string;
  name: string;
  opts: pulumi.ResourceOptions;
}

export const resources: RecordedResource[] = [];
export const invokes: RecordedInvoke[] = [];
export const options: RecordedOptions[] = [];

export const ACCOUNT_ID = "123456789012";
export const REGION = "us-east-1";
export const AMI_ID = "ami-0123456789abcdef0";

type State = Record<string, any>;

export interface MockSetup {
  project?: string;
  stack?: string;
  preview?: boolean;
  /**
   * Stack config without the project prefix, e.g. {"instanceType": "t3.micro"}.
   */
  config?: Record<string, string>;
  secretKeys?: string[];
  /** Extra computed outputs for a resource type, merged over the defaults. */
  outputs?: Record<string, (name: string, inputs: State) => State>;
  /** Results for invoke tokens, taking precedence over the defaults. */
  calls?: Record<string, (args: State) => State>;
}

let serial = 0;

// Documentation address ranges (RFC 5737), so a test value never names a real
// host.
function computedOutputs(type: string, name: string, inputs: State): State {
  const n = (++serial % 254) + 1;
  const [pkg, module] = type.split(/[:/]/);
  const arn = pkg === "aws" ? `arn:aws:${module}:${REGION}:${ACCOUNT_ID}:${name}_id` : undefined;
  switch (type) {
    case "aws:ec2/eip:Eip":
      return {
        arn,
        allocationId: `eipalloc-${name}`,
        publicIp: `203.0.113.${n}`,
        publicDns: `ec2-203-0-113-${n}.compute-1.amazonaws.com`,
      };
    case "aws:ec2/instance:Instance":
      return {
        arn,
        publicIp: `198.51.100.${n}`,
        privateIp: `172.31.0.${n}`,
        instanceState: "running",
        // EC2 places an instance in its subnet's zone (the mocks' default VPC, SUBNETS).
        availabilityZone: SUBNETS[inputs.subnetId] ?? `${REGION}a`,
      };
    // The provider, not the SDK, picks auto-names: the mocks stand in for it.
    case "aws:ec2/keyPair:KeyPair":
      return { arn, keyName: inputs.keyName ?? `${name}-${n}` };
    case "aws:lb/loadBalancer:LoadBalancer":
      // us-east-1's hosted zone of ALBs, which alias records name.
      return { arn, dnsName: `${name}-${n}.${REGION}.elb.amazonaws.com`, zoneId: "Z35SXDOTRQ7X7K" };
    // ACM's one CNAME per name of the certificate, as it names them: _<hash>.<name>.
    case "aws:acm/certificate:Certificate":
      return {
        arn: `arn:aws:acm:${REGION}:${ACCOUNT_ID}:certificate/${name}`,
        domainValidationOptions: [inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])].map((domain) => ({
          domainName: domain,
          resourceRecordName: `_${domain.length}a1b2.${domain}.`,
          resourceRecordType: "CNAME",
          resourceRecordValue: `_${domain.length}c3d4.acm-validations.aws.`,
        })),
      };
    case "aws:acm/certificateValidation:CertificateValidation":
      return { certificateArn: inputs.certificateArn };
    case "aws:route53/record:Record":
      return { fqdn: String(inputs.name).replace(/\.$/, "") };
    case "aws:lb/targetGroup:TargetGroup":
      return { arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:targetgroup/${name}` };
    case "aws:rds/instance:Instance":
      return { arn, address: `${name}.c0ffee.${REGION}.rds.amazonaws.com`, endpoint: `${name}.c0ffee:3306` };
    case "aws:rds/subnetGroup:SubnetGroup":
      return { arn, name: inputs.name ?? `${name}-${n}` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${ACCOUNT_ID}:role/${name}`, name: inputs.name ?? `${name}-${n}` };
    case "random:index/randomPassword:RandomPassword":
      return { result: `mock-random-${name}-${n}` };
    case "tls:index/privateKey:PrivateKey":
      return { privateKeyPem: `mock-key-${name}` };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: `mock-cert-${name}` };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: `mock-request-${name}` };
    case "aws:s3/bucket:Bucket": {
      const bucket = inputs.bucket ?? `${name}-${n}`;
      return { arn: `arn:aws:s3:::${bucket}`, bucket };
    }
    // A new template's first version.
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { arn, latestVersion: 1 };
    case "aws:autoscaling/group:Group":
      return { arn, name: inputs.name ?? `${name}-${n}` };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { arn, name: inputs.name ?? `${name}-${n}`, ownerId: ACCOUNT_ID };
    default:
      return arn ? { arn } : {};
  }
}

/**
 * The default VPC of the mocks: three default subnets, listed out of zone order (as EC2 may list
 * them), each in its own zone.
 */
export const DEFAULT_VPC = "vpc-0default";
export const SUBNETS: Record<string, string> = {
  "subnet-0ccc": `${REGION}c`,
  "subnet-0aaa": `${REGION}a`,
  "subnet-0bbb": `${REGION}b`,
};

const defaultCalls: Record<string, (args: State) => State> = {
  "aws:ec2/getVpc:getVpc": () => ({ id: DEFAULT_VPC, cidrBlock: "172.31.0.0/16", default: true }),
  "aws:ec2/getSubnets:getSubnets": () => ({ id: REGION, ids: Object.keys(SUBNETS) }),
  "aws:ec2/getSubnet:getSubnet": (args) => ({
    id: args.id,
    availabilityZone: SUBNETS[args.id],
    vpcId: DEFAULT_VPC,
    defaultForAz: true,
  }),
  "aws:ec2/getAmi:getAmi": (args) => ({
    id: AMI_ID,
    imageId: AMI_ID,
    name: String(args.filters?.find((f: State) => f.name === "name")?.values?.[0] ?? "").replace("*", "20250101"),
    ownerId: args.owners?.[0],
    rootDeviceType: "ebs",
    virtualizationType: "hvm",
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    id: ACCOUNT_ID,
    accountId: ACCOUNT_ID,
    arn: `arn:aws:iam::${ACCOUNT_ID}:user/test`,
    userId: "AIDATESTUSER",
  }),
  "aws:route53/getZone:getZone": (args) => ({
    id: args.zoneId ?? "Z0EXAMPLEZONE",
    zoneId: args.zoneId ?? "Z0EXAMPLEZONE",
    name: args.name ?? "example.com",
  }),
  "aws:index/getRegion:getRegion": () => ({
    id: REGION,
    name: REGION,
    region: REGION,
  }),
};

/**
 * Installs mocks that record every resource and invoke. Await it before
 * importing the module under test: a module imported earlier registers its
 * resources with no mocks in place.
 */
export async function setupMocks(setup: MockSetup = {}): Promise<void> {
  const project = setup.project ?? "hbnb-stack";
  if (setup.config) {
    const config = Object.fromEntries(Object.entries(setup.config).map(([key, value]) => [`${project}:${key}`, value]));
    const secrets = (setup.secretKeys ?? []).map((key) => `${project}:${key}`);
    pulumi.runtime.setAllConfig(config, secrets);
  }
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        const state = {
          ...inputs,
          ...computedOutputs(type, name, inputs),
          ...setup.outputs?.[type]?.(name, inputs),
        };
        resources.push({ type, name, inputs, state });
        return { id: `${name}_id`, state };
      },
      call: ({ token, inputs }) => {
        invokes.push({ token, args: inputs });
        const result = setup.calls?.[token] ?? defaultCalls[token];
        return result ? result(inputs) : inputs;
      },
    },
    project,
    setup.stack ?? "unit",
    setup.preview ?? false,
  );
}

/**
 * Pass as `{ transformations: [recordOptions] }` to a component: its children
 * inherit it, so the options of every resource under it (ignoreChanges,
 * dependsOn ...) land in `options`.
 */
export const recordOptions: pulumi.ResourceTransformation = ({ type, name, opts }) => {
  options.push({ type, name, opts });
  return undefined;
};

export const ofType = (type: string, namePrefix = ""): RecordedResource[] =>
  resources.filter((r) => r.type === type && r.name.startsWith(namePrefix));

/** The value of an Output, to assert on outside `apply`. */
export function valueOf<T>(input: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => pulumi.output(input).apply(resolve));
}
