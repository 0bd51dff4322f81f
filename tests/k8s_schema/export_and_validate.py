#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Exports every policy the project ships as a Kubernetes SeccompProfile with the sysfence CLI
(YAML and JSON, v1 and v1beta1, and a `sysfence merge` of replica recordings) and validates the
results, the manifests in docs/kubernetes.md and examples/kubernetes/, against the SPO CRDs.

  export_and_validate.py --cli SYSFENCE --source DIR --work DIR
"""
import argparse
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1: warnings (a lossy export says so)
        sys.exit("%s failed (%d): %s" % (" ".join(command), result.returncode, result.stderr))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    policies = [args.source + "/tests/data/moby-default.json", args.source + "/tests/data/recorded-busybox.sfp"]
    policies += sorted(glob.glob(args.source + "/examples/*.sfp"))
    outputs = []
    for policy in policies:
        stem = os.path.basename(policy).split(".")[0]
        for fmt, version, ext in (("k8s", "v1", "yaml"), ("k8s-json", "v1", "json"), ("k8s", "v1beta1", "beta.yaml")):
            out = os.path.join(args.work, "%s.%s" % (stem, ext))
            run([args.cli, "compile", policy, "--arch", "x86_64", "--kernel", "any", "-f", fmt,
                 "--k8s-version", version, "-o", out])
            outputs.append(out)
    merged = glob.glob(args.source + "/tests/data/replicas/*.json")
    if merged:
        out = os.path.join(args.work, "merged-replicas.yaml")
        run([args.cli, "merge", "-q", "--workload", "web", "--container", "nginx", "-f", "k8s", "-o", out] + sorted(merged))
        outputs.append(out)
    manifests = [args.source + "/docs/kubernetes.md"] + sorted(glob.glob(args.source + "/examples/kubernetes/*.yaml"))
    crds = args.source + "/tests/data/spo"
    validator = [sys.executable, os.path.join(HERE, "validate_crds.py"), "--crds", crds]
    good = subprocess.run(validator + outputs + manifests)
    bad = subprocess.run(validator + ["--expect-invalid"] + sorted(glob.glob(os.path.join(HERE, "bad", "*.yaml"))))
    return 1 if good.returncode or bad.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
