#!/usr/bin/env python3
"""hbnb-stack's boot driver: runs the stack's plan at first boot, as root, with no SSH.

cloud-init writes this file and its settings (/etc/hbnb-stack/boot.json) from the instance's
user data (core/user-data.ts) and runs it once, from `runcmd` in its final stage. It fetches
the boot plan (the plan's steps: each one's exact stdin, the secrets it needs, the file it
uploads), checks its sha256, and runs each step in order as `bash -s` reading that stdin, as
the SSH drivers' `sudo -n bash -s` does. The release archive is fetched into the release
step's upload path and checked against its sha256 before that step runs. Secrets are fetched
only here, at boot: from SSM Parameter Store (SecureString, decrypted with the instance role)
on AWS, or given as a value (the local test). A failing step stops the run with its exit code:
cloud-init then reports the error (`cloud-init status --long`), and nothing after it runs.

Python's standard library only: Ubuntu's and Debian's cloud images have Python 3 for
cloud-init itself, and neither has the AWS CLI (Ubuntu 24.04 ships it as a snap only).
"""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

IMDS = "http://169.254.169.254"
# How long a fetch keeps trying: at first boot the network, the instance role's credentials
# or the object store may need a moment; a fetch that never succeeds stops the boot.
FETCH_ATTEMPTS = 60
FETCH_PAUSE = 5


def log(message):
    print(f"hbnb-stack boot: {message}", flush=True)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def imds(path, token=None, method="GET", headers=None):
    """IMDSv2 only (the launch template requires it): a session token, then the path."""
    request = urllib.request.Request(IMDS + path, method=method, headers=headers or {})
    if token:
        request.add_header("X-aws-ec2-metadata-token", token)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def role_credentials():
    token = imds("/latest/api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"})
    role = imds("/latest/meta-data/iam/security-credentials/", token).split("\n")[0]
    return json.loads(imds(f"/latest/meta-data/iam/security-credentials/{role}", token))


def signed(method, url, region, service, credentials, body=b"", headers=None, now=None):
    """A request signed with AWS Signature Version 4 (docs.aws.amazon.com/IAM/latest/UserGuide/
    reference_sigv-create-signed-request.html): canonical request, string to sign, signing key
    derived from the date, region and service."""
    parts = urllib.parse.urlsplit(url)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    date = stamp[:8]
    payload = sha256_hex(body)
    all_headers = {"host": parts.netloc, "x-amz-date": stamp, "x-amz-content-sha256": payload}
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    if credentials.get("Token"):
        all_headers["x-amz-security-token"] = credentials["Token"]
    names = sorted(all_headers)
    canonical = "\n".join(
        [
            method,
            # The path as sent, already URI-encoded by the caller: S3 takes it encoded once.
            parts.path or "/",
            "&".join(sorted(parts.query.split("&"))) if parts.query else "",
            "".join(f"{name}:{all_headers[name].strip()}\n" for name in names),
            ";".join(names),
            payload,
        ]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, sha256_hex(canonical.encode())])
    key = ("AWS4" + credentials["SecretAccessKey"]).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    all_headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials['AccessKeyId']}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    del all_headers["host"]
    return urllib.request.Request(url, data=body or None, method=method, headers=all_headers)


def request_for(source):
    """The request that reads SOURCE: {"url": ...} as is, {"s3": {bucket, key, region}} signed
    with the instance role (its policy allows s3:GetObject on the stack's objects only)."""
    if "url" in source:
        return urllib.request.Request(source["url"])
    s3 = source["s3"]
    url = f"https://{s3['bucket']}.s3.{s3['region']}.amazonaws.com/{urllib.parse.quote(s3['key'])}"
    return signed("GET", url, s3["region"], "s3", role_credentials())


def fetch(source, what):
    for attempt in range(1, FETCH_ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request_for(source), timeout=60) as response:
                return response.read()
        except (urllib.error.URLError, OSError) as error:
            if isinstance(error, urllib.error.HTTPError) and error.code in (400, 401, 403, 404):
                raise SystemExit(f"hbnb-stack boot: cannot fetch {what}: HTTP {error.code} {error.reason}")
            if attempt == FETCH_ATTEMPTS:
                raise SystemExit(f"hbnb-stack boot: cannot fetch {what} after {attempt} attempts: {error}")
            log(f"fetching {what} failed ({error}); trying again in {FETCH_PAUSE} s")
            time.sleep(FETCH_PAUSE)


def fetch_checked(source, sha256, what):
    data = fetch(source, what)
    actual = sha256_hex(data)
    if actual != sha256:
        raise SystemExit(f"hbnb-stack boot: {what} has sha256 {actual}, expected {sha256}: not the stack's")
    return data


def parameter_request(ssm):
    """SSM's GetParameter of a SecureString, decrypted, signed with the instance role (its policy
    allows ssm:GetParameter on the stack's parameters only)."""
    url = f"https://ssm.{ssm['region']}.amazonaws.com/"
    body = json.dumps({"Name": ssm["name"], "WithDecryption": True}).encode()
    headers = {"content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameter"}
    return signed("POST", url, ssm["region"], "ssm", role_credentials(), body, headers)


def secret_value(name, source):
    if "value" in source:
        return source["value"]
    ssm = source["ssm"]
    request = parameter_request(ssm)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["Parameter"]["Value"]
    except urllib.error.HTTPError as error:
        raise SystemExit(f"hbnb-stack boot: cannot read the secret {name} ({ssm['name']}): HTTP {error.code}")


def run_step(step, secrets, settings):
    stdin = step["stdin"]
    for name in step["secrets"]:
        if name not in secrets:
            secrets[name] = secret_value(name, settings["secrets"][name])
        stdin = stdin.replace(f"@@hbnb-secret:{name}@@", secrets[name])
    upload = step.get("upload")
    if upload:
        data = fetch_checked(settings["archive"], upload["sha256"], f"the release archive for {upload['destination']}")
        descriptor = os.open(upload["destination"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as archive:
            archive.write(data)
        log(f"{step['name']}: fetched {upload['destination']} ({len(data)} bytes, sha256 checked)")
    # The wait step must not wait for the boot or for cloud-init: this run is part of both.
    env = dict(os.environ, HBNB_BOOT_DRIVER="cloud-init")
    hidden = step["carriesSecrets"]
    log(f"{step['name']}: {step['summary']}")
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "-s"],
        input=stdin.encode(),
        env=env,
        stdout=subprocess.DEVNULL if hidden else None,
        stderr=subprocess.DEVNULL if hidden else subprocess.STDOUT,
        check=False,
    )
    took = time.monotonic() - started
    if result.returncode != 0:
        why = " (its output is not logged: it handles secrets)" if hidden else ""
        raise SystemExit(
            f"hbnb-stack boot: step {step['name']} failed with exit {result.returncode}{why}; the steps after it did not run"
        )
    log(f"{step['name']}: ok ({took:.1f} s){' (output not logged: it handles secrets)' if hidden else ''}")


def main(settings_path):
    with open(settings_path, encoding="utf-8") as file:
        settings = json.load(file)
    plan = json.loads(fetch_checked(settings["plan"], settings["planSha256"], "the boot plan"))
    log(f"release {plan['release']}: {len(plan['steps'])} steps")
    secrets = {}
    for step in plan["steps"]:
        run_step(step, secrets, settings)
    log(f"release {plan['release']} is live")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    main(sys.argv[1] if len(sys.argv) > 1 else "/etc/hbnb-stack/boot.json")
