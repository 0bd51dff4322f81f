#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the shipped service files: the systemd unit with `systemd-analyze verify`, the Kubernetes
DaemonSet against a strict schema (daemonset.schema.json, python3-jsonschema) plus the checks a
schema cannot express, and both command lines by running them for a moment against the real
binary (every option must parse and the watcher must start).

Usage: check_packaging.py SOURCE_DIR SYSFENCE_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run_watch(binary, args, workdir):
    """Runs `sysfence watch ARGS` for 0.5 s; it must start and stop cleanly."""
    command = [binary, "watch", *args, "--duration", "0.5"]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        fail(f"{' '.join(command)} exited {done.returncode}: {done.stderr}")
    return done


def check_unit(source, binary, workdir):
    unit_path = os.path.join(source, "packaging/systemd/sysfence-watch.service")
    text = open(unit_path).read()
    # verify checks that ExecStart's program exists: point it at the build's binary.
    local = os.path.join(workdir, "sysfence-watch.service")
    open(local, "w").write(text.replace("/usr/local/bin/sysfence", binary))
    done = subprocess.run(["systemd-analyze", "verify", local], capture_output=True, text=True, timeout=60)
    # verify also complains about unrelated units of the host; only lines about ours count.
    ours = [line for line in (done.stdout + done.stderr).splitlines() if "sysfence-watch.service" in line]
    if done.returncode != 0 or ours:
        fail("systemd-analyze verify: " + "\n".join(ours or [done.stderr]))
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    args = exec_start.split()[2:]  # after the binary and `watch`
    args = [a.replace("/var/log/sysfence", workdir).replace("/run/sysfence", workdir) for a in args]
    args = [a if a != "127.0.0.1:9464" else "127.0.0.1:0" for a in args]
    run_watch(binary, args, workdir)
    print("ok: systemd unit verifies and its command line runs")


def check_daemonset(source, binary, workdir):
    manifest = yaml.safe_load(open(os.path.join(source, "packaging/kubernetes/sysfence-watch-daemonset.yaml")))
    schema = json.load(open(os.path.join(source, "tests/packaging/daemonset.schema.json")))
    jsonschema.validate(manifest, schema, cls=jsonschema.Draft202012Validator)
    spec = manifest["spec"]
    labels = spec["template"]["metadata"]["labels"]
    for key, value in spec["selector"]["matchLabels"].items():
        if labels.get(key) != value:
            fail(f"selector {key}={value} does not match the pod template's labels")
    pod = spec["template"]["spec"]
    if not (pod.get("hostNetwork") and pod.get("hostPID")):
        fail("the audit stream needs the host's network namespace and pid namespace")
    container = pod["containers"][0]
    if "AUDIT_READ" not in container["securityContext"]["capabilities"]["add"]:
        fail("the watcher needs AUDIT_READ")
    mounts = {m["name"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"] for v in pod.get("volumes", [])}
    if mounts - volumes:
        fail(f"volume mounts without volumes: {mounts - volumes}")
    ports = {p["containerPort"] for p in container["ports"]}
    if container["livenessProbe"]["httpGet"]["port"] not in ports:
        fail("the liveness probe does not use a declared port")
    args = container["args"][1:]
    args = [a.replace("/run/sysfence", workdir) for a in args]
    args = [a if a != ":9464" else "127.0.0.1:0" for a in args]
    run_watch(binary, args, workdir)
    # The schema must reject a misspelt field: it is only worth something if it is closed.
    broken = json.loads(json.dumps(manifest))
    broken["spec"]["template"]["spec"]["containers"][0]["securityContxt"] = {}
    try:
        jsonschema.validate(broken, schema, cls=jsonschema.Draft202012Validator)
        fail("the schema accepted a misspelt field")
    except jsonschema.ValidationError:
        pass
    print("ok: DaemonSet matches the schema and its command line runs")


def main():
    source, binary = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as workdir:
        check_unit(source, binary, workdir)
        check_daemonset(source, binary, workdir)


if __name__ == "__main__":
    main()
