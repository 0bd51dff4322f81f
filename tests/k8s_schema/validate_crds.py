#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validates Kubernetes manifests against the Security Profiles Operator's CRD schemas.

Every object whose apiVersion group is security-profiles-operator.x-k8s.io is checked against the
openAPIV3Schema of its kind and version in the CRDs (tests/data/spo), the way the API server
would: unknown fields are errors (the server prunes them; here they are typos), integer formats
(int32, int64) are range-checked, and metadata.name must be a DNS-1123 subdomain. Manifests are
YAML files (several documents allowed) or the ```yaml blocks of a Markdown file.

  validate_crds.py --crds DIR FILE...       exit 0 when every object is valid, 1 otherwise
"""
import argparse
import copy
import re
import sys

import jsonschema
import yaml

GROUP = "security-profiles-operator.x-k8s.io"
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def strict(schema):
    """The schema with additionalProperties: false wherever properties are listed (pruning)."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def load_crds(directory):
    import glob
    schemas = {}
    for path in sorted(glob.glob(directory + "/*.yaml")):
        with open(path) as f:
            crd = yaml.safe_load(f)
        kind = crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schemas[(kind, version["name"])] = strict(version["schema"]["openAPIV3Schema"])
    return schemas


def format_checker():
    checker = jsonschema.FormatChecker()

    @checker.checks("int32")
    def int32(value):
        return not isinstance(value, int) or -(2**31) <= value < 2**31

    @checker.checks("int64")
    def int64(value):
        return not isinstance(value, int) or -(2**63) <= value < 2**63

    return checker


def documents(path):
    with open(path) as f:
        text = f.read()
    if path.endswith(".md"):
        blocks = re.findall(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M)
        for index, block in enumerate(blocks):
            for document in yaml.safe_load_all(block):
                yield "%s (yaml block %d)" % (path, index + 1), document
        return
    for document in yaml.safe_load_all(text):
        if isinstance(document, dict) and document.get("kind", "").endswith("List") and "items" in document:
            for item in document["items"]:
                yield path, item
        else:
            yield path, document


def validate(path, document, schemas, checker):
    """Errors of one object (empty when valid); None when it is not an SPO object."""
    if not isinstance(document, dict):
        return None
    api = document.get("apiVersion", "")
    if not api.startswith(GROUP + "/"):
        return None
    version = api.split("/", 1)[1]
    kind = document.get("kind")
    schema = schemas.get((kind, version))
    if schema is None:
        return ["%s: no CRD serves %s %s" % (path, kind, api)]
    errors = []
    validator = jsonschema.Draft7Validator(schema, format_checker=checker)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "$" + "".join("[%d]" % p if isinstance(p, int) else "." + str(p) for p in error.absolute_path)
        errors.append("%s: %s %s: %s" % (path, kind, where, error.message))
    name = (document.get("metadata") or {}).get("name")
    if not isinstance(name, str) or len(name) > 253 or not DNS1123.match(name):
        errors.append("%s: %s $.metadata.name: %r is not a DNS-1123 subdomain" % (path, kind, name))
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crds", required=True)
    parser.add_argument("--expect-invalid", action="store_true",
                        help="succeed only when every file has at least one invalid object (self-test)")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    schemas = load_crds(args.crds)
    checker = format_checker()
    failed = False
    for path in args.files:
        checked = 0
        file_errors = []
        for where, document in documents(path):
            errors = validate(where, document, schemas, checker)
            if errors is None:
                continue
            checked += 1
            file_errors += errors
        if args.expect_invalid:
            if not file_errors:
                print("%s: expected a schema error, found none" % path)
                failed = True
            continue
        if checked == 0:
            print("%s: no security-profiles-operator object to validate" % path)
            failed = True
        for error in file_errors:
            print(error)
        failed |= bool(file_errors)
        if not file_errors:
            print("%s: %d object(s) valid" % (path, checked))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
