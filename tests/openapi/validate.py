"""Validates the OpenAPI document on stdin with openapi-spec-validator (OpenAPI 3.1 for a
document that says 3.1): prints every error and exits 1 when it is not valid."""

import json
import sys

from openapi_spec_validator import OpenAPIV31SpecValidator

document = json.load(sys.stdin)
if not str(document.get("openapi", "")).startswith("3.1."):
    print(f"not an OpenAPI 3.1 document: openapi = {document.get('openapi')!r}")
    sys.exit(1)
errors = list(OpenAPIV31SpecValidator(document).iter_errors())
for error in errors:
    print(f"{'/'.join(str(p) for p in error.path)}: {error.message}")
print(f"{len(errors)} errors")
sys.exit(1 if errors else 0)
