#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validates an OCI config.json fragment against the OCI runtime-spec schema.

usage: validate_oci_config.py SCHEMA_DIR BASE_CONFIG FRAGMENT

The fragment (what `sysfence compile --format oci-config` writes) is merged into BASE_CONFIG (a
minimal config.json: ociVersion, root, process.cwd) the way `jq -s '.[0] * .[1]'` merges objects,
and the result is validated against SCHEMA_DIR/config-schema.json, whose $refs resolve to the
files beside it. Exit 0 when valid; 1 with the first error's JSON path and message otherwise;
2 on unreadable input.
"""
import json
import pathlib
import sys

import jsonschema


def merge(base, fragment):
    """Recursive object merge; the fragment wins for anything that is not an object on both sides."""
    if isinstance(base, dict) and isinstance(fragment, dict):
        out = dict(base)
        for key, value in fragment.items():
            out[key] = merge(base.get(key), value) if key in base else value
        return out
    return fragment


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    schema_dir = pathlib.Path(argv[1]).resolve()
    try:
        schema = json.loads((schema_dir / "config-schema.json").read_text())
        config = merge(json.loads(pathlib.Path(argv[2]).read_text()), json.loads(pathlib.Path(argv[3]).read_text()))
    except (OSError, ValueError) as error:
        print(f"cannot read input: {error}", file=sys.stderr)
        return 2
    resolver = jsonschema.RefResolver(base_uri=schema_dir.as_uri() + "/", referrer=schema)
    validator = jsonschema.Draft4Validator(schema, resolver=resolver)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.absolute_path)
        print(f"{path}: {first.message} ({len(errors)} errors)")
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
