import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

/**
 * The boot driver's runner (files/boot/boot.py), run by the real python3 against a plan served
 * from loopback: the order of the steps, the secrets, the checked upload, a failing step. The
 * whole boot through cloud-init is test/e2e/user-data.test.ts.
 */
const RUNNER = path.join(__dirname, "..", "..", "files", "boot", "boot.py");
const run = promisify(execFile);
const sha256 = (data: string | Buffer): string => crypto.createHash("sha256").update(data).digest("hex");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hbnb-boot-"));
const archive = Buffer.from("the release archive\n");
const objects: Record<string, Buffer> = { "/release.tar.gz": archive };
const requests: string[] = [];
const store = http.createServer((request, response) => {
  requests.push(`${request.method} ${request.url}`);
  const body = objects[request.url ?? ""];
  response.writeHead(body ? 200 : 404).end(body);
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => store.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => store.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

interface TestStep {
  name: string;
  stdin: string;
  secrets?: string[];
  carriesSecrets?: boolean;
  upload?: { destination: string; sha256: string };
}

/** Serves PLAN's steps and runs the runner on them; PLAN_SHA256 is what the user data names. */
async function boot(steps: TestStep[], planSha256?: string) {
  requests.length = 0;
  const plan = JSON.stringify({
    release: "r-test",
    steps: steps.map((s) => ({ summary: `the ${s.name} step`, secrets: [], carriesSecrets: false, ...s })),
  });
  objects["/plan.json"] = Buffer.from(plan);
  const settings = path.join(dir, "boot.json");
  fs.writeFileSync(
    settings,
    JSON.stringify({
      plan: { url: `${base}/plan.json` },
      planSha256: planSha256 ?? sha256(plan),
      archive: { url: `${base}/release.tar.gz` },
      secrets: { apiToken: { value: "s3cr3t" } },
    }),
  );
  try {
    const { stdout } = await run("python3", [RUNNER, settings]);
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

test("SigV4: the signature of AWS's own example (S3 GetObject, docs: sig-v4-header-based-auth)", async () => {
  // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object".
  const { stdout } = await run("python3", [
    "-c",
    `import calendar, sys
sys.path.insert(0, ${JSON.stringify(path.dirname(RUNNER))})
import boot
credentials = {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
request = boot.signed("GET", "https://examplebucket.s3.amazonaws.com/test.txt", "us-east-1", "s3", credentials,
                      headers={"Range": "bytes=0-9"}, now=calendar.timegm((2013, 5, 24, 0, 0, 0)))
print(request.get_header("Authorization"))`,
  ]);
  expect(stdout).toBe(
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n",
  );
});

test("S3 and SSM requests: the object's and the parameter's URL, signed for their service with the role's session", async () => {
  // The role's credentials as IMDSv2 gives them (an access key, its secret, a session token).
  const { stdout } = await run("python3", [
    "-c",
    `import json, sys
sys.path.insert(0, ${JSON.stringify(path.dirname(RUNNER))})
import boot
boot.role_credentials = lambda: {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret", "Token": "session"}
for request in (
    boot.request_for({"s3": {"bucket": "hbnb-releases-1", "key": "releases/r-0123456789ab.tar.gz", "region": "eu-west-3"}}),
    boot.parameter_request({"name": "/hbnb-stack-dev/apiToken", "region": "eu-west-3"}),
):
    headers = {k.lower(): v for k, v in request.header_items()}
    auth = headers["authorization"].split(", ")
    print(json.dumps([request.get_method(), request.full_url, (request.data or b"").decode(), auth[0].split("/", 2)[2], auth[1],
                      headers["x-amz-security-token"], headers.get("x-amz-target")]))`,
  ]);
  expect(stdout.trim().split("\n").map((line) => JSON.parse(line))).toEqual([
    [
      "GET",
      "https://hbnb-releases-1.s3.eu-west-3.amazonaws.com/releases/r-0123456789ab.tar.gz",
      "",
      "eu-west-3/s3/aws4_request",
      "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token",
      "session",
      null,
    ],
    [
      "POST",
      "https://ssm.eu-west-3.amazonaws.com/",
      '{"Name": "/hbnb-stack-dev/apiToken", "WithDecryption": true}',
      "eu-west-3/ssm/aws4_request",
      "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target",
      "session",
      "AmazonSSM.GetParameter",
    ],
  ]);
});

test("runs each step's stdin in order, with the boot driver named, the secret filled in and the archive checked", async () => {
  const destination = path.join(dir, "release.tar.gz");
  const secretFile = path.join(dir, "secret");
  const result = await boot([
    { name: "first", stdin: 'echo "first: driver $HBNB_BOOT_DRIVER"\n' },
    { name: "release", stdin: `sha256sum ${destination}\n`, upload: { destination, sha256: sha256(archive) } },
    {
      name: "secrets",
      stdin: `echo -n '@@hbnb-secret:apiToken@@' > ${secretFile}; echo 'printed but not logged'\n`,
      secrets: ["apiToken"],
      carriesSecrets: true,
    },
  ]);
  expect(result.code).toBe(0);
  expect(result.out.replace(/\(\d+\.\d s\)/g, "(T s)")).toBe(
    [
      "hbnb-stack boot: release r-test: 3 steps",
      "hbnb-stack boot: first: the first step",
      "first: driver cloud-init",
      "hbnb-stack boot: first: ok (T s)",
      `hbnb-stack boot: release: fetched ${destination} (${archive.length} bytes, sha256 checked)`,
      "hbnb-stack boot: release: the release step",
      `${sha256(archive)}  ${destination}`,
      "hbnb-stack boot: release: ok (T s)",
      "hbnb-stack boot: secrets: the secrets step",
      "hbnb-stack boot: secrets: ok (T s) (output not logged: it handles secrets)",
      "hbnb-stack boot: release r-test is live",
      "",
    ].join("\n"),
  );
  expect(fs.readFileSync(secretFile, "utf8")).toBe("s3cr3t");
  expect(fs.statSync(destination).mode & 0o777).toBe(0o600);
  expect(requests).toEqual(["GET /plan.json", "GET /release.tar.gz"]);
});

test("a failing step stops the run with its exit code named; the steps after it do not run", async () => {
  const result = await boot([
    { name: "first", stdin: "echo 'first: error: broken' >&2; exit 3\n" },
    { name: "second", stdin: "echo second\n" },
  ]);
  expect(result.code).toBe(1);
  expect(result.out).toContain("first: error: broken\n");
  expect(result.out).toContain("hbnb-stack boot: step first failed with exit 3; the steps after it did not run\n");
  expect(result.out).not.toContain("second");
});

test("an archive that is not the plan's is refused before its step runs", async () => {
  const destination = path.join(dir, "other.tar.gz");
  const result = await boot([
    { name: "release", stdin: "echo ran\n", upload: { destination, sha256: "0".repeat(64) } },
  ]);
  expect(result.code).toBe(1);
  expect(result.out).toContain(`the release archive for ${destination} has sha256 ${sha256(archive)}, expected ${"0".repeat(64)}`);
  expect(result.out).not.toContain("ran");
  expect(fs.existsSync(destination)).toBe(false);
});

test("a boot plan that is not the one the user data names is refused: no step runs", async () => {
  const result = await boot([{ name: "first", stdin: "echo ran\n" }], "f".repeat(64));
  expect(result.code).toBe(1);
  expect(result.out).toMatch(/^hbnb-stack boot: the boot plan has sha256 [0-9a-f]{64}, expected f{64}: not the stack's\n$/);
});
